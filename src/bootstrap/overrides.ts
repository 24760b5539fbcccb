import type { Container, Newable, ServiceIdentifier } from 'inversify';
import { ConfigurationError } from '../errors/families.js';
import type { SdkServices, SdkTokenIds, UntypedServiceIdentifier } from '../tokens.js';

/** An override of a provider whose service type is `T`: a value, a class or a factory. */
export type TypedProviderOverride<T> =
  | {
      /** The token to bind, e.g. `TOKENS.Logger`; rebound when something is bound to it already. */
      token: ServiceIdentifier<T>;
      /** Bound as a constant. */
      useValue: T;
    }
  | {
      /** The token to bind; rebound when something is bound to it already. */
      token: ServiceIdentifier<T>;
      /** Bound in singleton scope: built once, with its constructor's `@inject` dependencies. */
      useClass: Newable<T>;
    }
  | {
      /** The token to bind; rebound when something is bound to it already. */
      token: ServiceIdentifier<T>;
      /** Called once, with the container, the first time the token is resolved; its result is kept. */
      useFactory: (container: Container) => T;
    };

/**
 * The default of {@link ProviderOverride}'s type parameter, meaning "any provider": a type of its
 * own that no service type is, so `ProviderOverride` alone is {@link AnyProviderOverride}. Only a
 * type; there is no value of it.
 */
export interface AnyService {
  /** A symbol type declared nowhere else, so no service type matches this interface by accident. */
  readonly anyService: unique symbol;
}

/**
 * One override of any provider. An override of one of the SDK's tokens (`TOKENS.Logger`, ...)
 * must give a value, class or factory of that token's service type, so
 * `{ token: TOKENS.Logger, useValue: 42 }` does not compile ("Type 'number' is not assignable to
 * type 'Logger'"); strings, plain symbols and classes are not checked.
 */
export type AnyProviderOverride =
  | { [K in keyof SdkServices]: SdkTokenOverride<SdkTokenIds[K], SdkServices[K]> }[keyof SdkServices]
  | (TypedProviderOverride<unknown> & {
      /** A string, plain symbol or class: its override is not checked against a service type. */
      token: UntypedServiceIdentifier;
    });

/**
 * The overrides of one SDK token, as {@link TypedProviderOverride} but with `token` of the
 * token's own symbol type (`SdkTokenIds[K]`), so {@link AnyProviderOverride}'s union is
 * discriminated by it.
 *
 * @typeParam Id - the token's symbol type, an entry of `SdkTokenIds`.
 * @typeParam T - the token's service type, the same entry of `SdkServices`.
 */
export type SdkTokenOverride<Id, T> =
  | {
      /** The SDK token to rebind. */
      token: Id;
      /** Bound as a constant. */
      useValue: T;
    }
  | {
      /** The SDK token to rebind. */
      token: Id;
      /** Bound in singleton scope: built once, with its constructor's `@inject` dependencies. */
      useClass: Newable<T>;
    }
  | {
      /** The SDK token to rebind. */
      token: Id;
      /** Called once, with the container, the first time the token is resolved; its result is kept. */
      useFactory: (container: Container) => T;
    };

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

/** Stable codes of the wiring errors `createFramework()` and `createExecutor()` throw (as `ConfigurationError`). */
export const BootstrapErrorCodes = {
  /** A class listed in `controllers` has no `@EventController()` decorator. */
  NOT_A_CONTROLLER: 'ERR_BOOTSTRAP_NOT_A_CONTROLLER',
  /** An override has none of `useValue`, `useClass`, `useFactory`. */
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
