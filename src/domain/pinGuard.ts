import { CallerKind, RoomNumber } from './types';

/**
 * Brute-force protection for PINs, as a plain object with time passed in.
 * Wrong PINs are counted within a sliding window per caller number and per room. Past
 * `slowAfter` failures of a number, or `roomSlowAfter` failures at a room, each further try
 * waits `delayMs`, doubling up to `maxDelayMs` (the longer of the two waits applies). At
 * `lockAfter` failures a caller number is refused for `lockoutSeconds`. A room is never
 * refused: numbers can be spoofed, so an attacker who could lock a room could shut its
 * rightful callers out.
 */
export interface PinGuardSettings {
  readonly windowSeconds: number;
  readonly slowAfter: number;
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly lockAfter: number;
  readonly lockoutSeconds: number;
  readonly roomSlowAfter: number;
}

/** A caller number as the guard counts it: internal 201 and external 201 are different callers. */
export interface CallerNumber {
  readonly kind: CallerKind;
  readonly number: string;
}

/** One PIN try: from which number (undefined when withheld) at which room. */
export interface PinTry {
  readonly caller: CallerNumber | undefined;
  readonly room: RoomNumber;
}

export type GuardVerdict = { kind: 'allowed'; delayMs: number } | { kind: 'locked'; retryAfterMs: number };

/** What the guard holds of one caller number: wrong PINs in the window, and the lockout's end if locked. */
export interface CallerCount extends CallerNumber {
  readonly failures: number;
  readonly lockedUntil: number | undefined;
  /** The wait before the number's next try; 0 while locked (refused instead). */
  readonly delayMs: number;
}

export interface RoomCount {
  readonly room: RoomNumber;
  readonly failures: number;
  readonly delayMs: number;
}

export interface GuardCounts {
  readonly callers: readonly CallerCount[];
  readonly rooms: readonly RoomCount[];
}

/**
 * The number to count a caller by, or undefined when it is withheld. A caller id without a
 * digit ('', "anonymous", "Restricted", "unknown"...) names nobody: counted as one number, it
 * would let an attacker lock every caller who withholds theirs out.
 */
export function callerNumberOf(kind: CallerKind, callerId: string): CallerNumber | undefined {
  return /[0-9]/.test(callerId) ? { kind, number: callerId } : undefined;
}

interface CallerRecord {
  readonly caller: CallerNumber;
  failures: number[];
  /** 0 when not locked. */
  lockedUntil: number;
}

export class PinGuard {
  private readonly callers = new Map<string, CallerRecord>();
  private readonly rooms = new Map<RoomNumber, number[]>();

  constructor(private settings: PinGuardSettings) {}

  /** Settings change with the admin's file; counts already made stay. */
  update(settings: PinGuardSettings): void {
    this.settings = settings;
  }

  /** Refused while the caller's number is locked; else the longer of the number's and the room's waits. */
  check(pinTry: PinTry, now: number): GuardVerdict {
    const caller = pinTry.caller && this.callerRecord(pinTry.caller, now);
    if (caller && caller.lockedUntil > now) return { kind: 'locked', retryAfterMs: caller.lockedUntil - now };
    const callerDelay = this.delay(caller?.failures.length ?? 0, this.settings.slowAfter);
    return { kind: 'allowed', delayMs: Math.max(callerDelay, this.delay(this.roomFailures(pinTry.room, now).length, this.settings.roomSlowAfter)) };
  }

  /** Counts a wrong PIN against the room and the number; true when it locked the number. */
  recordFailure(pinTry: PinTry, now: number): boolean {
    this.rooms.set(pinTry.room, [...this.roomFailures(pinTry.room, now), now]);
    if (!pinTry.caller) return false;
    const record = this.callerRecord(pinTry.caller, now) ?? { caller: pinTry.caller, failures: [], lockedUntil: 0 };
    record.failures.push(now);
    this.callers.set(keyOf(pinTry.caller), record);
    if (record.lockedUntil !== 0 || record.failures.length < this.settings.lockAfter) return false;
    record.lockedUntil = now + this.settings.lockoutSeconds * 1000;
    return true;
  }

  /** A right PIN clears the caller's own count (not the room's: others may be guessing). */
  recordSuccess(caller: CallerNumber | undefined): void {
    if (caller) this.callers.delete(keyOf(caller));
  }

  /** The operator's clear: the number's count and lockout, whatever its kind. Returns what was cleared. */
  clearCaller(number: string, now: number): CallerCount[] {
    const cleared = this.counts(now).callers.filter((count) => count.number === number);
    for (const count of cleared) this.callers.delete(keyOf(count));
    return cleared;
  }

  /** Every number and room with wrong PINs counted, for the operator. */
  counts(now: number): GuardCounts {
    this.sweep(now);
    const callers = [...this.callers.values()].map(({ caller, failures, lockedUntil }) => ({
      ...caller,
      failures: failures.length,
      lockedUntil: lockedUntil === 0 ? undefined : lockedUntil,
      delayMs: lockedUntil === 0 ? this.delay(failures.length, this.settings.slowAfter) : 0,
    }));
    const rooms = [...this.rooms].map(([room, failures]) => ({ room, failures: failures.length, delayMs: this.delay(failures.length, this.settings.roomSlowAfter) }));
    return { callers, rooms };
  }

  /** Drops what has expired, so memory follows the attackers of the last window only. */
  sweep(now: number): void {
    for (const record of [...this.callers.values()]) this.callerRecord(record.caller, now);
    for (const room of [...this.rooms.keys()]) this.roomFailures(room, now);
  }

  get size(): number {
    return this.callers.size + this.rooms.size;
  }

  private delay(failures: number, slowAfter: number): number {
    const excess = failures - slowAfter;
    return excess > 0 ? Math.min(this.settings.maxDelayMs, this.settings.delayMs * 2 ** (excess - 1)) : 0;
  }

  /** While locked a number's count stands; when the lockout ends it starts again from nothing. */
  private callerRecord(caller: CallerNumber, now: number): CallerRecord | undefined {
    const key = keyOf(caller);
    const record = this.callers.get(key);
    if (!record) return undefined;
    if (record.lockedUntil > now) return record;
    if (record.lockedUntil !== 0) {
      record.lockedUntil = 0;
      record.failures = [];
    }
    record.failures = this.inWindow(record.failures, now);
    if (record.failures.length > 0) return record;
    this.callers.delete(key);
    return undefined;
  }

  private roomFailures(room: RoomNumber, now: number): number[] {
    const failures = this.inWindow(this.rooms.get(room) ?? [], now);
    if (failures.length > 0) this.rooms.set(room, failures);
    else this.rooms.delete(room);
    return failures;
  }

  private inWindow(failures: number[], now: number): number[] {
    const since = now - this.settings.windowSeconds * 1000;
    return failures.filter((t) => t > since);
  }
}

function keyOf(caller: CallerNumber): string {
  return `${caller.kind}:${caller.number}`;
}
