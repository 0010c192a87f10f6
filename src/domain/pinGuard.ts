/**
 * Brute-force protection for PINs, as a plain object with time passed in.
 * Wrong PINs are counted per key (a caller number, a room) within a sliding window:
 * past `slowAfter` failures each further try waits `delayMs`, doubling up to `maxDelayMs`;
 * at `lockAfter` failures the key is refused for `lockoutSeconds`.
 */
export interface PinGuardSettings {
  readonly windowSeconds: number;
  readonly slowAfter: number;
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly lockAfter: number;
  readonly lockoutSeconds: number;
}

export type GuardVerdict = { kind: 'allowed'; delayMs: number } | { kind: 'locked'; retryAfterMs: number };

interface Record_ {
  failures: number[];
  lockedUntil: number;
}

export class PinGuard {
  private readonly records = new Map<string, Record_>();

  constructor(private settings: PinGuardSettings) {}

  /** Settings change with the admin's file; counts already made stay. */
  update(settings: PinGuardSettings): void {
    this.settings = settings;
  }

  /** The strictest verdict over all the keys of one attempt (caller and room). */
  check(keys: readonly string[], now: number): GuardVerdict {
    let delayMs = 0;
    for (const key of keys) {
      const record = this.current(key, now);
      if (!record) continue;
      if (record.lockedUntil > now) return { kind: 'locked', retryAfterMs: record.lockedUntil - now };
      const excess = record.failures.length - this.settings.slowAfter;
      if (excess > 0) delayMs = Math.max(delayMs, Math.min(this.settings.maxDelayMs, this.settings.delayMs * 2 ** (excess - 1)));
    }
    return { kind: 'allowed', delayMs };
  }

  /** Returns true when this failure locked one of the keys. */
  recordFailure(keys: readonly string[], now: number): boolean {
    let locked = false;
    for (const key of keys) {
      const record = this.current(key, now) ?? { failures: [], lockedUntil: 0 };
      record.failures.push(now);
      if (record.failures.length >= this.settings.lockAfter) {
        record.lockedUntil = now + this.settings.lockoutSeconds * 1000;
        record.failures = [];
        locked = true;
      }
      this.records.set(key, record);
    }
    return locked;
  }

  /** A right PIN clears the caller's own count (not the room's: others may be guessing). */
  recordSuccess(key: string): void {
    this.records.delete(key);
  }

  /** Drops what has expired, so memory follows the attackers of the last window only. */
  sweep(now: number): void {
    for (const key of [...this.records.keys()]) this.current(key, now);
  }

  get size(): number {
    return this.records.size;
  }

  private current(key: string, now: number): Record_ | undefined {
    const record = this.records.get(key);
    if (!record) return undefined;
    const since = now - this.settings.windowSeconds * 1000;
    record.failures = record.failures.filter((t) => t > since);
    if (record.failures.length === 0 && record.lockedUntil <= now) {
      this.records.delete(key);
      return undefined;
    }
    return record;
  }
}
