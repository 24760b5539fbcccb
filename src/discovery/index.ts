export { EventDispatcher, DispatcherErrorCodes, type DispatcherOptions } from './event-dispatcher.js';
