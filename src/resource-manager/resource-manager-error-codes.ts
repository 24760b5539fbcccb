/**
 * Stable error codes of the resource manager. Codes are never renamed once released.
 */
export const ResourceManagerErrorCodes = {
  /** A placement constraint is malformed (unknown operator, bad regex, missing or non-numeric value). */
  CONSTRAINT_INVALID: 'ERR_CONSTRAINT_INVALID',
  /** A placement request is malformed (negative or non-finite resources, bad ports, duplicate id). */
  PLACEMENT_REQUEST_INVALID: 'ERR_PLACEMENT_REQUEST_INVALID',
  /** Resources were subtracted that are not contained in the minuend. */
  RESOURCES_INSUFFICIENT: 'ERR_RESOURCES_INSUFFICIENT',
  /** A `v1.Resource` could not be interpreted (missing value for its type, bad range). */
  RESOURCE_INVALID: 'ERR_RESOURCE_INVALID',
} as const;

/** One of the {@link ResourceManagerErrorCodes} values. */
export type ResourceManagerErrorCode = (typeof ResourceManagerErrorCodes)[keyof typeof ResourceManagerErrorCodes];
