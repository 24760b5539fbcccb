import { ConfigurationError } from '../errors/families.js';

/** Error codes of the executor component. */
export const ExecutorErrorCodes = {
  /** `ConfigurationError`: `MESOS_AGENT_ENDPOINT`, `MESOS_FRAMEWORK_ID` or `MESOS_EXECUTOR_ID` is not set (not started by an agent). */
  ENV_MISSING: 'ERR_EXECUTOR_ENV_MISSING',
  /** `ConfigurationError`: an environment variable has a bad value (endpoint not host:port, bad Mesos duration). */
  ENV_INVALID: 'ERR_EXECUTOR_ENV_INVALID',
  /** `SubscriptionError` (retryable): a call was made while not subscribed to the agent. */
  NOT_SUBSCRIBED: 'ERR_EXECUTOR_NOT_SUBSCRIBED',
  /** `SubscriptionError`: the agent could not be re-subscribed to within `MESOS_RECOVERY_TIMEOUT`. */
  RECOVERY_TIMEOUT: 'ERR_EXECUTOR_RECOVERY_TIMEOUT',
  /** Reserved for calls after `stop()`; not thrown at present. */
  STOPPED: 'ERR_EXECUTOR_STOPPED',
  /** The agent answered an UPDATE with a 4xx: the update is dropped, not resent. */
  UPDATE_REFUSED: 'ERR_EXECUTOR_UPDATE_REFUSED',
  /** A status update no agent accepts (checked before sending). */
  UPDATE_INVALID: 'ERR_EXECUTOR_UPDATE_INVALID',
} as const;

/** What an executor learns from the environment the Mesos agent gives it. */
export interface ExecutorEnvironment {
  /** `http://ip:port` of the agent, from `MESOS_AGENT_ENDPOINT`. */
  agentUrl: string;
  /** `MESOS_FRAMEWORK_ID`. */
  frameworkId: string;
  /** `MESOS_EXECUTOR_ID` (for the command executor: the task id). */
  executorId: string;
  /** Sandbox directory (`MESOS_SANDBOX`, else `MESOS_DIRECTORY`). */
  directory: string | undefined;
  /** `MESOS_CHECKPOINT === '1'`: the executor survives agent restarts by re-subscribing. */
  checkpoint: boolean;
  /** How long to keep trying to re-subscribe after losing the agent (ms). Default 15 min. */
  recoveryTimeoutMs: number;
  /** Upper bound of the random wait between subscription attempts (ms). Default 2 s. */
  subscriptionBackoffMaxMs: number;
  /** Grace period to stop tasks after SHUTDOWN (ms). Default 5 s. */
  shutdownGracePeriodMs: number;
  /** Bearer token for executor authentication, if the agent enabled it. */
  authenticationToken: string | undefined;
}

const UNITS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, ms: 1, secs: 1000, mins: 60_000, hrs: 3_600_000, days: 86_400_000, weeks: 604_800_000,
};

/**
 * Parses a Mesos (stout) duration such as `2secs`, `15mins`, `500ms` or `1.5hrs` into milliseconds.
 * @throws ConfigurationError `ERR_EXECUTOR_ENV_INVALID` on anything else.
 */
export function parseMesosDuration(text: string, variable = 'duration'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|secs|mins|hrs|days|weeks)\s*$/.exec(text);
  if (!match) {
    throw new ConfigurationError(
      ExecutorErrorCodes.ENV_INVALID,
      `${variable}=${JSON.stringify(text)} is not a Mesos duration; expected a number followed by ns, us, ms, secs, mins, hrs, days or weeks (e.g. "2secs")`,
    );
  }
  return Number(match[1]) * UNITS[match[2]!]!;
}

/**
 * Reads the executor configuration from the environment variables the agent sets.
 * @throws ConfigurationError `ERR_EXECUTOR_ENV_MISSING` naming every missing variable.
 */
export function executorEnvironment(env: NodeJS.ProcessEnv = process.env): ExecutorEnvironment {
  const missing = ['MESOS_AGENT_ENDPOINT', 'MESOS_FRAMEWORK_ID', 'MESOS_EXECUTOR_ID'].filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new ConfigurationError(
      ExecutorErrorCodes.ENV_MISSING,
      `missing executor environment variable(s) ${missing.join(', ')}; an executor must be started by a Mesos agent ` +
        '(or the simulator), or these must be set by hand for a local test',
    );
  }
  const endpoint = env['MESOS_AGENT_ENDPOINT']!;
  if (!/^[\w.\-[\]:]+:\d{1,5}$/.test(endpoint)) {
    throw new ConfigurationError(ExecutorErrorCodes.ENV_INVALID, `MESOS_AGENT_ENDPOINT=${JSON.stringify(endpoint)} is not host:port`);
  }
  const checkpoint = env['MESOS_CHECKPOINT'] === '1';
  const duration = (name: string, dflt: number) => (env[name] ? parseMesosDuration(env[name]!, name) : dflt);
  return {
    agentUrl: `${env['MESOS_AGENT_SCHEME'] === 'https' ? 'https' : 'http'}://${endpoint}`,
    frameworkId: env['MESOS_FRAMEWORK_ID']!,
    executorId: env['MESOS_EXECUTOR_ID']!,
    directory: env['MESOS_SANDBOX'] ?? env['MESOS_DIRECTORY'],
    checkpoint,
    recoveryTimeoutMs: duration('MESOS_RECOVERY_TIMEOUT', 15 * 60_000),
    subscriptionBackoffMaxMs: Math.min(duration('MESOS_SUBSCRIPTION_BACKOFF_MAX', 2000), 15_000),
    shutdownGracePeriodMs: duration('MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD', 5000),
    authenticationToken: env['MESOS_EXECUTOR_AUTHENTICATION_TOKEN'] || undefined,
  };
}
