import { randomUUID } from 'node:crypto';
import { AdmissionVerdict, Refusal, RoomState } from '../domain/admission';
import { drawRandomRoom, RandomInt } from '../domain/randomRoom';
import { hashPin, PinHash, pinMatches } from '../domain/pinHash';
import { bridgeIdFor } from '../domain/roomNumber';
import { RoomNumber } from '../domain/types';
import { KeyedSerialQueue } from '../util/keyedSerialQueue';
import { ConferenceEvents } from './conferenceEvents';
import { FirstPinOutcome, FirstPinTurn } from './firstPinTurn';
import { JoinsInFlight } from './joinsInFlight';
import type { AddOutcome, BridgeOps } from './ports';
import { RoomMedia, RoomSounds } from './roomMedia';
import { RoomStateStore } from './roomStateStore';
import { Member, Room, RoomTable } from './roomTable';
import { endedBy } from './callSession';

/** The caller's admission rules, asked with the room as the registry finds it. */
export type Admit = (room: RoomState) => AdmissionVerdict;
export type RandomOutcome = { kind: 'reserved'; room: RoomNumber } | { kind: 'refused'; reason: Refusal } | { kind: 'none-free' };
/** 'gone': the caller left on the way in. 'no-bridge': Asterisk had no bridge to add the caller to, even made again. */
export type JoinOutcome =
  { kind: 'joined'; others: number } | { kind: 'refused'; reason: Refusal } | { kind: 'gone' } | { kind: 'no-bridge' };

/** Who is joining: the member to be, and when they keyed the last key of their PIN. */
export interface Joiner {
  readonly channelId: string;
  readonly callerId: string;
  readonly keyedAt: number;
}

/**
 * The one owner of room state. Decisions (who is first, which PIN, which random number)
 * are taken synchronously, so two callers racing for a room always meet one room;
 * a room's bridge work (its creation, music, destroy) runs through that room's serial queue,
 * while joins run side by side: a room with anyone on the way in is never destroyed.
 * What must be one across app instances (numbers held, PINs, locks) lives in `state`.
 */
export class RoomRegistry extends RoomTable {
  private readonly queue = new KeyedSerialQueue();
  private readonly media: RoomMedia;

  constructor(
    state: RoomStateStore,
    bridges: BridgeOps,
    private readonly randomInt: RandomInt,
    private readonly now: () => number,
    sounds: RoomSounds,
    private readonly events: ConferenceEvents,
    joins: JoinsInFlight,
  ) {
    super(state);
    this.media = new RoomMedia(bridges, this.queue, now, sounds, joins, (room) => this.rooms.get(room.room) === room);
  }

  updateSounds(sounds: RoomSounds): void {
    this.media.updateSounds(sounds);
  }

  /** Settles when every queued bridge operation has run (tests, shutdown). */
  get pendingOperations(): number {
    return this.queue.size;
  }

  /** The room as this session finds it on its way in, for the admission rules. */
  stateFor(room: RoomNumber, sessionId: string): RoomState {
    const entry = this.rooms.get(room);
    if (!entry) return { kind: 'new', roomsHeld: this.state.claimedCount() };
    const pinFree = this.state.pinOf(room) === undefined && entry.firstPin.freeFor(sessionId);
    return { kind: 'held', locked: this.state.isLocked(room), pinFree };
  }

  /** A caller asks for a room: admitted, the first one in sets its PIN, the others are checked against it. */
  enter(room: RoomNumber, sessionId: string, admit: Admit): AdmissionVerdict {
    const verdict = admit(this.stateFor(room, sessionId));
    if (verdict.kind === 'refused') return verdict;
    return { kind: this.take(room, sessionId) };
  }

  /** Draws and reserves a free random room for this caller, once the rules let them start one. */
  reserveRandom(digits: 3 | 4, sessionId: string, admit: Admit): RandomOutcome {
    const verdict = admit({ kind: 'new', roomsHeld: this.state.claimedCount() });
    if (verdict.kind === 'refused') return verdict;
    const room = drawRandomRoom(digits, (r) => this.state.isClaimed(r), this.state.claimedCount(digits), this.randomInt);
    if (room === undefined) return { kind: 'none-free' };
    if (this.take(room, sessionId) !== 'first') throw new Error(`random room ${room} was not free`);
    return { kind: 'reserved', room };
  }

  /** The first caller's PIN: kept hashed; everyone waiting for it is released to check theirs. */
  setPin(room: RoomNumber, sessionId: string, pin: string): void {
    const entry = this.rooms.get(room);
    if (!entry || !entry.firstPin.isSetter(sessionId) || !this.state.setPin(room, hashPin(pin))) {
      throw new Error(`session ${sessionId} does not hold the PIN of ${room}`);
    }
    entry.firstPin.settled();
  }

  /** For a caller who is not first: waits while the first caller keys the PIN. */
  awaitFirstPin(room: RoomNumber, sessionId: string, signal: AbortSignal): Promise<FirstPinOutcome> {
    if (signal.aborted) return Promise.reject(endedBy(signal));
    const entry = this.rooms.get(room);
    if (!entry) return Promise.reject(new Error(`room ${room} is not held`));
    if (this.state.pinOf(room) !== undefined) return Promise.resolve('set');
    return entry.firstPin.await(sessionId, signal);
  }

  verifyPin(room: RoomNumber, pin: string): boolean {
    const stored = this.state.pinOf(room);
    return stored !== undefined && pinMatches(stored, pin);
  }

  /**
   * Puts the caller's channel into the room's bridge. Joins of one room run side by side, so a
   * storm of callers keying '#' together costs each one round trip, not a place in a queue;
   * only the bridge's creation (queued, so it never meets the room's last destroy) is waited for.
   */
  async join(room: RoomNumber, sessionId: string, joiner: Joiner, admit: Admit): Promise<JoinOutcome> {
    const entry = this.rooms.get(room);
    if (!entry || !entry.holders.has(sessionId)) return { kind: 'gone' };
    // A room locked while this caller keyed the PIN refuses them too.
    const verdict = admit({ kind: 'joining', locked: this.state.isLocked(room), occupants: entry.members.size + entry.joining });
    if (verdict.kind === 'refused') return verdict;
    entry.joining++;
    let added: AddOutcome = 'caller-gone';
    try {
      added = await this.media.addToBridge(entry, joiner.channelId, () => entry.holders.has(sessionId));
    } finally {
      entry.joining--;
    }
    // The caller may have hung up while being added: its departure found no member to remove.
    if (added !== 'added' || !entry.holders.has(sessionId)) {
      // Music held back for this newcomer is due after all if one participant is left alone.
      void this.queue.run(room, () => this.media.musicIfAlone(entry));
      return { kind: added === 'bridge-gone' && entry.holders.has(sessionId) ? 'no-bridge' : 'gone' };
    }
    if (entry.members.size > 0) this.media.joinTone(entry);
    const joinedAt = this.now();
    if (!entry.opened) {
      entry.opened = true;
      entry.createdAt = joinedAt;
      this.events.publish({ type: 'room-created', at: joinedAt, room });
    }
    entry.members.set(joiner.channelId, { channelId: joiner.channelId, callerId: joiner.callerId, joinedAt, muted: false });
    entry.holders.delete(sessionId);
    const others = entry.members.size - 1;
    const { channelId: channel, callerId, keyedAt } = joiner;
    this.events.publish({ type: 'joined', at: joinedAt, room, channel, callerId, others, keyedAt });
    return { kind: 'joined', others };
  }

  /** After the lone caller's announcement: music on hold until someone arrives. */
  startHoldMusicIfAlone(room: RoomNumber): Promise<void> {
    const entry = this.rooms.get(room);
    return entry ? this.queue.run(room, () => this.media.musicIfAlone(entry)) : Promise.resolve();
  }

  /**
   * The caller's session ended (hangup, refusal, leave key): whatever it held is given back.
   * The first-PIN role passes on at once; bridge work waits for any join still under way.
   */
  depart(room: RoomNumber, sessionId: string, channelId: string): Promise<void> {
    const entry = this.rooms.get(room);
    if (!entry) return Promise.resolve();
    entry.holders.delete(sessionId);
    entry.firstPin.leave(sessionId);
    return this.queue.run(room, async () => {
      const member = entry.members.get(channelId);
      const wasMember = entry.members.delete(channelId);
      if (member) {
        const { callerId, joinedAt } = member;
        this.events.publish({ type: 'left', at: this.now(), room, channel: channelId, callerId, joinedAt });
      }
      if (entry.members.size === 0 && entry.holders.size === 0 && entry.firstPin.idle) {
        this.forget(entry);
        await this.media.destroyBridge(entry);
        return;
      }
      if (!wasMember || entry.members.size === 0) return;
      this.media.leaveTone(entry);
      await this.media.musicIfAlone(entry);
    });
  }

  /**
   * After a restart: takes over a bridge that still holds participants. Without a stored PIN
   * the room is closed to newcomers (an unguessable PIN) rather than opened to anyone.
   */
  adopt(room: RoomNumber, bridgeId: string, pin: PinHash | undefined, members: ReadonlyArray<Omit<Member, 'muted'>>): boolean {
    if (this.rooms.has(room) || !this.state.claim(room)) return false;
    this.state.setPin(room, pin ?? hashPin(randomUUID()));
    const entry = this.create(room);
    entry.bridgeId = bridgeId;
    entry.bridgeUp = true;
    entry.opened = true;
    for (const member of members) entry.members.set(member.channelId, { ...member, muted: false });
    return true;
  }

  /** The session holds the room, taking it if nobody does; 'first' when it is to set the PIN. */
  private take(room: RoomNumber, sessionId: string): 'first' | 'later' {
    let entry = this.rooms.get(room);
    if (!entry) {
      if (!this.state.claim(room)) throw new Error(`room ${room} is held elsewhere`);
      const created = this.create(room);
      entry = created;
      // The bridge is made while the first caller keys the PIN, so the join is one request.
      void this.queue.run(room, () => this.media.ensureBridge(created)).catch(() => undefined);
    }
    entry.holders.add(sessionId);
    return this.state.pinOf(room) === undefined && entry.firstPin.claim(sessionId) ? 'first' : 'later';
  }

  private create(room: RoomNumber): Room {
    const entry: Room = {
      room,
      createdAt: this.now(),
      bridgeId: bridgeIdFor(room),
      firstPin: new FirstPinTurn(),
      holders: new Set(),
      members: new Map(),
      bridgeUp: false,
      joining: 0,
      mohOn: false,
      opened: false,
      tones: this.media.tonePacer(() => entry),
    };
    this.rooms.set(room, entry);
    return entry;
  }

  private forget(entry: Room): void {
    if (this.rooms.get(entry.room) !== entry) return;
    this.rooms.delete(entry.room);
    this.state.release(entry.room);
    if (entry.opened) this.events.publish({ type: 'room-destroyed', at: this.now(), room: entry.room, createdAt: entry.createdAt });
  }
}
