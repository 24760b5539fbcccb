import type { Container, Newable, ServiceIdentifier } from 'inversify';
import { ConfigurationError } from '../errors/families.js';
import type { SdkServices, SdkTokenIds, UntypedServiceIdentifier } from '../tokens.js';

/** An override of a provider whose service type is `T`: a value, a class or a factory. */
export type TypedProviderOverride<T> =
  | { token: ServiceIdentifier<T>; useValue: T }
  | { token: ServiceIdentifier<T>; useClass: Newable<T> }
  | { token: ServiceIdentifier<T>; useFactory: (container: Container) => T };

declare const anyService: unique symbol;
/** The default of {@link ProviderOverride}'s type parameter: "any provider". */
type AnyService = typeof anyService;

/**
 * One override of any provider. An override of one of the SDK's tokens (`TOKENS.Logger`, ...)
 * must give a value, class or factory of that token's service type, so
 * `{ token: TOKENS.Logger, useValue: 42 }` does not compile ("Type 'number' is not assignable to
 * type 'Logger'"); strings, plain symbols and classes are not checked.
 */
export type AnyProviderOverride =
  | { [K in keyof SdkServices]: SdkTokenOverride<SdkTokenIds[K], SdkServices[K]> }[keyof SdkServices]
  | (TypedProviderOverride<unknown> & { token: UntypedServiceIdentifier });

/** The overrides of one SDK token: `token` is the token's own symbol type, so the union is discriminated by it. */
type SdkTokenOverride<Id, T> =
  | { token: Id; useValue: T }
  | { token: Id; useClass: Newable<T> }
  | { token: Id; useFactory: (container: Container) => T };

/**
 * A provider to replace, by token (like NestJS `overrideProvider`): a value, a class or a factory.
 * `ProviderOverride<T>` is an override of a `T` provider; `ProviderOverride` alone is any override
 * ({@link AnyProviderOverride}), checked against the token's type for the SDK's tokens.
 *
 * @example
 * ```ts
 * createFramework({ ..., overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }] });
 * ```
 */
export type ProviderOverride<T = AnyService> = [T] extends [AnyService] ? AnyProviderOverride : TypedProviderOverride<T>;

export const BootstrapErrorCodes = {
  NOT_A_CONTROLLER: 'ERR_BOOTSTRAP_NOT_A_CONTROLLER',
  BAD_OVERRIDE: 'ERR_BOOTSTRAP_BAD_OVERRIDE',
} as const;

/** Rebinds (or binds) a token as an override says. */
export function applyOverride(container: Container, override: ProviderOverride): void {
  const o = override as TypedProviderOverride<unknown>;
  const { token } = o;
  const binding = container.isBound(token) ? container.rebind(token) : container.bind(token);
  if ('useValue' in o) binding.toConstantValue(o.useValue);
  else if ('useClass' in o) binding.to(o.useClass).inSingletonScope();
  else if ('useFactory' in o) binding.toDynamicValue(() => o.useFactory(container)).inSingletonScope();
  else throw new ConfigurationError(BootstrapErrorCodes.BAD_OVERRIDE, `override of ${String(token)} needs useValue, useClass or useFactory`);
}
