/**
 * The Mesos message types the resource manager works with: the generated wire types.
 * @internal
 */
export type { v1 } from '../protocol/generated/index.js';
