import { ConfigurationError } from '../errors/families.js';
import { ErrorCodes } from '../errors/codes.js';
import { isTerminal, type TaskRecord } from './task-record.js';

/** How long ended attempts are kept (see {@link TaskManagerOptions.history}). */
export interface TaskHistoryOptions {
  /**
   * Ended attempts kept per instance slot, newest first, besides the slot's current attempt
   * (which is never pruned). `0` keeps none. @defaultValue 5
   */
  keepPerSlot?: number;
  /** Ended attempts replaced longer ago than this are pruned, whatever `keepPerSlot` says. `0` turns the age limit off. @defaultValue 86400 */
  maxAgeSeconds?: number;
}

/** Per definition, how many attempts ended in each state, pruned ones included (see {@link TaskManager.totals}). */
export type TaskTotals = Record<string, number>;

/** The retention with its defaults applied. @internal */
export interface Retention {
  keepPerSlot: number;
  maxAgeMs: number;
}

/** Options checked and defaults applied. @throws ConfigurationError `ERR_CONFIG_INVALID`. @internal */
export function retentionOf(options: TaskHistoryOptions = {}): Retention {
  const keep = options.keepPerSlot ?? 5;
  const age = options.maxAgeSeconds ?? 86_400;
  if (!Number.isInteger(keep) || keep < 0) throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `taskHistory.keepPerSlot must be an integer >= 0, not ${String(keep)}`);
  if (typeof age !== 'number' || !Number.isFinite(age) || age < 0) throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `taskHistory.maxAgeSeconds must be a finite number of seconds >= 0 (0: no age limit), not ${String(age)}`);
  return { keepPerSlot: keep, maxAgeMs: age * 1000 };
}

/** True for an attempt that may be pruned: replaced by a newer one and ended. @internal */
export const prunable = (r: TaskRecord): boolean => r.superseded === true && isTerminal(r.state);

/**
 * The ended attempts of one slot to prune: beyond the newest `keepPerSlot`, or replaced before
 * `now - maxAgeMs`. @internal
 */
export function toPrune(slot: readonly TaskRecord[], retention: Retention, now: number): TaskRecord[] {
  const ended = slot.filter(prunable).sort((a, b) => b.attempt - a.attempt);
  return ended.filter((r, i) => i >= retention.keepPerSlot || (retention.maxAgeMs > 0 && r.supersededAt !== undefined && r.supersededAt < now - retention.maxAgeMs));
}
