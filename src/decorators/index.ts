export {
  EventController, OnSubscribed, OnOffers, OnOffer, OnInverseOffers, OnRescind, OnRescindInverseOffer, OnUpdate, OnOperationUpdate,
  OnMessage, OnFailure, OnError, OnHeartbeat, OnConnected, OnReconnected, OnDisconnected, OnElected, OnLostLeadership, OnEvent,
  OnLaunch, OnLaunchGroup, OnKill, OnAcknowledged, OnShutdown,
} from './event-controller.decorator.js';
export { CONTROLLER_EVENTS, type ControllerEvent } from './events.js';
export { MetadataAccessor, DecoratorErrorCodes, type ControllerMetadata, type HandlerMetadata } from './metadata.js';
export type { HandlerSignatures, HandlerOf, HandlerDecorator, ControllerDecorator, ConnectionInfo, NeedsExperimentalDecorators, UseOnMethodsUnderExperimentalDecorators } from './handler-signatures.js';
