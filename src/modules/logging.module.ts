import { ContainerModule } from 'inversify';
import { TOKENS } from '../tokens.js';
import { MlogLogger } from '../logging/mlog.logger.js';

/** `TOKENS.Logger`: MLOG lines on stderr (`LOG_LEVEL`, `LOG_FORMAT=json`); rebind the token for your own. */
export const loggingModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Logger).toConstantValue(new MlogLogger({ name: 'mesos-sdk' }));
});
