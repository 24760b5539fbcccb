/**
 * Exact scalar arithmetic for Mesos resources. Mesos rounds scalar resources to three decimal
 * places; the SDK stores them as integer thousandths ("millis") so that `0.1 + 0.2` cpus is exactly
 * `0.3` cpus and repeated add/subtract never drifts.
 */

/** Number of fixed-point units per whole resource unit (Mesos keeps three decimals). */
export const SCALAR_SCALE = 1000;

/** Converts a Mesos scalar value to integer thousandths, rounding to the nearest thousandth. */
export function toMillis(value: number): number {
  return Math.round(value * SCALAR_SCALE);
}

/** Converts integer thousandths back to a Mesos scalar value (at most three decimals). */
export function fromMillis(millis: number): number {
  return millis / SCALAR_SCALE;
}
