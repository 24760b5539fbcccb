import type { Container, Newable, ServiceIdentifier } from 'inversify';
import { ConfigurationError } from '../errors/families.js';

/** A provider to replace, by token: a value, a class or a factory. */
export type ProviderOverride<T = unknown> =
  | { token: ServiceIdentifier<T>; useValue: T }
  | { token: ServiceIdentifier<T>; useClass: Newable<T> }
  | { token: ServiceIdentifier<T>; useFactory: (container: Container) => T };

export const BootstrapErrorCodes = {
  NOT_A_CONTROLLER: 'ERR_BOOTSTRAP_NOT_A_CONTROLLER',
  BAD_OVERRIDE: 'ERR_BOOTSTRAP_BAD_OVERRIDE',
} as const;

/** Rebinds (or binds) a token as an override says. */
export function applyOverride(container: Container, override: ProviderOverride): void {
  const { token } = override;
  const binding = container.isBound(token) ? container.rebind(token) : container.bind(token);
  if ('useValue' in override) binding.toConstantValue(override.useValue);
  else if ('useClass' in override) binding.to(override.useClass).inSingletonScope();
  else if ('useFactory' in override) binding.toDynamicValue(() => override.useFactory(container)).inSingletonScope();
  else throw new ConfigurationError(BootstrapErrorCodes.BAD_OVERRIDE, `override of ${String(token)} needs useValue, useClass or useFactory`);
}
