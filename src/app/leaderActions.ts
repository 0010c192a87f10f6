import { KeyMap, LeaderAction as LeaderKey } from '../domain/conferenceKeys';
import { EntryMode } from '../domain/digitCollector';
import { RoomNumber } from '../domain/types';
import { Logger } from '../logger';
import { CallIO } from './callIO';
import { ConferenceEvents, LeaderAction } from './conferenceEvents';
import { askToSpeak, Sound } from './media';
import { ChannelControl } from './ports';
import { endConference } from './roomEnd';
import { RoomRecordings } from './roomRecordings';
import { RoomRegistry } from './roomRegistry';
import { DialOut, inviteStartSound } from './dialOut';

/** Plays a prompt to one participant's channel; settles when it has played (or could not). */
export type Tell = (channelId: string, media: readonly string[]) => Promise<void>;

export interface LeaderDeps {
  readonly rooms: RoomRegistry;
  readonly ari: ChannelControl;
  readonly tell: Tell;
  readonly events: ConferenceEvents;
  readonly log: Logger;
  readonly now: () => number;
  readonly keys: KeyMap;
  readonly recordings: Pick<RoomRecordings, 'of' | 'start' | 'stop'>;
  readonly dialOut: Pick<DialOut, 'invite'>;
}

/** A number to call: up to 32 digits, then '#'. */
const NUMBER_ENTRY: EntryMode = { kind: 'number', maxLength: 32 };

/** 'unchanged': lecture mode already was so. */
export type LectureOutcome = 'done' | 'unchanged' | 'unknown-room';

/**
 * Lecture mode (a leader's key, or the admin API): on, every participant but the leaders is muted
 * and told how to ask to speak; off, they are all unmuted and told so. Newcomers join muted while
 * it is on (callerFlow).
 */
export async function setLecture(
  deps: Pick<LeaderDeps, 'rooms' | 'ari' | 'tell' | 'keys'>,
  room: RoomNumber,
  on: boolean,
): Promise<LectureOutcome> {
  const { rooms } = deps;
  if (!rooms.holds(room)) return 'unknown-room';
  if (!rooms.setLecture(room, on)) return 'unchanged';
  const told = on ? [Sound.mutedByLeader, ...askToSpeak(deps.keys)] : [Sound.unmuted];
  await Promise.all(
    rooms.withRole(room, 'participant').map(async (channelId) => {
      const changed = rooms.isMuted(room, channelId) !== on && (await setMute(deps, room, channelId, on));
      // Lecture mode concerns every participant, muted already or not: none may unmute now.
      if (changed || on) void deps.tell(channelId, told);
    }),
  );
  return 'done';
}

/** A leader's key, done, told to the leader and to whom it concerns, and written to the events log. */
export async function performLeaderAction(
  action: LeaderKey,
  leader: string,
  room: RoomNumber,
  io: CallIO,
  deps: LeaderDeps,
): Promise<void> {
  const { rooms } = deps;
  switch (action) {
    case 'toggleLock': {
      const locked = !(rooms.snapshotOfRoom(room)?.locked ?? false);
      await rooms.setLocked(room, locked);
      record(deps, room, locked ? 'lock' : 'unlock', leader);
      return io.play([locked ? Sound.lockedNow : Sound.unlockedNow]);
    }
    case 'toggleLecture': {
      const on = !rooms.isLecture(room);
      await setLecture(deps, room, on);
      record(deps, room, on ? 'lecture-on' : 'lecture-off', leader);
      return io.play([on ? Sound.allMuted : Sound.allUnmuted]);
    }
    case 'unmuteNextHand': {
      const next = rooms.raisedHands(room)[0];
      if (next === undefined) return io.play([Sound.noHands]);
      rooms.setHand(room, next, false, deps.now());
      await setMute(deps, room, next, false);
      record(deps, room, 'unmute-hand', leader, next);
      void deps.tell(next, [Sound.youMaySpeak]);
      return io.play([Sound.handUnmuted]);
    }
    case 'removeLast': {
      const last = rooms.withRole(room, 'participant').at(-1);
      if (last === undefined) return io.play([Sound.nobodyToRemove]);
      record(deps, room, 'remove', leader, last);
      // The next press removes the one before: this one is gone once told.
      await Promise.all([deps.tell(last, [Sound.removed]).then(() => deps.ari.hangup(last)), io.play([Sound.lastRemoved])]);
      return;
    }
    case 'endConference':
      return endConference(deps, room, 'ended-by-leader', leader);
    case 'toggleRecording': {
      // The room hears the start ("this conference is now being recorded") and the stop (a tone).
      if (deps.recordings.of(room)) {
        await deps.recordings.stop(room, 'stopped', leader);
        return;
      }
      const started = await deps.recordings.start(room, 'leader', leader);
      if (started.kind !== 'started' && started.kind !== 'already') return io.play([Sound.recordingUnavailable]);
      return;
    }
    case 'dialOut': {
      // The number's keys go to this entry; the room's keys are the leader's again after it.
      const entry = await io.prompt([Sound.enterNumberToCall], NUMBER_ENTRY);
      if (entry.type !== 'complete') return io.play([Sound.noNumber]);
      return io.play(inviteStartSound(await deps.dialOut.invite(room, entry.value, 'leader', leader), entry.value));
    }
  }
}

/** Mutes or unmutes what a participant says into the room (keys, leaders, admin API). */
export async function setMute(
  deps: { readonly rooms: RoomRegistry; readonly ari: Pick<ChannelControl, 'muteChannel'> },
  room: RoomNumber,
  channelId: string,
  muted: boolean,
): Promise<boolean> {
  // A participant on hold stays muted towards the room until they are back (participantStates).
  if (!(await deps.ari.muteChannel(channelId, muted || deps.rooms.isHeld(room, channelId)))) return false;
  return deps.rooms.setMuted(room, channelId, muted);
}

function record(deps: LeaderDeps, room: RoomNumber, action: LeaderAction, leader: string, target?: string): void {
  deps.log.info('leader action', { event: 'leader', action, room, call: leader, target });
  deps.events.publish({ type: 'leader', at: deps.now(), room, action, channel: leader, target });
}
