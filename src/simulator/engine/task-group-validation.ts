import type { v1 } from '../../protocol/generated/index.js';

/** Smallest executor resources a master accepts for a task group (Mesos 1.11's MIN_CPUS, MIN_MEM). */
const MIN_CPUS = 0.01;
const MIN_MEM_MB = 32;

/**
 * The master's validation of a LAUNCH_GROUP's `ExecutorInfo`, in its order and with its texts
 * (measured on Mesos 1.11); a failure makes every task of the group TASK_ERROR with
 * REASON_TASK_GROUP_INVALID. Undefined when the executor is valid.
 */
export function validateGroupExecutor(executor: v1.ExecutorInfo | undefined, frameworkId: string): string | undefined {
  if (!executor?.type) return "'ExecutorInfo.type' must be set";
  if (executor.type === 'UNKNOWN') return 'Unknown executor type';
  if (executor.type === 'DEFAULT' && executor.command) return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
  if (executor.type === 'CUSTOM' && !executor.command) return "'ExecutorInfo.command' must be set for 'CUSTOM' executor";
  if (!executor.framework_id) return "'ExecutorInfo.framework_id' must be set";
  if (executor.framework_id.value !== frameworkId) {
    return `ExecutorInfo has an invalid FrameworkID (Actual: ${executor.framework_id.value} vs Expected: ${frameworkId})`;
  }
  const id = executor.executor_id.value;
  const cpus = scalar(executor.resources, 'cpus');
  if (cpus === undefined || cpus < MIN_CPUS) return `Executor '${id}' uses less CPUs (${cpus ?? 'None'}) than the minimum required (${MIN_CPUS})`;
  const mem = scalar(executor.resources, 'mem');
  if (mem === undefined || mem < MIN_MEM_MB) return `Executor '${id}' uses less memory (${mem === undefined ? 'None' : megabytes(mem)}) than the minimum required (${MIN_MEM_MB}MB)`;
  if (scalar(executor.resources, 'disk') === undefined) return `Executor '${id}' uses no disk`;
  return undefined;
}

/** Sum of a scalar resource, or undefined when none is named so. */
function scalar(resources: v1.Resource[] | undefined, name: string): number | undefined {
  const matching = (resources ?? []).filter((r) => r.name === name && r.scalar);
  return matching.length ? matching.reduce((sum, r) => sum + r.scalar!.value, 0) : undefined;
}

/** Megabytes as stout's `Bytes` prints them: `16MB`, else in KB or B. */
function megabytes(mb: number): string {
  if (Number.isInteger(mb)) return `${mb}MB`;
  const kb = mb * 1024;
  return Number.isInteger(kb) ? `${kb}KB` : `${Math.round(kb * 1024)}B`;
}
