import { ConfigurationError } from '../errors/families.js';
import { CONTROLLER_EVENTS, isControllerEvent, type ControllerEvent } from './events.js';

/** Error codes of decorator misuse. */
export const DecoratorErrorCodes = {
  /** An event decorator on a static member, a property or an accessor: handlers are instance methods. */
  NOT_A_METHOD: 'ERR_DECORATOR_NOT_A_METHOD',
  /** `@EventController()` applied twice to one class. */
  DUPLICATE_CONTROLLER: 'ERR_DECORATOR_DUPLICATE_CONTROLLER',
  /** `@OnEvent(name)` with a name that is not one of `CONTROLLER_EVENTS`. */
  UNKNOWN_EVENT: 'ERR_DECORATOR_UNKNOWN_EVENT',
  /** `@EventController()` on something that is not a class. */
  NOT_A_CLASS: 'ERR_DECORATOR_NOT_A_CLASS',
  /** A decorator compiled as a standard (TC39) decorator: set `experimentalDecorators` and `emitDecoratorMetadata`. */
  NEEDS_EXPERIMENTAL_DECORATORS: 'ERR_DECORATOR_NEEDS_EXPERIMENTAL_DECORATORS',
} as const;

/**
 * Throws when a decorator is called the standard (TC39) way, with a context object (`{ kind,
 * name, ... }`) as its second argument: the SDK's decorators are TypeScript's legacy ones.
 */
export function assertExperimentalDecorators(decorator: string, second: unknown): void {
  if (typeof second !== 'object' || second === null || typeof (second as { kind?: unknown }).kind !== 'string') return;
  const { kind, name } = second as { kind: string; name?: unknown };
  throw new ConfigurationError(
    DecoratorErrorCodes.NEEDS_EXPERIMENTAL_DECORATORS,
    `${decorator} on ${kind} ${String(name ?? '(anonymous)')} was compiled as a standard (TC39) decorator, but mesos-sdk's decorators are TypeScript's legacy decorators: ` +
      'set "experimentalDecorators": true and "emitDecoratorMetadata": true in the compilerOptions of your tsconfig.json, then rebuild',
  );
}

/** What `@EventController()` records about a class. */
export interface ControllerMetadata {
  /** Controllers run in ascending order, then in registration order. @default 0 */
  order: number;
}

/** What an event decorator records: one handler method and the event it handles. */
export interface HandlerMetadata {
  /** The event the method handles. */
  event: ControllerEvent;
  /** The name of the method on the class's prototype. */
  method: string | symbol;
}

/**
 * Where decorators write and the discovery reads. Keyed by class, so metadata never leaks onto
 * instances and needs no emitted design types.
 */
const controllers = new WeakMap<Function, ControllerMetadata>();
const handlers = new WeakMap<Function, HandlerMetadata[]>();

export function writeControllerMetadata(target: unknown, meta: ControllerMetadata): void {
  if (typeof target !== 'function') {
    throw new ConfigurationError(DecoratorErrorCodes.NOT_A_CLASS, '@EventController() decorates classes only');
  }
  if (controllers.has(target)) {
    throw new ConfigurationError(
      DecoratorErrorCodes.DUPLICATE_CONTROLLER,
      `@EventController() is applied twice to ${target.name}; keep one (pass { order } to it if you need ordering)`,
    );
  }
  controllers.set(target, meta);
}

/** Appends a handler: stacked decorators all count. */
export function writeHandlerMetadata(target: object, method: string | symbol, descriptor: PropertyDescriptor | undefined, event: unknown, decorator: string): void {
  if (!isControllerEvent(event)) {
    throw new ConfigurationError(
      DecoratorErrorCodes.UNKNOWN_EVENT,
      `${decorator} names the unknown event ${JSON.stringify(event)}; use one of ${CONTROLLER_EVENTS.join(', ')}`,
    );
  }
  const where = `${typeof target === 'function' ? target.name : target.constructor.name}.${String(method)}`;
  if (typeof target === 'function') {
    throw new ConfigurationError(DecoratorErrorCodes.NOT_A_METHOD, `${decorator} is on the static member ${where}; event handlers must be instance methods`);
  }
  if (!descriptor || typeof descriptor.value !== 'function') {
    throw new ConfigurationError(
      DecoratorErrorCodes.NOT_A_METHOD,
      `${decorator} is on ${where}, which is not a method (a property or an accessor); put it on an instance method`,
    );
  }
  const ctor = target.constructor;
  const list = handlers.get(ctor) ?? [];
  list.push({ event, method });
  handlers.set(ctor, list);
}

/** Reads what the decorators wrote. */
export const MetadataAccessor = {
  /** The `@EventController()` metadata of a class; undefined when it is not a controller (base classes are not looked at). */
  controller(cls: Function): ControllerMetadata | undefined {
    return controllers.get(cls);
  },
  /** Handlers of a class and its base classes, base first, each in declaration order. */
  handlers(cls: Function): HandlerMetadata[] {
    const chain: Function[] = [];
    for (let c: Function | null = cls; c && c !== Function.prototype && c !== Object; c = Object.getPrototypeOf(c) as Function | null) chain.unshift(c);
    return chain.flatMap((c) => handlers.get(c) ?? []);
  },
};
