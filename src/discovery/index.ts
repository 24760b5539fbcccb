export { EventDispatcher, DispatcherErrorCodes, isRetryableFailure, type DispatcherOptions, type OfferRelease } from './event-dispatcher.js';
