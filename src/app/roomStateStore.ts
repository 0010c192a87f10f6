import { NodeLoad } from '../domain/placement';
import { PinHash } from '../domain/pinHash';
import { RoomNumber } from '../domain/types';

/**
 * What every app instance serving the same rooms must agree on: which numbers are held (a random
 * number is reserved by holding it), each room's PIN hash and lock. The registry keeps the rest
 * (callers, bridges, who keys the first PIN) per instance. One app keeps this in memory
 * (EmbeddedRoomState); the app instances of a cluster share one (ValkeyRoomState).
 *
 * Each operation is one atomic step of the store (one round trip to a shared one): a caller never
 * reads, decides, then writes. Races between callers of one app are settled by the registry before
 * it asks; races between app instances by these steps.
 */
export interface RoomStateStore {
  /**
   * Holds the number if nobody does (set-if-absent), or as this app's own again (after a restart):
   * 'new' when this call took it as a new room, without PIN or lock; 'resumed' when it took over
   * a room whose node was lost, with that room's PIN and lock (unless `fresh`: then such a room
   * is not taken); false when it is held. With `home`, held for that node of the cluster (a new
   * room placed there), counting as its own claim once its first caller arrives there.
   */
  claim(room: RoomNumber, fresh?: boolean, home?: RoomHome): Promise<Claim>;
  isClaimed(room: RoomNumber): Promise<boolean>;
  /** The numbers of one length held, for the random draw (which then claims the one it drew). */
  claimedRooms(digits: number): Promise<ReadonlySet<RoomNumber>>;
  /** Lets the number go with its PIN and lock; nothing when it is not held. */
  release(room: RoomNumber): Promise<void>;
  /** Stores the room's PIN unless one is set: true when this call set it (set-if-absent). */
  setPin(room: RoomNumber, pin: PinHash): Promise<boolean>;
  pinOf(room: RoomNumber): Promise<PinHash | undefined>;
  /** Locks or unlocks a held room: true when the lock changed (compare-and-set). */
  setLocked(room: RoomNumber, locked: boolean): Promise<boolean>;
  isLocked(room: RoomNumber): Promise<boolean>;
  /** The node that holds the room, while its lease runs; undefined when it is free (or held here alone). */
  homeOf(room: RoomNumber): Promise<RoomHome | undefined>;
  /**
   * A caller passed on from another node got into the room here: recorded under the call's id on
   * that node, so that if this node is lost, the room's next home takes the caller in without a PIN.
   */
  recordAdmitted(landedId: string, room: RoomNumber): Promise<void>;
  /** The call with this id on its landing node got into the room (and has not left it). */
  wasAdmitted(landedId: string, room: RoomNumber): Promise<boolean>;
  /** The caller left the room here: this node's record of it goes. */
  forgetAdmitted(landedId: string, room: RoomNumber): Promise<void>;
  /** This node's load, for the other nodes' placement of new rooms; it runs out unless published again. */
  publishLoad(load: { participants: number; draining: boolean }): Promise<void>;
  /** The load of every node that published one lately (this one included). */
  nodeLoads(): Promise<NodeLoad[]>;
}

export type Claim = 'new' | 'resumed' | false;

/** The node whose Asterisk mixes a room, and where its callers are passed on to (host:port, or ''). */
export interface RoomHome {
  readonly node: string;
  readonly sipAddress: string;
}

/** Where room PINs outlive the app (the state file); told every PIN set and every PIN gone. */
export interface PinPersistence {
  /** Resolves once the PIN is written (or the write failed, and is tried again). */
  set(room: RoomNumber, pin: PinHash): Promise<void>;
  delete(room: RoomNumber): void;
}

interface HeldRoom {
  pin: PinHash | undefined;
  locked: boolean;
}

/** The rooms' state of a single app, in memory; PINs are handed to `persistence` to survive a restart. */
export class EmbeddedRoomState implements RoomStateStore {
  private readonly held = new Map<RoomNumber, HeldRoom>();

  constructor(private readonly persistence: PinPersistence) {}

  async claim(room: RoomNumber): Promise<Claim> {
    if (this.held.has(room)) return false;
    this.held.set(room, { pin: undefined, locked: false });
    return 'new';
  }

  async isClaimed(room: RoomNumber): Promise<boolean> {
    return this.held.has(room);
  }

  async claimedRooms(digits: number): Promise<ReadonlySet<RoomNumber>> {
    return new Set([...this.held.keys()].filter((room) => room.length === digits));
  }

  async release(room: RoomNumber): Promise<void> {
    const entry = this.held.get(room);
    if (!entry) return;
    this.held.delete(room);
    if (entry.pin) this.persistence.delete(room);
  }

  async setPin(room: RoomNumber, pin: PinHash): Promise<boolean> {
    const entry = this.held.get(room);
    if (!entry || entry.pin) return false;
    entry.pin = pin;
    // The first caller joins once the PIN would outlive a crash of the app.
    await this.persistence.set(room, pin);
    return true;
  }

  async pinOf(room: RoomNumber): Promise<PinHash | undefined> {
    return this.held.get(room)?.pin;
  }

  async setLocked(room: RoomNumber, locked: boolean): Promise<boolean> {
    const entry = this.held.get(room);
    if (!entry || entry.locked === locked) return false;
    entry.locked = locked;
    return true;
  }

  async isLocked(room: RoomNumber): Promise<boolean> {
    return this.held.get(room)?.locked ?? false;
  }

  /** A single app has no other node for a room to be on, nor callers passed on. */
  async homeOf(_room: RoomNumber): Promise<RoomHome | undefined> {
    return undefined;
  }

  async recordAdmitted(_landedId: string, _room: RoomNumber): Promise<void> {}

  async wasAdmitted(_landedId: string, _room: RoomNumber): Promise<boolean> {
    return false;
  }

  async forgetAdmitted(_landedId: string, _room: RoomNumber): Promise<void> {}

  /** Nor other nodes to place rooms on. */
  async publishLoad(_load: { participants: number; draining: boolean }): Promise<void> {}

  async nodeLoads(): Promise<NodeLoad[]> {
    return [];
  }
}

/** The shared store did not answer (down, unreachable, refused): the caller is told the service is unavailable. */
export class StoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the shared store (store.url) did not answer: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
