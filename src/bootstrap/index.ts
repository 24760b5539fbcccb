export { createFramework, BootstrapErrorCodes, type FrameworkOptions, type FrameworkHandle, type ProviderOverride } from './create-framework.js';
