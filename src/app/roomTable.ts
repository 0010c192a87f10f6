import { KeyContext } from '../domain/conferenceKeys';
import { PermanentRoom, Role } from '../domain/permanentRooms';
import { RoomNumber } from '../domain/types';
import { FirstPinTurn } from './firstPinTurn';
import { LeaderGate } from './leaderGate';
import { RoomBridge } from './roomMedia';
import { RoomStateStore } from './roomStateStore';

export interface Member {
  readonly channelId: string;
  readonly callerId: string;
  readonly joinedAt: number;
  readonly role: Role;
  muted: boolean;
  /** When the participant raised their hand; undefined while it is down. */
  handRaisedAt: number | undefined;
  /** Their phone has put the call on hold: muted towards the room meanwhile (participantStates). */
  held: boolean;
  /** When Asterisk heard them start talking; undefined while they are quiet. */
  talkingSince: number | undefined;
  /** Their recorded name (spoken names), announced as they join and leave; undefined: the tones. */
  spokenName: string | undefined;
}

/** A member's marks as they join: no hand raised, not on hold, quiet. */
export const UNMARKED = { handRaisedAt: undefined, held: false, talkingSince: undefined } as const;

/** A room from the first caller who asks for it until the last one has gone. */
export interface Room extends RoomBridge {
  /** When asked for; reset to the first join, when the conference really begins. */
  createdAt: number;
  /** Who keys the room's first PIN, and who waits for it. */
  readonly firstPin: FirstPinTurn;
  /** Sessions on their way in (keying, waiting, joining): they keep the number taken. */
  readonly holders: Set<string>;
  readonly members: Map<string, Member>;
  /** Someone has joined: from then on the room is a conference (created and destroyed events). */
  opened: boolean;
  /** The PIN is set (or being written): later callers check theirs rather than wait for the first. */
  pinSet: boolean;
  /** As in the store, which this app's operator changes go through: newcomers are refused. */
  locked: boolean;
  /** The settings' room of this number when the room began (kept, updated, until it empties); undefined: spontaneous. */
  permanent: PermanentRoom | undefined;
  /** Open while a leader is in: a room that waits for its leader lets its participants in. */
  readonly leaderGate: LeaderGate;
  /** A leader muted every participant: they ask to speak by raising a hand rather than unmute themselves. */
  lecture: boolean;
}

export interface RoomSnapshot {
  readonly room: RoomNumber;
  readonly bridgeId: string;
  readonly createdAt: number;
  readonly pinSet: boolean;
  readonly locked: boolean;
  readonly permanent: boolean;
  readonly lecture: boolean;
  readonly members: readonly Member[];
  /** Callers waiting for the first caller's PIN. */
  readonly waiting: number;
  readonly waitingForLeader: number;
}

export type LockOutcome = 'done' | 'unchanged' | 'unknown-room';

export interface LiveCounts {
  readonly rooms: number;
  readonly permanentRooms: number;
  readonly lectureRooms: number;
  /** Leaders included. */
  readonly participants: number;
  readonly leaders: number;
  readonly handsRaised: number;
  readonly onHold: number;
  readonly talking: number;
}

/**
 * The rooms this app holds, as the operator, the gauges and a participant's keys read and mark
 * them; the RoomRegistry, built on it, is the only one to create, join and destroy them.
 */
export class RoomTable {
  protected readonly rooms = new Map<RoomNumber, Room>();

  constructor(protected readonly state: RoomStateStore) {}

  /** The room is held by this app. */
  holds(room: RoomNumber): boolean {
    return this.rooms.has(room);
  }

  /** An operator locks or unlocks a room: a locked room refuses newcomers, its participants stay. */
  async setLocked(room: RoomNumber, locked: boolean): Promise<LockOutcome> {
    const entry = this.rooms.get(room);
    if (!entry) return 'unknown-room';
    // Marked here first: a caller joining while the store answers is refused too.
    const was = entry.locked;
    entry.locked = locked;
    const changed = await this.state.setLocked(room, locked);
    return changed || was !== locked ? 'done' : 'unchanged';
  }

  isMember(room: RoomNumber, channelId: string): boolean {
    return this.rooms.get(room)?.members.has(channelId) ?? false;
  }

  /** Conferences (rooms someone has joined), how many of them permanent, their participants and leaders, for the gauges. */
  liveCounts(): LiveCounts {
    const counts = { rooms: 0, permanentRooms: 0, lectureRooms: 0, participants: 0, leaders: 0, handsRaised: 0, onHold: 0, talking: 0 };
    for (const entry of this.rooms.values()) {
      if (entry.members.size === 0) continue;
      counts.rooms++;
      if (entry.permanent) counts.permanentRooms++;
      if (entry.lecture) counts.lectureRooms++;
      counts.participants += entry.members.size;
      for (const member of entry.members.values()) {
        if (member.role === 'leader') counts.leaders++;
        if (member.handRaisedAt !== undefined) counts.handsRaised++;
        if (member.held) counts.onHold++;
        if (member.talkingSince !== undefined) counts.talking++;
      }
    }
    return counts;
  }

  /** The rooms started since `since` (for placement: they fill up soon). */
  roomsStartedSince(since: number): number {
    let started = 0;
    for (const entry of this.rooms.values()) if (entry.createdAt >= since) started++;
    return started;
  }

  memberCount(room: RoomNumber): number {
    return this.rooms.get(room)?.members.size ?? 0;
  }

  /** Records a participant's mute state; false when that participant is not in the room. */
  setMuted(room: RoomNumber, channelId: string, muted: boolean): boolean {
    const member = this.rooms.get(room)?.members.get(channelId);
    if (!member) return false;
    member.muted = muted;
    // Muted, their audio no longer reaches talk detection either (it is dropped as Asterisk reads it).
    if (muted) member.talkingSince = undefined;
    return true;
  }

  isMuted(room: RoomNumber, channelId: string): boolean {
    return this.rooms.get(room)?.members.get(channelId)?.muted ?? false;
  }

  /** Marks a participant on hold or back: false when it already was so (or they are not in the room). */
  setHeld(room: RoomNumber, channelId: string, held: boolean): boolean {
    const member = this.rooms.get(room)?.members.get(channelId);
    if (!member || member.held === held) return false;
    member.held = held;
    if (held) member.talkingSince = undefined;
    return true;
  }

  /** A participant's recorded name, found again in Asterisk after a restart. */
  setSpokenName(room: RoomNumber, channelId: string, name: string): void {
    const member = this.rooms.get(room)?.members.get(channelId);
    if (member) member.spokenName = name;
  }

  isHeld(room: RoomNumber, channelId: string): boolean {
    return this.rooms.get(room)?.members.get(channelId)?.held ?? false;
  }

  /**
   * Marks a participant talking since `since`, or quiet (undefined). A start while talking keeps
   * the first; one while muted or on hold is not talk the room hears.
   */
  setTalking(room: RoomNumber, channelId: string, since: number | undefined): void {
    const member = this.rooms.get(room)?.members.get(channelId);
    if (!member) return;
    if (since === undefined) member.talkingSince = undefined;
    else if (member.talkingSince === undefined && !member.muted && !member.held) member.talkingSince = since;
  }

  /** Who presses a key in the room: their role, and whether the room has leaders at all. */
  keyContext(room: RoomNumber, channelId: string): KeyContext {
    const entry = this.rooms.get(room);
    const role = entry?.members.get(channelId)?.role ?? 'participant';
    return { role, ledRoom: (entry?.permanent?.leaderPin ?? '') !== '' };
  }

  isLecture(room: RoomNumber): boolean {
    return this.rooms.get(room)?.lecture ?? false;
  }

  /** Marks lecture mode on or off: false when it already was so, or the room is not held. */
  setLecture(room: RoomNumber, on: boolean): boolean {
    const entry = this.rooms.get(room);
    if (!entry || entry.lecture === on) return false;
    entry.lecture = on;
    return true;
  }

  /** Raises or lowers a participant's hand: false when it already was so (or they are not in the room). */
  setHand(room: RoomNumber, channelId: string, raised: boolean, now: number): boolean {
    const member = this.rooms.get(room)?.members.get(channelId);
    if (!member || (member.handRaisedAt !== undefined) === raised) return false;
    member.handRaisedAt = raised ? now : undefined;
    return true;
  }

  isHandRaised(room: RoomNumber, channelId: string): boolean {
    return this.rooms.get(room)?.members.get(channelId)?.handRaisedAt !== undefined;
  }

  /** The participants with a hand raised, the longest raised first. */
  raisedHands(room: RoomNumber): string[] {
    return this.membersWhere(room, (m) => m.handRaisedAt !== undefined)
      .sort((a, b) => (a.handRaisedAt as number) - (b.handRaisedAt as number))
      .map((m) => m.channelId);
  }

  /** The room's members of one role, in the order they joined. */
  withRole(room: RoomNumber, role: Role): string[] {
    return this.membersWhere(room, (m) => m.role === role).map((m) => m.channelId);
  }

  private membersWhere(room: RoomNumber, wanted: (member: Member) => boolean): Member[] {
    return [...(this.rooms.get(room)?.members.values() ?? [])].filter(wanted);
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

  protected snapshotOf(entry: Room): RoomSnapshot {
    return {
      room: entry.room,
      bridgeId: entry.bridgeId,
      createdAt: entry.createdAt,
      pinSet: entry.pinSet,
      locked: entry.locked,
      permanent: entry.permanent !== undefined,
      lecture: entry.lecture,
      members: [...entry.members.values()].map((m) => ({ ...m })),
      waiting: entry.firstPin.waiting,
      waitingForLeader: entry.leaderGate.waiting,
    };
  }
}
