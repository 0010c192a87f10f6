import { CallerKind, RoomNumber } from './types';

/** A caller number as the guard counts it: internal 201 and external 201 are different callers. */
export interface CallerNumber {
  readonly kind: CallerKind;
  readonly number: string;
}

/** One number's wrong PINs (their times) and, while it is locked, the lockout's end. */
export interface CallerFailures {
  readonly caller: CallerNumber;
  readonly failures: readonly number[];
  readonly lockedUntil: number | undefined;
}

/** Every number and room with failures or a lockout. */
export interface GuardCountsHeld {
  readonly callers: CallerFailures[];
  readonly rooms: Array<{ room: RoomNumber; failures: number }>;
}

/**
 * Where the PinGuard keeps its counts: in memory for one app (EmbeddedGuardCounts), or in the store
 * shared by the app instances of a cluster (ValkeyGuardCounts), so that an attacker spread over them is counted once.
 * `now` is the time of the call; `since` the start of the counting window. A number's count stands
 * while it is locked (no window applies) and is forgotten with the lockout when that ends; failures
 * older than the window are dropped. Each operation is one atomic step of the store.
 */
export interface GuardCountStore {
  /** The number's failures and lockout as of `now`; undefined when it has none. */
  caller(caller: CallerNumber, now: number, since: number): Promise<CallerFailures | undefined>;
  /** Counts a wrong PIN of the number at `now` and returns its record with it (add, trim and read in one step). */
  addCallerFailure(caller: CallerNumber, now: number, since: number): Promise<CallerFailures>;
  /** Locks the number from `now` until `until` unless it is locked: true when this call locked it (set-if-absent, expiring). */
  lockCaller(caller: CallerNumber, now: number, until: number): Promise<boolean>;
  /** Forgets the number's failures and lockout. */
  clearCaller(caller: CallerNumber): Promise<void>;
  /** Wrong PINs at the room within the window. */
  roomFailures(room: RoomNumber, since: number): Promise<number>;
  /** Counts a wrong PIN at the room and returns its failures within the window, this one included. */
  addRoomFailure(room: RoomNumber, now: number, since: number): Promise<number>;
  /** Every number and room with failures or a lockout, for the operator (drops what has expired). */
  all(now: number, since: number): Promise<GuardCountsHeld>;
  /** Numbers and rooms held in this app's memory (0 for a shared store). */
  readonly size: number;
}

interface CallerRecord {
  readonly caller: CallerNumber;
  failures: number[];
  /** 0 when not locked. */
  lockedUntil: number;
}

/** The guard's counts of a single app, in memory. */
export class EmbeddedGuardCounts implements GuardCountStore {
  private readonly callers = new Map<string, CallerRecord>();
  private readonly rooms = new Map<RoomNumber, number[]>();

  async caller(caller: CallerNumber, now: number, since: number): Promise<CallerFailures | undefined> {
    const record = this.current(caller, now, since);
    return record && view(record);
  }

  async addCallerFailure(caller: CallerNumber, now: number, since: number): Promise<CallerFailures> {
    const record = this.current(caller, now, since) ?? { caller, failures: [], lockedUntil: 0 };
    record.failures.push(now);
    this.callers.set(keyOf(caller), record);
    return view(record);
  }

  async lockCaller(caller: CallerNumber, _now: number, until: number): Promise<boolean> {
    const record = this.callers.get(keyOf(caller));
    if (!record || record.lockedUntil !== 0) return false;
    record.lockedUntil = until;
    return true;
  }

  async clearCaller(caller: CallerNumber): Promise<void> {
    this.callers.delete(keyOf(caller));
  }

  async roomFailures(room: RoomNumber, since: number): Promise<number> {
    return this.roomWindow(room, since).length;
  }

  async addRoomFailure(room: RoomNumber, now: number, since: number): Promise<number> {
    const failures = [...this.roomWindow(room, since), now];
    this.rooms.set(room, failures);
    return failures.length;
  }

  async all(now: number, since: number): Promise<GuardCountsHeld> {
    for (const record of [...this.callers.values()]) this.current(record.caller, now, since);
    for (const room of [...this.rooms.keys()]) this.roomWindow(room, since);
    return {
      callers: [...this.callers.values()].map(view),
      rooms: [...this.rooms].map(([room, failures]) => ({ room, failures: failures.length })),
    };
  }

  get size(): number {
    return this.callers.size + this.rooms.size;
  }

  /** While locked a number's count stands; when the lockout ends it starts again from nothing. */
  private current(caller: CallerNumber, now: number, since: number): CallerRecord | undefined {
    const key = keyOf(caller);
    const record = this.callers.get(key);
    if (!record) return undefined;
    if (record.lockedUntil > now) return record;
    if (record.lockedUntil !== 0) {
      record.lockedUntil = 0;
      record.failures = [];
    }
    record.failures = record.failures.filter((t) => t > since);
    if (record.failures.length > 0) return record;
    this.callers.delete(key);
    return undefined;
  }

  private roomWindow(room: RoomNumber, since: number): number[] {
    const failures = (this.rooms.get(room) ?? []).filter((t) => t > since);
    if (failures.length > 0) this.rooms.set(room, failures);
    else this.rooms.delete(room);
    return failures;
  }
}

function view(record: CallerRecord): CallerFailures {
  return { caller: record.caller, failures: [...record.failures], lockedUntil: record.lockedUntil === 0 ? undefined : record.lockedUntil };
}

function keyOf(caller: CallerNumber): string {
  return `${caller.kind}:${caller.number}`;
}
