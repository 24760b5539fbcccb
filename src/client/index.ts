export { MesosHttpClient, backoffDelay, leaderFromLocation, type Subscription } from './http-client.js';
export { resolveClientOptions, redactClientOptions, authorizationHeader, type MesosClientOptions, type TlsOptions, type AuthOptions, type ClientLogger, type ResolvedClientOptions } from './client-options.js';
export { ClientErrorCodes, httpErrorCode } from './client-error-codes.js';
