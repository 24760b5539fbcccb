export { clientModule, schedulerModule, loggingModule, dispatcherModule, resourceManagerModule, storageModule, taskManagerModule, defaultModules } from './default.modules.js';
