import { PinHash } from '../domain/pinHash';
import { RoomNumber } from '../domain/types';

/**
 * What every app instance serving the same rooms must agree on: which numbers are held (a random
 * number is reserved by holding it), each room's PIN hash and lock. The registry keeps the rest
 * (callers, bridges, who keys the first PIN) per instance. One app keeps this in memory
 * (EmbeddedRoomState); a shared store can implement it for a cluster.
 *
 * Each operation is one atomic step of the store: a caller never reads, decides, then writes.
 * The embedded store answers synchronously, which the registry relies on to decide a race between
 * two callers in one turn of the event loop; a networked store makes these promises, one round
 * trip each.
 */
export interface RoomStateStore {
  /** Holds the number if nobody does: true when this call took it (set-if-absent). */
  claim(room: RoomNumber): boolean;
  isClaimed(room: RoomNumber): boolean;
  /** Numbers held, in all (the room limit) or of one length (the random draw knows when all are taken). */
  claimedCount(digits?: number): number;
  /** Lets the number go with its PIN and lock; nothing when it is not held. */
  release(room: RoomNumber): void;
  /** Stores the room's PIN unless one is set: true when this call set it (set-if-absent). */
  setPin(room: RoomNumber, pin: PinHash): boolean;
  pinOf(room: RoomNumber): PinHash | undefined;
  /** Locks or unlocks a held room: true when the lock changed (compare-and-set). */
  setLocked(room: RoomNumber, locked: boolean): boolean;
  isLocked(room: RoomNumber): boolean;
}

/** Where room PINs outlive the app (the state file); told every PIN set and every PIN gone. */
export interface PinPersistence {
  set(room: RoomNumber, pin: PinHash): void;
  delete(room: RoomNumber): void;
}

interface HeldRoom {
  pin: PinHash | undefined;
  locked: boolean;
}

/** The rooms' state of a single app, in memory; PINs are handed to `persistence` to survive a restart. */
export class EmbeddedRoomState implements RoomStateStore {
  private readonly held = new Map<RoomNumber, HeldRoom>();
  private readonly heldByLength = new Map<number, number>();

  constructor(private readonly persistence: PinPersistence) {}

  claim(room: RoomNumber): boolean {
    if (this.held.has(room)) return false;
    this.held.set(room, { pin: undefined, locked: false });
    this.heldByLength.set(room.length, this.claimedCount(room.length) + 1);
    return true;
  }

  isClaimed(room: RoomNumber): boolean {
    return this.held.has(room);
  }

  claimedCount(digits?: number): number {
    return digits === undefined ? this.held.size : (this.heldByLength.get(digits) ?? 0);
  }

  release(room: RoomNumber): void {
    const entry = this.held.get(room);
    if (!entry) return;
    this.held.delete(room);
    this.heldByLength.set(room.length, this.claimedCount(room.length) - 1);
    if (entry.pin) this.persistence.delete(room);
  }

  setPin(room: RoomNumber, pin: PinHash): boolean {
    const entry = this.held.get(room);
    if (!entry || entry.pin) return false;
    entry.pin = pin;
    this.persistence.set(room, pin);
    return true;
  }

  pinOf(room: RoomNumber): PinHash | undefined {
    return this.held.get(room)?.pin;
  }

  setLocked(room: RoomNumber, locked: boolean): boolean {
    const entry = this.held.get(room);
    if (!entry || entry.locked === locked) return false;
    entry.locked = locked;
    return true;
  }

  isLocked(room: RoomNumber): boolean {
    return this.held.get(room)?.locked ?? false;
  }
}
