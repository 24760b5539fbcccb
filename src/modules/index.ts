export { clientModule, schedulerModule, loggingModule, dispatcherModule, resourceManagerModule, defaultModules } from './default.modules.js';
