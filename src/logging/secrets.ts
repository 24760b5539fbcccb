/** What a secret is replaced with in log lines. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not redacted: replacing every `ab` in every line would wreck the logs. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Secret redaction shared by every logger of a tree (a logger and its children hold the same
 * `SecretSet`). Secrets are replaced by {@link REDACTED} in messages and in rendered arguments
 * before anything is written.
 *
 * @example
 * ```ts
 * const secrets = new SecretSet();
 * secrets.add(process.env.MESOS_PASSWORD);
 * secrets.redact(`password=${process.env.MESOS_PASSWORD}`); // 'password=[redacted]'
 * ```
 */
export class SecretSet {
  private secrets: string[] = [];

  /** Adds secrets (empty and too-short values are ignored); longest first so overlapping ones redact fully. */
  add(...secrets: Array<string | undefined>): void {
    for (const s of secrets) {
      if (typeof s === 'string' && s.length >= MIN_SECRET_LENGTH && !this.secrets.includes(s)) this.secrets.push(s);
    }
    this.secrets.sort((a, b) => b.length - a.length);
  }

  /** How many secrets are held. */
  get size(): number {
    return this.secrets.length;
  }

  /** `text` with every secret replaced. */
  redact(text: string): string {
    if (this.secrets.length === 0) return text;
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }

  /** True when `text` holds a secret. */
  leaks(text: string): boolean {
    return this.secrets.some((s) => text.includes(s));
  }

  /**
   * A value safe to hand to a writer: strings redacted; errors and objects that contain a secret
   * replaced by redacted copies (the original objects are never mutated).
   */
  redactValue(value: unknown): unknown {
    if (this.secrets.length === 0) return value;
    if (typeof value === 'string') return this.redact(value);
    if (value instanceof Error) {
      if (!this.leaks(`${value.message}\n${value.stack ?? ''}`)) return value;
      const copy = new Error(this.redact(value.message));
      copy.name = value.name;
      copy.stack = value.stack === undefined ? undefined : this.redact(value.stack);
      const code = (value as { code?: unknown }).code;
      if (code !== undefined) (copy as { code?: unknown }).code = code;
      return copy;
    }
    if (value !== null && typeof value === 'object') {
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch {
        return REDACTED; // cyclic or otherwise unrenderable: never risk writing it raw
      }
      if (json === undefined || !this.leaks(json)) return value;
      return JSON.parse(this.redact(json)) as unknown;
    }
    return value;
  }
}

/** A logger that accepts secrets to redact (every logger built on `LevelLogger` does). */
export interface SecretAware {
  /** Redacts these values (`undefined` and values shorter than {@link MIN_SECRET_LENGTH} are ignored) from every line written from now on. */
  addSecrets(...secrets: Array<string | undefined>): void;
}

/** True when `value` has an `addSecrets` method, so credentials can be handed to it for redaction. */
export function isSecretAware(value: unknown): value is SecretAware {
  return typeof (value as Partial<SecretAware> | null)?.addSecrets === 'function';
}
