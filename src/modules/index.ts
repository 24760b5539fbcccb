export { clientModule, schedulerModule, loggingModule, dispatcherModule, resourceManagerModule, storageModule, taskManagerModule, haModule, defaultModules } from './default.modules.js';
