import { EventEmitter } from 'node:events';
import { Refusal } from '../domain/admission';
import { Role } from '../domain/permanentRooms';
import { CallerKind, RoomNumber } from '../domain/types';
import { DialOutOutcome } from '../domain/dialOut';

/** Why a caller did not get into a room (the admission refusals, and the room's own). */
export type RefusalReason =
  | Refusal
  | 'too-many-rooms'
  | 'no-free-room'
  | 'room-full'
  | 'room-locked'
  | 'pin-locked'
  | 'no-bridge'
  | 'room-elsewhere'
  | 'store-unavailable';

/** Why a conference was ended for everyone in it. */
export type RoomEndReason = 'leader-left' | 'ended-by-leader' | 'ended-by-admin';

/** Who called someone into a room: a leader's key, or the admin API. */
export type DialOutBy = 'leader' | 'admin';

/** Who started a recording: a leader's key, the admin API, or a permanent room's `record` option. */
export type RecordingStartedBy = 'leader' | 'admin' | 'room-option';
/**
 * Why a recording ended: stopped (a leader or the admin), the room ended, its longest length
 * (recording.maxMinutes), Asterisk failed it, too little free space, or found after an app restart.
 */
export type RecordingStopReason = 'stopped' | 'room-ended' | 'max-duration' | 'failed' | 'disk-low' | 'recovered';

/** What a leader did with their keys. */
export type LeaderAction = 'lock' | 'unlock' | 'lecture-on' | 'lecture-off' | 'unmute-hand' | 'remove';

/** What an operator did to a room through the status API. */
export type AdminAction = 'kick' | 'mute' | 'unmute' | 'lock' | 'unlock' | 'mute-all' | 'unmute-all' | 'end';

/**
 * What happens in the service, as facts with times (epoch ms) and caller ids, never a PIN.
 * The metrics and the events log listen; the room registry and the caller flow publish.
 */
export type ConferenceEvent =
  | { readonly type: 'call'; readonly at: number; readonly channel: string; readonly callerId: string; readonly callerKind: CallerKind }
  | { readonly type: 'room-created'; readonly at: number; readonly room: RoomNumber }
  | {
      readonly type: 'joined';
      readonly at: number;
      readonly room: RoomNumber;
      readonly channel: string;
      readonly callerId: string;
      readonly others: number;
      readonly keyedAt: number;
      readonly role: Role;
    }
  | {
      readonly type: 'left';
      readonly at: number;
      readonly room: RoomNumber;
      readonly channel: string;
      readonly callerId: string;
      readonly joinedAt: number;
    }
  | { readonly type: 'room-destroyed'; readonly at: number; readonly room: RoomNumber; readonly createdAt: number }
  /** The conference was ended for everyone in it; `channel`: the leader who ended it. */
  | {
      readonly type: 'room-ended';
      readonly at: number;
      readonly room: RoomNumber;
      readonly reason: RoomEndReason;
      readonly hungUp: number;
      readonly channel: string | undefined;
    }
  /** A leader's key: `channel` the leader, `target` the participant it concerned (unmuted, removed). */
  | {
      readonly type: 'leader';
      readonly at: number;
      readonly room: RoomNumber;
      readonly action: LeaderAction;
      readonly channel: string;
      readonly target: string | undefined;
    }
  /** A participant raised or lowered their hand. */
  | { readonly type: 'hand'; readonly at: number; readonly room: RoomNumber; readonly channel: string; readonly raised: boolean }
  /** A room's recording began: `file` is where it will be once it ends; `channel` the leader who started it. */
  | {
      readonly type: 'recording-started';
      readonly at: number;
      readonly room: RoomNumber;
      readonly name: string;
      readonly file: string;
      readonly by: RecordingStartedBy;
      readonly channel: string | undefined;
    }
  /** A room's recording ended and is saved in `file`. */
  | {
      readonly type: 'recording-stopped';
      readonly at: number;
      readonly room: RoomNumber;
      readonly name: string;
      readonly file: string;
      readonly durationSeconds: number;
      readonly reason: RecordingStopReason;
      readonly channel: string | undefined;
    }
  /**
   * A call out of the room (dial-out) ended: `outcome` says how; `by` who made it (`channel`: the
   * leader's). `not-allowed` and `too-many`: refused before any call was made.
   */
  | {
      readonly type: 'dial-out';
      readonly at: number;
      readonly room: RoomNumber;
      readonly number: string;
      readonly by: DialOutBy;
      readonly channel: string | undefined;
      readonly outcome: DialOutOutcome | 'not-allowed' | 'too-many';
    }
  /** A participant's phone put the call on hold (muted towards the room meanwhile) or took it off. */
  | { readonly type: 'hold'; readonly at: number; readonly room: RoomNumber; readonly channel: string; readonly held: boolean }
  | {
      readonly type: 'refused';
      readonly at: number;
      readonly reason: RefusalReason;
      readonly room: RoomNumber | undefined;
      readonly channel: string;
      readonly callerId: string;
    }
  | {
      /** The caller landed here for a room another node mixes, and was passed on to that node (`home`). */
      readonly type: 'passed-on';
      readonly at: number;
      readonly room: RoomNumber;
      readonly channel: string;
      readonly callerId: string;
      readonly home: string;
    }
  | {
      readonly type: 'wrong-pin';
      readonly at: number;
      readonly room: RoomNumber;
      readonly channel: string;
      readonly callerId: string;
      readonly lockedOut: boolean;
    }
  | {
      readonly type: 'admin';
      readonly at: number;
      readonly action: AdminAction;
      readonly room: RoomNumber;
      readonly channel: string | undefined;
    }
  | {
      readonly type: 'admin';
      readonly at: number;
      readonly action: 'clear-lockout';
      readonly callerId: string;
      readonly wasLockedOut: boolean;
    }
  | {
      readonly type: 'admin';
      readonly at: number;
      readonly action: 'drain' | 'undrain';
      readonly node: string;
    };

/** One bus for the app's events; listeners run synchronously, so they must be cheap. */
export class ConferenceEvents extends EventEmitter<{ event: [ConferenceEvent] }> {
  publish(event: ConferenceEvent): void {
    this.emit('event', event);
  }
}
