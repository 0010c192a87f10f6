import { randomUUID } from 'node:crypto';
import { drawRandomRoom, RandomInt } from '../domain/randomRoom';
import { hashPin, PinHash, pinMatches } from '../domain/pinHash';
import { bridgeIdFor } from '../domain/roomNumber';
import { RoomNumber } from '../domain/types';
import { KeyedSerialQueue } from '../util/keyedSerialQueue';
import { ConferenceEvents } from './conferenceEvents';
import { JoinsInFlight } from './joinsInFlight';
import type { AddOutcome } from './ports';
import { TonePacer } from './tonePacer';

/** What the registry needs from Asterisk; the ARI edge implements it. */
export interface BridgeOps {
  /** Makes the room's bridge; resolves with its id: the room's usual one, or another when Asterisk still holds that. */
  create(room: RoomNumber): Promise<string>;
  destroy(bridgeId: string): Promise<void>;
  /** 'caller-gone' when the caller hung up before it could be added; 'bridge-gone' when the bridge was deleted. */
  addChannel(bridgeId: string, channelId: string): Promise<AddOutcome>;
  startMoh(bridgeId: string): Promise<void>;
  stopMoh(bridgeId: string): Promise<void>;
  /** A tone for everyone in the bridge; resolves once Asterisk has answered (a failure is reported, never thrown). */
  playToBridge(bridgeId: string, media: string): Promise<void>;
}

/** Where room PINs outlive the app (the RoomStore); the registry tells it every change. */
export interface PinPersistence {
  set(room: RoomNumber, pin: PinHash): void;
  delete(room: RoomNumber): void;
}

export interface Member {
  readonly channelId: string;
  readonly callerId: string;
  readonly joinedAt: number;
  muted: boolean;
}

export interface RoomSounds {
  readonly joinTone: string | undefined;
  readonly leaveTone: string | undefined;
}

/** Tones start at least this far apart: a burst of joins and leaves is heard as one tone. */
const TONE_SPACING_MS = 600;

/** A room from the first caller who asks for it until the last one has gone. */
interface Room {
  readonly room: RoomNumber;
  /** When asked for; reset to the first join, when the conference really begins. */
  createdAt: number;
  pin: PinHash | undefined;
  /** `conference-<room>`, unless Asterisk still held that id when the bridge was made. */
  bridgeId: string;
  /** The session keying the room's first PIN; others wait for it. */
  setter: string | undefined;
  readonly waiters: Array<{ sessionId: string; settle: (outcome: FirstPinOutcome) => void }>;
  /** Sessions on their way in (keying, waiting, joining): they keep the number taken. */
  readonly holders: Set<string>;
  readonly members: Map<string, Member>;
  bridgeUp: boolean;
  /** Joins under way (their addChannel in flight): they count against the room's limit. */
  joining: number;
  mohOn: boolean;
  /** Locked by an operator: newcomers are refused, participants stay. */
  locked: boolean;
  /** Someone has joined: from then on the room is a conference (created and destroyed events). */
  opened: boolean;
  /** Join and leave tones, one bridge playback at a time. */
  readonly tones: TonePacer;
}

export type EnterRole = 'first' | 'other';
export type FirstPinOutcome = 'set' | 'promoted';
/** 'gone': the caller left on the way in. 'no-bridge': Asterisk had no bridge to add the caller to, even made again. */
export type JoinOutcome = { kind: 'joined'; others: number } | { kind: 'full' } | { kind: 'locked' } | { kind: 'gone' } | { kind: 'no-bridge' };
export type LockOutcome = 'done' | 'unchanged' | 'unknown-room';

/** Who is joining: the member to be, and when they keyed the last key of their PIN. */
export interface Joiner {
  readonly channelId: string;
  readonly callerId: string;
  readonly keyedAt: number;
}

export interface RoomSnapshot {
  readonly room: RoomNumber;
  readonly bridgeId: string;
  readonly createdAt: number;
  readonly pinSet: boolean;
  readonly locked: boolean;
  readonly members: readonly Member[];
  readonly waiting: number;
}

/**
 * The one owner of room state. Decisions (who is first, which PIN, which random number)
 * are taken synchronously, so two callers racing for a room always meet one room;
 * a room's bridge work (its creation, music, destroy) runs through that room's serial queue,
 * while joins run side by side: a room with anyone on the way in is never destroyed.
 */
export class RoomRegistry {
  private readonly rooms = new Map<RoomNumber, Room>();
  private readonly takenByLength = new Map<number, number>([[3, 0], [4, 0]]);
  private readonly queue = new KeyedSerialQueue();

  constructor(
    private readonly bridges: BridgeOps,
    private readonly randomInt: RandomInt,
    private readonly now: () => number,
    private sounds: RoomSounds,
    private readonly persistence: PinPersistence,
    private readonly events: ConferenceEvents,
    /** Every room's joins, app-wide: tones (and the flow's announcements) wait for a burst of them. */
    private readonly joins: JoinsInFlight,
  ) {}

  updateSounds(sounds: RoomSounds): void {
    this.sounds = sounds;
  }

  exists(room: RoomNumber): boolean {
    return this.rooms.has(room);
  }

  /** A caller asks for a room: the first one in sets its PIN, the others are checked against it. */
  enter(room: RoomNumber, sessionId: string): EnterRole {
    let entry = this.rooms.get(room);
    if (!entry) {
      entry = this.create(room);
      // The bridge is made while the first caller keys the PIN, so the join is one request.
      void this.queue.run(room, () => this.ensureBridge(entry!)).catch(() => undefined);
    }
    entry.holders.add(sessionId);
    if (entry.pin === undefined && entry.setter === undefined) {
      entry.setter = sessionId;
      return 'first';
    }
    return 'other';
  }

  /** Draws and reserves a free random room for this caller, or undefined when none is free. */
  reserveRandom(digits: 3 | 4, sessionId: string): RoomNumber | undefined {
    const room = drawRandomRoom(digits, (r) => this.rooms.has(r), this.takenByLength.get(digits) ?? 0, this.randomInt);
    if (room === undefined) return undefined;
    const role = this.enter(room, sessionId);
    if (role !== 'first') throw new Error(`random room ${room} was not free`);
    return room;
  }

  /** The first caller's PIN: kept hashed; everyone waiting for it is released to check theirs. */
  setPin(room: RoomNumber, sessionId: string, pin: string): void {
    const entry = this.rooms.get(room);
    if (!entry || entry.setter !== sessionId) throw new Error(`session ${sessionId} does not hold the PIN of ${room}`);
    entry.pin = hashPin(pin);
    entry.setter = undefined;
    this.persistence.set(room, entry.pin);
    for (const waiter of entry.waiters.splice(0)) waiter.settle('set');
  }

  /**
   * For a caller who is not first: waits while the first caller keys the PIN.
   * 'set': check against it. 'promoted': the first caller left; this caller sets it now.
   * A call already ended (its '#' and its hangup came in one read of the socket) neither waits
   * nor takes the role: its departure has been handled, and nothing would ever give it back.
   */
  awaitFirstPin(room: RoomNumber, sessionId: string, signal: AbortSignal): Promise<FirstPinOutcome> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const entry = this.rooms.get(room);
    if (!entry) return Promise.reject(new Error(`room ${room} is not held`));
    if (entry.pin !== undefined) return Promise.resolve('set');
    if (entry.setter === undefined || entry.setter === sessionId) {
      entry.setter = sessionId;
      return Promise.resolve('promoted');
    }
    return new Promise<FirstPinOutcome>((resolve, reject) => {
      const waiter = {
        sessionId,
        settle: (outcome: FirstPinOutcome) => {
          signal.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      const onAbort = (): void => {
        const index = entry.waiters.indexOf(waiter);
        if (index >= 0) entry.waiters.splice(index, 1);
        reject(signal.reason);
      };
      entry.waiters.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  verifyPin(room: RoomNumber, pin: string): boolean {
    const stored = this.rooms.get(room)?.pin;
    return stored !== undefined && pinMatches(stored, pin);
  }

  /**
   * Puts the caller's channel into the room's bridge. Joins of one room run side by side, so a
   * storm of callers keying '#' together costs each one round trip, not a place in a queue;
   * only the bridge's creation (queued, so it never meets the room's last destroy) is waited for.
   */
  async join(room: RoomNumber, sessionId: string, joiner: Joiner, maxMembers: number): Promise<JoinOutcome> {
    const entry = this.rooms.get(room);
    if (!entry || !entry.holders.has(sessionId)) return { kind: 'gone' };
    // A room locked while this caller keyed the PIN refuses them too.
    if (entry.locked) return { kind: 'locked' };
    if (entry.members.size + entry.joining >= maxMembers) return { kind: 'full' };
    entry.joining++;
    const joinEnded = this.joins.begin();
    let added: AddOutcome = 'caller-gone';
    try {
      added = await this.addToBridge(entry, sessionId, joiner.channelId);
    } finally {
      entry.joining--;
      joinEnded();
    }
    // The caller may have hung up while being added: its departure found no member to remove.
    if (added !== 'added' || !entry.holders.has(sessionId)) {
      // Music held back for this newcomer is due after all if one participant is left alone.
      void this.queue.run(room, () => this.musicIfAlone(entry));
      return { kind: added === 'bridge-gone' && entry.holders.has(sessionId) ? 'no-bridge' : 'gone' };
    }
    if (entry.members.size > 0) this.tone(entry, this.sounds.joinTone);
    const joinedAt = this.now();
    if (!entry.opened) {
      entry.opened = true;
      entry.createdAt = joinedAt;
      this.events.publish({ type: 'room-created', at: joinedAt, room });
    }
    entry.members.set(joiner.channelId, { channelId: joiner.channelId, callerId: joiner.callerId, joinedAt, muted: false });
    entry.holders.delete(sessionId);
    const others = entry.members.size - 1;
    this.events.publish({ type: 'joined', at: joinedAt, room, channel: joiner.channelId, callerId: joiner.callerId, others, keyedAt: joiner.keyedAt });
    return { kind: 'joined', others };
  }

  /** After the lone caller's announcement: music on hold until someone arrives. */
  startHoldMusicIfAlone(room: RoomNumber): Promise<void> {
    const entry = this.rooms.get(room);
    return entry ? this.queue.run(room, () => this.musicIfAlone(entry)) : Promise.resolve();
  }

  /**
   * The caller's session ended (hangup, refusal, leave key): whatever it held is given back.
   * The first-PIN role passes on at once; bridge work waits for any join still under way.
   */
  depart(room: RoomNumber, sessionId: string, channelId: string): Promise<void> {
    const entry = this.rooms.get(room);
    if (!entry) return Promise.resolve();
    entry.holders.delete(sessionId);
    if (entry.setter === sessionId) {
      entry.setter = undefined;
      const next = entry.waiters.shift();
      if (next) {
        entry.setter = next.sessionId;
        next.settle('promoted');
      }
    }
    return this.queue.run(room, async () => {
      const member = entry.members.get(channelId);
      const wasMember = entry.members.delete(channelId);
      if (member) this.events.publish({ type: 'left', at: this.now(), room, channel: channelId, callerId: member.callerId, joinedAt: member.joinedAt });
      if (this.isIdle(entry)) {
        this.forget(entry);
        if (entry.bridgeUp) {
          entry.bridgeUp = false;
          await this.bridges.destroy(entry.bridgeId);
        }
        return;
      }
      if (!wasMember || entry.members.size === 0) return;
      this.tone(entry, this.sounds.leaveTone);
      await this.musicIfAlone(entry);
    });
  }

  /**
   * After a restart: takes over a bridge that still holds participants. Without a stored PIN
   * the room is closed to newcomers (an unguessable PIN) rather than opened to anyone.
   */
  adopt(room: RoomNumber, bridgeId: string, pin: PinHash | undefined, members: ReadonlyArray<Omit<Member, 'muted'>>): boolean {
    if (this.rooms.has(room)) return false;
    const entry = this.create(room);
    entry.bridgeId = bridgeId;
    entry.pin = pin ?? hashPin(randomUUID());
    entry.bridgeUp = true;
    entry.opened = true;
    for (const member of members) entry.members.set(member.channelId, { ...member, muted: false });
    return true;
  }

  /** An operator locks or unlocks a room: a locked room refuses newcomers, its participants stay. */
  setLocked(room: RoomNumber, locked: boolean): LockOutcome {
    const entry = this.rooms.get(room);
    if (!entry) return 'unknown-room';
    if (entry.locked === locked) return 'unchanged';
    entry.locked = locked;
    return 'done';
  }

  isLocked(room: RoomNumber): boolean {
    return this.rooms.get(room)?.locked ?? false;
  }

  isMember(room: RoomNumber, channelId: string): boolean {
    return this.rooms.get(room)?.members.has(channelId) ?? false;
  }

  /** Conferences (rooms someone has joined) and their participants, for the gauges. */
  liveCounts(): { rooms: number; participants: number } {
    let rooms = 0;
    let participants = 0;
    for (const entry of this.rooms.values()) {
      if (entry.members.size === 0) continue;
      rooms++;
      participants += entry.members.size;
    }
    return { rooms, participants };
  }

  memberCount(room: RoomNumber): number {
    return this.rooms.get(room)?.members.size ?? 0;
  }

  /** Records a participant's mute state; false when that participant is not in the room. */
  setMuted(room: RoomNumber, channelId: string, muted: boolean): boolean {
    const member = this.rooms.get(room)?.members.get(channelId);
    if (!member) return false;
    member.muted = muted;
    return true;
  }

  isMuted(room: RoomNumber, channelId: string): boolean {
    return this.rooms.get(room)?.members.get(channelId)?.muted ?? false;
  }

  /** Channels the registry counts in a room, to compare with what the bridge really holds. */
  membersOf(room: RoomNumber): string[] {
    return [...(this.rooms.get(room)?.members.keys() ?? [])];
  }

  snapshot(): RoomSnapshot[] {
    return [...this.rooms.values()].map((entry) => this.snapshotOf(entry));
  }

  snapshotOfRoom(room: RoomNumber): RoomSnapshot | undefined {
    const entry = this.rooms.get(room);
    return entry && this.snapshotOf(entry);
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Settles when every queued bridge operation has run (tests, shutdown). */
  get pendingOperations(): number {
    return this.queue.size;
  }

  private snapshotOf(entry: Room): RoomSnapshot {
    return {
      room: entry.room,
      bridgeId: entry.bridgeId,
      createdAt: entry.createdAt,
      pinSet: entry.pin !== undefined,
      locked: entry.locked,
      members: [...entry.members.values()].map((m) => ({ ...m })),
      waiting: entry.waiters.length,
    };
  }

  private create(room: RoomNumber): Room {
    const entry: Room = {
      room,
      createdAt: this.now(),
      pin: undefined,
      bridgeId: bridgeIdFor(room),
      setter: undefined,
      waiters: [],
      holders: new Set(),
      members: new Map(),
      bridgeUp: false,
      joining: 0,
      mohOn: false,
      locked: false,
      opened: false,
      tones: new TonePacer((media) => this.playTone(entry, media), this.now, TONE_SPACING_MS),
    };
    this.rooms.set(room, entry);
    this.takenByLength.set(room.length, (this.takenByLength.get(room.length) ?? 0) + 1);
    return entry;
  }

  private forget(entry: Room): void {
    if (this.rooms.get(entry.room) !== entry) return;
    this.rooms.delete(entry.room);
    entry.tones.close();
    if (entry.pin) this.persistence.delete(entry.room);
    if (entry.opened) this.events.publish({ type: 'room-destroyed', at: this.now(), room: entry.room, createdAt: entry.createdAt });
    this.takenByLength.set(entry.room.length, (this.takenByLength.get(entry.room.length) ?? 1) - 1);
  }

  /** Creates the room's bridge unless it is up, or the room was given up meanwhile. */
  private async ensureBridge(entry: Room): Promise<void> {
    if (entry.bridgeUp || this.rooms.get(entry.room) !== entry) return;
    entry.bridgeId = await this.bridges.create(entry.room);
    entry.bridgeUp = true;
  }

  /** The bridge part of a join: the bridge made if it is not up yet, the music off, the channel in. */
  private async addToBridge(entry: Room, sessionId: string, channelId: string): Promise<AddOutcome> {
    // Through the queue even when the bridge is up: bridge work under way (its creation, music
    // being started) ends before the addChannel goes out. A storm's joins find the queue empty.
    await this.queue.run(entry.room, () => this.ensureBridge(entry));
    // Music stops while the newcomer is being added: two requests in flight, not one after the other.
    const mohStopped = entry.mohOn ? this.bridges.stopMoh(entry.bridgeId) : undefined;
    entry.mohOn = false;
    let added = await this.bridges.addChannel(entry.bridgeId, channelId);
    if (added === 'bridge-gone' && entry.holders.has(sessionId)) {
      // Someone deleted the room's bridge (an operator at the CLI): make it again, once.
      entry.bridgeUp = false;
      await this.queue.run(entry.room, () => this.ensureBridge(entry));
      added = await this.bridges.addChannel(entry.bridgeId, channelId);
    }
    await mohStopped;
    return added;
  }

  /** One participant alone and nobody on the way in: music until someone arrives. Runs in the room's queue. */
  private async musicIfAlone(entry: Room): Promise<void> {
    if (this.rooms.get(entry.room) !== entry || entry.members.size !== 1 || entry.joining > 0 || entry.mohOn) return;
    entry.mohOn = true;
    await this.bridges.startMoh(entry.bridgeId);
  }

  /**
   * A tone goes out once a burst of joins has gone through (a bridge playback adds a channel to
   * the bridge, and slows the joins still pending), and only if someone is there to hear it.
   */
  private async playTone(entry: Room, media: string): Promise<void> {
    await this.joins.settled();
    if (entry.members.size > 0 && this.rooms.get(entry.room) === entry) await this.bridges.playToBridge(entry.bridgeId, media);
  }

  private tone(entry: Room, media: string | undefined): void {
    if (media) entry.tones.request(media);
  }

  private isIdle(entry: Room): boolean {
    return entry.members.size === 0 && entry.holders.size === 0 && entry.setter === undefined && entry.waiters.length === 0;
  }
}
