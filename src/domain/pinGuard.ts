import { CallerNumber, EmbeddedGuardCounts, GuardCountStore } from './guardCounts';
import { CallerKind, RoomNumber } from './types';

export type { CallerNumber } from './guardCounts';

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

export class PinGuard {
  constructor(
    private settings: PinGuardSettings,
    private readonly store: GuardCountStore = new EmbeddedGuardCounts(),
  ) {}

  /** Settings change with the admin's file; counts already made stay. */
  update(settings: PinGuardSettings): void {
    this.settings = settings;
  }

  /** Refused while the caller's number is locked; else the longer of the number's and the room's waits. */
  async check(pinTry: PinTry, now: number): Promise<GuardVerdict> {
    const since = this.windowStart(now);
    const [caller, roomFailures] = await Promise.all([
      pinTry.caller && this.store.caller(pinTry.caller, now, since),
      this.store.roomFailures(pinTry.room, since),
    ]);
    if (caller?.lockedUntil !== undefined) return { kind: 'locked', retryAfterMs: caller.lockedUntil - now };
    const callerDelay = this.delay(caller?.failures.length ?? 0, this.settings.slowAfter);
    const roomDelay = this.delay(roomFailures, this.settings.roomSlowAfter);
    return { kind: 'allowed', delayMs: Math.max(callerDelay, roomDelay) };
  }

  /** Counts a wrong PIN against the room and the number; true when it locked the number. */
  async recordFailure(pinTry: PinTry, now: number): Promise<boolean> {
    const since = this.windowStart(now);
    const roomCounted = this.store.addRoomFailure(pinTry.room, now, since);
    if (!pinTry.caller) return roomCounted.then(() => false);
    const [record] = await Promise.all([this.store.addCallerFailure(pinTry.caller, now, since), roomCounted]);
    if (record.failures.length < this.settings.lockAfter) return false;
    // Set-if-absent: a number already locked is not locked again, its lockout does not grow with more tries.
    return this.store.lockCaller(pinTry.caller, now, now + this.settings.lockoutSeconds * 1000);
  }

  /** A right PIN clears the caller's own count (not the room's: others may be guessing). */
  async recordSuccess(caller: CallerNumber | undefined): Promise<void> {
    if (caller) await this.store.clearCaller(caller);
  }

  /** The operator's clear: the number's count and lockout, whatever its kind. Returns what was cleared. */
  async clearCaller(number: string, now: number): Promise<CallerCount[]> {
    const cleared = (await this.counts(now)).callers.filter((count) => count.number === number);
    await Promise.all(cleared.map((count) => this.store.clearCaller(count)));
    return cleared;
  }

  /** Every number and room with wrong PINs counted, for the operator. */
  async counts(now: number): Promise<GuardCounts> {
    const all = await this.store.all(now, this.windowStart(now));
    const callers = all.callers.map(({ caller, failures, lockedUntil }) => ({
      ...caller,
      failures: failures.length,
      lockedUntil,
      delayMs: lockedUntil === undefined ? this.delay(failures.length, this.settings.slowAfter) : 0,
    }));
    const rooms = all.rooms.map(({ room, failures }) => ({ room, failures, delayMs: this.delay(failures, this.settings.roomSlowAfter) }));
    return { callers, rooms };
  }

  /** Drops what has expired, so memory follows the attackers of the last window only. */
  async sweep(now: number): Promise<void> {
    await this.store.all(now, this.windowStart(now));
  }

  get size(): number {
    return this.store.size;
  }

  private delay(failures: number, slowAfter: number): number {
    const excess = failures - slowAfter;
    return excess > 0 ? Math.min(this.settings.maxDelayMs, this.settings.delayMs * 2 ** (excess - 1)) : 0;
  }

  private windowStart(now: number): number {
    return now - this.settings.windowSeconds * 1000;
  }
}
