export { MesosSdkError } from './mesos-sdk.error.js';
export {
  ProtocolError,
  FramingError,
  ValidationError,
  ConfigurationError,
  StorageError,
  ApiError,
  ConnectionError,
  SubscriptionError,
  NotSubscribedError,
} from './families.js';
export { ErrorCodes, type ErrorCode } from './codes.js';
