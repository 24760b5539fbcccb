export { createFramework, BootstrapErrorCodes, type FrameworkOptions, type FrameworkHandle, type ProviderOverride } from './create-framework.js';
export { createExecutor, type ExecutorOptions, type ExecutorHandle } from './create-executor.js';
export { LifecycleError, LifecycleErrorCodes, StopError, type LifecyclePhase, type StopFailure } from './framework-lifecycle.js';
export type { TypedProviderOverride, AnyProviderOverride, SdkTokenOverride, AnyService } from './overrides.js';
