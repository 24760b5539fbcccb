import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';

/** Exit code of a command line that does not parse (bad option value, unknown option): as POSIX tools do. */
export const USAGE_EXIT_CODE = 2;

/** A commander argument parser for a whole number in `[min, max]`; anything else is a usage error naming the range. */
export function integerArg(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected a whole number >= ${min}.` : `expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

/** A commander argument parser for a port, 0 to 65535 (0: any free port). */
export const portArg = (): ((value: string) => number) => {
  const parse = integerArg(0, 65535);
  return (value) => {
    try {
      return parse(value);
    } catch {
      throw new InvalidArgumentError('expected a port from 0 to 65535 (0 picks a free one).');
    }
  };
};

/** A commander argument parser for a finite number above `above` (e.g. a duration in seconds above 0). */
export function positiveNumberArg(above = 0): (value: string) => number {
  return (value) => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(n) || n <= above) throw new InvalidArgumentError(`expected a number above ${above}.`);
    return n;
  };
}

/**
 * The version of the mesos-sdk package the file at `fileUrl` belongs to, read at run time from the
 * nearest package.json named `mesos-sdk` above it (in a checkout, its root; installed, the package's folder).
 */
export function packageVersion(fileUrl: string): string {
  let dir = dirname(fileURLToPath(fileUrl));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'mesos-sdk' && pkg.version) return pkg.version;
      } catch {
        // not ours or unreadable: keep looking above
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/**
 * Makes a command line that does not parse exit with {@link USAGE_EXIT_CODE} after commander's one
 * `error: ...` line (no stack); `--help` and `--version` exit 0.
 */
export function usageErrorsExit(program: Command): Command {
  return program.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : USAGE_EXIT_CODE));
}

/** True for an error of the given Node system `code` (e.g. EADDRINUSE), itself or its cause. */
export function hasErrorCode(err: unknown, code: string): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === code) return true;
  }
  return false;
}
