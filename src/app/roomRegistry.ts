import { randomUUID } from 'node:crypto';
import { AdmissionVerdict, Refusal, RoomState } from '../domain/admission';
import { drawRandomRoom, RandomInt } from '../domain/randomRoom';
import { findPermanentRoom, PermanentRoom, PermanentRoomSetting, Role, roleForPin } from '../domain/permanentRooms';
import { hashPin, PinHash, pinMatches } from '../domain/pinHash';
import { bridgeIdFor } from '../domain/roomNumber';
import { RoomNumber } from '../domain/types';
import { KeyedSerialQueue } from '../util/keyedSerialQueue';
import { ConferenceEvents } from './conferenceEvents';
import { FirstPinOutcome, FirstPinTurn } from './firstPinTurn';
import { LeaderGate } from './leaderGate';
import { JoinsInFlight } from './joinsInFlight';
import type { AddOutcome, BridgeOps } from './ports';
import { NamePlays, RoomBridge, RoomMedia, RoomSounds } from './roomMedia';
import { RoomHome, RoomStateStore } from './roomStateStore';
import { Member, Room, RoomTable, UNMARKED } from './roomTable';
import { endedBy } from './callSession';

/** The node a room nobody holds should start on, when not this one. */
export type Place = () => Promise<RoomHome | undefined>;
/** The caller's admission rules, asked with the room as the registry finds it. */
export type Admit = (room: RoomState) => AdmissionVerdict;
/**
 * 'elsewhere': another app instance of the cluster holds the room (`home`: which, while its lease
 * runs); `placed` when this caller's node has just placed the new room there.
 */
export type EnterOutcome = AdmissionVerdict | { kind: 'elsewhere'; home: RoomHome | undefined; placed?: boolean };
export type RandomOutcome = { kind: 'reserved'; room: RoomNumber } | { kind: 'refused'; reason: Refusal } | { kind: 'none-free' };
/** 'gone': the caller left on the way in. 'no-bridge': Asterisk had no bridge to add the caller to, even made again. */
export type JoinOutcome =
  { kind: 'joined'; others: number } | { kind: 'refused'; reason: Refusal } | { kind: 'gone' } | { kind: 'no-bridge' };

/** 'closed': adopted without a PIN to be found, so closed to newcomers. 'held': this app or another instance has the room. */
export type AdoptOutcome = 'with-pin' | 'closed' | 'held';

/** Who is joining: the member to be, and when they keyed the last key of their PIN. */
export interface Joiner {
  readonly channelId: string;
  readonly callerId: string;
  readonly keyedAt: number;
  readonly role: Role;
  /** Muted (by the room's startMuted) before being added. */
  readonly muted: boolean;
  /** Their recorded name (spoken names), announced to the others as they join and leave. */
  readonly spokenName?: string | undefined;
}

/** 'last-leader-left': the room ends when its last leader leaves (endWhenLeaderLeaves), and they did. */
export type DepartOutcome = 'left' | 'last-leader-left';

/** How often a drawn random number may turn out taken (by a racing caller) before the draw gives up. */
const RANDOM_DRAWS = 8;

/**
 * The one owner of room state. A room's doors (who takes it, who is first, which random number)
 * open one caller at a time through that room's door queue, so two callers racing for a room
 * always meet one room, whatever the store's round trips; a room's bridge work (its creation,
 * music, destroy) runs through its bridge queue, while joins run side by side: a room with
 * anyone on the way in is never destroyed.
 * What must be one across app instances (numbers held, PINs, locks) lives in `state`, whose
 * atomic steps settle races between instances.
 */
export class RoomRegistry extends RoomTable {
  private readonly queue = new KeyedSerialQueue();
  private readonly doors = new KeyedSerialQueue();
  private readonly media: RoomMedia;

  constructor(
    state: RoomStateStore,
    bridges: BridgeOps,
    private readonly randomInt: RandomInt,
    private readonly now: () => number,
    sounds: RoomSounds,
    private readonly events: ConferenceEvents,
    joins: JoinsInFlight,
    names: NamePlays,
    private permanentRooms: readonly PermanentRoomSetting[] = [],
  ) {
    super(state);
    const isLive = (room: RoomBridge): boolean => this.rooms.get(room.room) === room;
    this.media = new RoomMedia(bridges, this.queue, now, sounds, joins, isLive, names);
  }

  updateSounds(sounds: RoomSounds): void {
    this.media.updateSounds(sounds);
  }

  /**
   * The settings' permanent rooms, for the rooms that begin from now on. A permanent room in use
   * takes the new options (its PIN included), or keeps its last ones when removed, until it
   * empties; a spontaneous room in use stays one. Returns the numbers that are permanent now but
   * in use as spontaneous rooms.
   */
  updatePermanentRooms(rooms: readonly PermanentRoomSetting[]): RoomNumber[] {
    this.permanentRooms = rooms;
    const spontaneous: RoomNumber[] = [];
    for (const entry of this.rooms.values()) {
      const now = findPermanentRoom(rooms, entry.room);
      if (entry.permanent) entry.permanent = now ?? entry.permanent;
      else if (now) spontaneous.push(entry.room);
    }
    return spontaneous;
  }

  /** The permanent room's options as the room in use has them; undefined for a spontaneous room (or one not held). */
  permanentOf(room: RoomNumber): PermanentRoom | undefined {
    return this.rooms.get(room)?.permanent;
  }

  /** Settles when every queued bridge operation has run (tests, shutdown). */
  get pendingOperations(): number {
    return this.queue.size + this.doors.size;
  }

  /** The room as this session finds it on its way in, for the admission rules. */
  stateFor(room: RoomNumber, sessionId: string): RoomState {
    const entry = this.rooms.get(room);
    // The room limit is this node's: it guards what its Asterisk mixes.
    if (!entry) return { kind: 'new', roomsHeld: this.rooms.size, permanent: this.isPermanent(room) };
    return { kind: 'held', locked: entry.locked, pinFree: !entry.pinSet && entry.firstPin.freeFor(sessionId) };
  }

  /**
   * A caller asks for a room: admitted, the first one in sets its PIN, the others are checked
   * against it. A call that ends on the way (`signal`) takes nothing: its departure has been handled.
   * With `place`, a room nobody holds may start on the node it names instead (this one busy or
   * draining): it is held for that node, and the caller is to be passed on there.
   */
  enter(room: RoomNumber, sessionId: string, signal: AbortSignal, admit: Admit, place?: Place): Promise<EnterOutcome> {
    return this.doors.run(room, async () => {
      const verdict = admit(this.stateFor(room, sessionId));
      // A node at its room limit may still place the room on another.
      if (verdict.kind === 'refused' && verdict.reason !== 'too-many-rooms') return verdict;
      if (place && !this.rooms.has(room)) {
        const home = await place();
        if (home && (await this.state.claim(room, true, home)) === 'new') return { kind: 'elsewhere', home, placed: true };
      }
      if (verdict.kind === 'refused') return verdict;
      let entry = this.rooms.get(room) ?? (await this.claim(room));
      if (!entry) {
        const home = await this.state.homeOf(room);
        // Let go between the claim and the question: free to take after all.
        if (!home) entry = await this.claim(room);
        if (!entry) return { kind: 'elsewhere', home };
      }
      return { kind: this.take(entry, sessionId, signal) };
    });
  }

  /** Draws and reserves a free random room for this caller, once the rules let them start one. */
  async reserveRandom(digits: 3 | 4, sessionId: string, signal: AbortSignal, admit: Admit): Promise<RandomOutcome> {
    const verdict = admit({ kind: 'new', roomsHeld: this.rooms.size, permanent: false });
    if (verdict.kind === 'refused') return verdict;
    // A permanent number is never drawn: it is its team's, whether in use or not.
    const permanent = this.permanentRooms.filter((entry) => entry.number.length === digits).length;
    for (let draw = 0; draw < RANDOM_DRAWS; draw++) {
      const held = await this.state.claimedRooms(digits);
      const taken = (r: RoomNumber): boolean => held.has(r) || this.rooms.has(r) || this.isPermanent(r);
      const room = drawRandomRoom(digits, taken, held.size + permanent, this.randomInt);
      if (room === undefined) return { kind: 'none-free' };
      // Only a number nobody holds: a caller who keyed it meanwhile has it (here or on another instance).
      const reserved = await this.doors.run(room, async () => {
        const entry = this.rooms.has(room) ? undefined : await this.claim(room, true);
        return entry !== undefined && this.take(entry, sessionId, signal) === 'first';
      });
      if (reserved) return { kind: 'reserved', room };
    }
    return { kind: 'none-free' };
  }

  /**
   * The first caller's PIN: kept hashed; everyone waiting for it is released to check theirs.
   * They are released before the store has answered: their reads go after this write.
   */
  async setPin(room: RoomNumber, sessionId: string, pin: string): Promise<void> {
    const entry = this.rooms.get(room);
    if (!entry || !entry.firstPin.isSetter(sessionId)) throw new Error(`session ${sessionId} does not hold the PIN of ${room}`);
    entry.pinSet = true;
    entry.firstPin.settled();
    if (!(await this.state.setPin(room, hashPin(pin)))) throw new Error(`the room state store already holds a PIN for ${room}`);
  }

  /** For a caller who is not first: waits while the first caller keys the PIN. */
  awaitFirstPin(room: RoomNumber, sessionId: string, signal: AbortSignal): Promise<FirstPinOutcome> {
    if (signal.aborted) return Promise.reject(endedBy(signal));
    const entry = this.rooms.get(room);
    if (!entry) return Promise.reject(new Error(`room ${room} is not held`));
    if (entry.pinSet) return Promise.resolve('set');
    return entry.firstPin.await(sessionId, signal);
  }

  /**
   * The role a later caller's PIN gives: a permanent room's PIN or leader PIN (from the settings),
   * a spontaneous room's PIN (from the store); undefined for a wrong one.
   */
  async roleForPin(room: RoomNumber, pin: string): Promise<Role | undefined> {
    const permanent = this.rooms.get(room)?.permanent;
    if (permanent) return roleForPin(permanent, pin);
    const stored = await this.state.pinOf(room);
    return stored !== undefined && pinMatches(stored, pin) ? 'participant' : undefined;
  }

  /** A participant of this room is to wait for its leader before joining. */
  waitsForLeader(room: RoomNumber): boolean {
    const entry = this.rooms.get(room);
    return entry !== undefined && entry.permanent?.waitForLeader === true && !entry.leaderGate.isOpen;
  }

  /** Settles once a leader has joined the room (at once if one is in); rejects with CallEnded when the call ends first. */
  awaitLeader(room: RoomNumber, signal: AbortSignal): Promise<void> {
    const entry = this.rooms.get(room);
    return entry ? entry.leaderGate.await(signal) : Promise.reject(new Error(`room ${room} is not held`));
  }

  /** A caller passed on from another node got in here (RoomStateStore.recordAdmitted). */
  recordAdmitted(landedId: string, room: RoomNumber): Promise<void> {
    return this.state.recordAdmitted(landedId, room);
  }

  wasAdmitted(landedId: string, room: RoomNumber): Promise<boolean> {
    return this.state.wasAdmitted(landedId, room);
  }

  forgetAdmitted(landedId: string, room: RoomNumber): Promise<void> {
    return this.state.forgetAdmitted(landedId, room);
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
    const occupants = entry.members.size + entry.joining;
    const verdict = admit({ kind: 'joining', locked: entry.locked, occupants, maxParticipants: entry.permanent?.maxParticipants });
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
    const { channelId: channel, callerId, keyedAt, role, muted, spokenName } = joiner;
    if (entry.members.size > 0) {
      if (spokenName === undefined) this.media.joinTone(entry);
      else this.media.nameJoins(entry, spokenName);
    }
    const joinedAt = this.now();
    if (!entry.opened) {
      entry.opened = true;
      entry.createdAt = joinedAt;
      this.events.publish({ type: 'room-created', at: joinedAt, room });
    }
    entry.members.set(channel, { channelId: channel, callerId, joinedAt, role, muted, spokenName, ...UNMARKED });
    entry.holders.delete(sessionId);
    // The participants who waited for a leader join right behind them: the leader is told they are in.
    const released = role === 'leader' ? entry.leaderGate.open() : 0;
    const others = entry.members.size - 1 + released;
    this.events.publish({ type: 'joined', at: joinedAt, room, channel, callerId, others, keyedAt, role });
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
  depart(room: RoomNumber, sessionId: string, channelId: string): Promise<DepartOutcome> {
    const entry = this.rooms.get(room);
    if (!entry) return Promise.resolve('left');
    entry.holders.delete(sessionId);
    entry.firstPin.leave(sessionId);
    return this.queue.run(room, async (): Promise<DepartOutcome> => {
      const member = entry.members.get(channelId);
      const wasMember = entry.members.delete(channelId);
      if (member) {
        const { callerId, joinedAt } = member;
        this.events.publish({ type: 'left', at: this.now(), room, channel: channelId, callerId, joinedAt });
      }
      if (entry.members.size === 0 && entry.holders.size === 0 && entry.firstPin.idle) {
        const released = this.forget(entry);
        await this.media.destroyBridge(entry);
        await released;
        return 'left';
      }
      if (!wasMember || entry.members.size === 0) return 'left';
      const lastLeader = member?.role === 'leader' && !this.hasLeader(entry);
      // With no leader in, the room's newcomers wait for one again.
      if (lastLeader) entry.leaderGate.close();
      if (member?.spokenName === undefined) this.media.leaveTone(entry);
      else this.media.nameLeaves(entry, member.spokenName);
      await this.media.musicIfAlone(entry);
      return lastLeader && entry.permanent?.endWhenLeaderLeaves ? 'last-leader-left' : 'left';
    });
  }

  /** A leader is among the room's participants. */
  hasLeaderIn(room: RoomNumber): boolean {
    const entry = this.rooms.get(room);
    return entry !== undefined && this.hasLeader(entry);
  }

  private hasLeader(entry: Room): boolean {
    for (const member of entry.members.values()) if (member.role === 'leader') return true;
    return false;
  }

  /** A prompt for everyone in the room's bridge (a room's end, a leader's action). */
  announce(room: RoomNumber, media: string): Promise<void> {
    const entry = this.rooms.get(room);
    return entry ? this.media.announce(entry, media) : Promise.resolve();
  }

  /**
   * After a restart: takes over a bridge that still holds participants, with its PIN from the
   * state file or else the shared store. Without one the room is closed to newcomers (an
   * unguessable PIN) rather than opened to anyone.
   */
  adopt(
    room: RoomNumber,
    bridgeId: string,
    pin: PinHash | undefined,
    members: ReadonlyArray<Pick<Member, 'channelId' | 'callerId' | 'joinedAt' | 'role'>>,
  ): Promise<AdoptOutcome> {
    return this.doors.run(room, async () => {
      if (this.rooms.has(room)) return 'held';
      // A claim starts the room anew, so its PIN is read first.
      const kept = pin ?? (await this.state.pinOf(room));
      if (!(await this.state.claim(room))) return 'held';
      const entry = this.create(room);
      await this.state.setPin(room, kept ?? hashPin(randomUUID()));
      entry.pinSet = true;
      entry.bridgeId = bridgeId;
      entry.bridgeUp = true;
      entry.opened = true;
      // A permanent room with callers in has begun, whether its leader is among them or not.
      if (entry.permanent) entry.leaderGate.open();
      // Their recorded names are given back once found in Asterisk (SpokenNames.recover).
      for (const member of members) entry.members.set(member.channelId, { ...member, muted: false, spokenName: undefined, ...UNMARKED });
      return kept || entry.permanent ? 'with-pin' : 'closed';
    });
  }

  /**
   * Takes the number in the store: undefined when another app instance holds it. A room whose node
   * was lost goes on here with its PIN and lock, unless `fresh` (a random number must be new).
   */
  private async claim(room: RoomNumber, fresh = false): Promise<Room | undefined> {
    const claimed = await this.state.claim(room, fresh);
    if (!claimed) return undefined;
    const created = this.create(room);
    if (claimed === 'resumed') {
      created.pinSet = true;
      created.locked = await this.state.isLocked(room);
    }
    // The bridge is made while the first caller keys the PIN, so the join is one request.
    void this.queue.run(room, () => this.media.ensureBridge(created)).catch(() => undefined);
    return created;
  }

  /**
   * The session holds the room; 'first' when it is to set the PIN. A call that ended while the
   * store answered takes nothing, and a room it alone asked for is given back.
   */
  private take(entry: Room, sessionId: string, signal: AbortSignal): 'first' | 'later' {
    if (signal.aborted) {
      void this.depart(entry.room, sessionId, sessionId).catch(() => undefined);
      throw endedBy(signal);
    }
    entry.holders.add(sessionId);
    return !entry.pinSet && entry.firstPin.claim(sessionId) ? 'first' : 'later';
  }

  private isPermanent(room: RoomNumber): boolean {
    return this.permanentRooms.some((entry) => entry.number === room);
  }

  private create(room: RoomNumber): Room {
    const permanent = findPermanentRoom(this.permanentRooms, room);
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
      // A permanent room's PIN is the settings': nobody keys one for it.
      pinSet: permanent !== undefined,
      locked: false,
      permanent,
      leaderGate: new LeaderGate(),
      lecture: false,
      tones: this.media.tonePacer(() => entry),
    };
    this.rooms.set(room, entry);
    return entry;
  }

  /** The room leaves this app at once; the number is free once the store has answered. */
  private forget(entry: Room): Promise<void> {
    if (this.rooms.get(entry.room) !== entry) return Promise.resolve();
    this.rooms.delete(entry.room);
    const released = this.state.release(entry.room);
    if (entry.opened) this.events.publish({ type: 'room-destroyed', at: this.now(), room: entry.room, createdAt: entry.createdAt });
    return released;
  }
}
