import type { scheduler, v1 } from '../../protocol/generated/index.js';
import type { Allocator } from './allocator.js';
import type { ClusterState, SimFramework } from './cluster-state.js';
import { frameworkRolesError } from './role-validation.js';
import type { TaskRunner } from './task-runner.js';

/** Frameworks coming and going: SUBSCRIBE, disconnection and failover timeout, removal, SUPPRESS and REVIVE. */
export class FrameworkLifecycle {
  constructor(
    private readonly state: ClusterState,
    private readonly allocator: Allocator,
    private readonly runner: TaskRunner,
  ) {}

  /** Handles SUBSCRIBE after the HTTP checks. Returns the framework or an error message for an ERROR event. */
  subscribe(call: scheduler.Call): { framework: SimFramework; resubscribed: boolean } | { error: string } {
    const { state } = this;
    const info = call.subscribe!.framework_info;
    const requestedId = info.id?.value ?? call.framework_id?.value;
    const checked = checkRoles(info);
    if ('error' in checked) return checked;
    const { multiRole, roles } = checked;
    let fw = requestedId ? state.frameworks.get(requestedId) : undefined;
    if (fw?.removed) return { error: 'Framework has been removed' };
    const resubscribed = !!fw;
    if (!fw) {
      const id = requestedId ?? state.nextFrameworkId();
      fw = { id, info, roles, multiRole, partitionAware: false, killingState: false, refinement: false, connected: false, removed: false, suppressed: new Set(), filters: new Map() };
      state.frameworks.set(id, fw);
    }
    clearTimeout(fw.failoverTimer);
    this.applyInfo(fw, { ...info, user: fw.info.user, checkpoint: fw.info.checkpoint }, roles, multiRole, call.subscribe!.suppressed_roles);
    fw.connected = true;
    // Outstanding offers are discarded without RESCIND on re-subscription.
    this.returnOffersOf(fw);
    return { framework: fw, resubscribed };
  }

  /**
   * UPDATE_FRAMEWORK, checked as a Mesos 1.11 master does: the new FrameworkInfo and its suppressed
   * roles first, then what may not change (principal, user, checkpoint). Returns the 400 text, or
   * applies the update and rescinds the framework's outstanding offers.
   */
  updateFramework(fw: SimFramework, info: v1.FrameworkInfo, suppressed: string[] | undefined): string | undefined {
    const checked = checkRoles(info);
    if ('error' in checked) return `Supplied FrameworkInfo is not valid: ${checked.error}`;
    const foreign = (suppressed ?? []).find((r) => !checked.roles.includes(r));
    if (foreign !== undefined) return `Supplied FrameworkInfo is not valid: Suppressed role '${foreign}' is not contained in the list of roles`;
    const old = fw.info;
    if (old.principal !== info.principal) return "FrameworkInfo update is not valid: Changing framework's principal is not allowed.";
    for (const [field, from, to] of [['user', old.user ?? '', info.user ?? ''], ['checkpoint', !!old.checkpoint, !!info.checkpoint]] as const) {
      if (from !== to) return `FrameworkInfo update is not valid: Updating 'FrameworkInfo.${field}' is unsupported; attempted to update from '${from}' to '${to}'`;
    }
    this.applyInfo(fw, info, checked.roles, checked.multiRole, suppressed);
    this.allocator.rescindOffers((o) => o.frameworkId === fw.id);
    this.allocator.schedule();
    return undefined;
  }

  private applyInfo(fw: SimFramework, info: v1.FrameworkInfo, roles: string[], multiRole: boolean, suppressed: string[] | undefined): void {
    const capabilities = new Set((info.capabilities ?? []).map((c) => c.type));
    fw.info = { ...info, id: { value: fw.id } };
    fw.roles = roles;
    fw.multiRole = multiRole;
    fw.partitionAware = capabilities.has('PARTITION_AWARE');
    fw.killingState = capabilities.has('TASK_KILLING_STATE');
    fw.refinement = capabilities.has('RESERVATION_REFINEMENT');
    fw.suppressed = new Set(suppressed ?? []);
  }

  /** After SUBSCRIBED went out: agents resend pending updates at once, and offers follow. */
  afterSubscribed(fw: SimFramework): void {
    for (const t of this.state.tasks.values()) if (t.frameworkId === fw.id) t.updates.resend();
    this.allocator.schedule();
  }

  /** The framework's stream closed: offers are rescinded and the failover timer starts. */
  disconnected(frameworkId: string): void {
    const fw = this.state.frameworks.get(frameworkId);
    if (!fw || !fw.connected) return;
    fw.connected = false;
    this.returnOffersOf(fw);
    const timeoutMs = (fw.info.failover_timeout ?? 0) * 1000;
    fw.failoverTimer = setTimeout(() => this.remove(fw), Math.min(timeoutMs, 2 ** 31 - 1));
    fw.failoverTimer.unref();
  }

  /** TEARDOWN or failover timeout: offers go back, executors shut down, tasks end KILLED. */
  remove(fw: SimFramework): void {
    fw.removed = true;
    fw.connected = false;
    clearTimeout(fw.failoverTimer);
    this.returnOffersOf(fw);
    this.state.executorHost?.shutdownFramework(fw.id);
    for (const t of [...this.state.tasks.values()]) {
      if (t.frameworkId !== fw.id) continue;
      this.runner.finishTask(t, 'TASK_KILLED');
      this.runner.retireTask(t);
    }
    this.allocator.schedule();
  }

  revive(fw: SimFramework, roles: string[] | undefined): void {
    const target = roles?.length ? roles : fw.roles;
    for (const r of target) fw.suppressed.delete(r);
    for (const k of [...fw.filters.keys()]) if (target.includes(k.split('|')[1]!)) fw.filters.delete(k);
    this.allocator.schedule();
  }

  suppress(fw: SimFramework, roles: string[] | undefined): void {
    for (const r of roles?.length ? roles : fw.roles) fw.suppressed.add(r);
  }

  private returnOffersOf(fw: SimFramework): void {
    for (const offer of [...this.state.offers.values()]) if (offer.frameworkId === fw.id) this.state.returnOffer(offer);
  }
}

/** The role fields of a FrameworkInfo, checked as the master does (the text without its prefix). */
function checkRoles(info: v1.FrameworkInfo): { multiRole: boolean; roles: string[] } | { error: string } {
  const multiRole = (info.capabilities ?? []).some((c) => c.type === 'MULTI_ROLE');
  const roles = multiRole ? info.roles ?? [] : [info.role ?? '*'];
  if (multiRole && info.role) return { error: "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable" };
  if (!multiRole && info.roles?.length) return { error: "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable" };
  const problem = frameworkRolesError(multiRole, roles);
  return problem ? { error: problem } : { multiRole, roles };
}
