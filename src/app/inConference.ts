import { actionForKey, ConferenceAction, isLeaderAction, KeyContext } from '../domain/conferenceKeys';
import { Settings } from '../config/schema';
import { CallIO } from './callIO';
import { CallEnded, CallSession } from './callSession';
import { LeaderDeps, performLeaderAction, setMute } from './leaderActions';
import { askToSpeak, digitsOf, helpAnnouncement, numberOf, othersAnnouncement, Sound } from './media';

/** A leader's deps, the keys read from the settings in force when the call arrived. */
export interface InConferenceDeps extends Omit<LeaderDeps, 'keys'> {
  readonly settings: Settings;
}

/**
 * Keys while in a room: everyone's (mute, participant count, room number, help, leave), a
 * participant's hand in a room with leaders, and a leader's own. One action at a time, in the
 * order keyed; the call's end stops them all.
 */
export function listenInConference(session: CallSession, room: string, io: CallIO, deps: InConferenceDeps): void {
  let queue = Promise.resolve();
  session.listen((key) => {
    const context = deps.rooms.keyContext(room, session.id);
    const action = actionForKey(deps.settings.conferenceKeys, key, context);
    if (!action) return;
    queue = queue
      .then(() => perform(action, context, session, room, io, deps))
      .catch((error: unknown) => {
        if (error instanceof CallEnded) return;
        deps.log.error('in-conference key failed', { call: session.id, event: 'key-failed', action, error: String(error) });
      });
  });
  session.replayTypeahead();
}

async function perform(
  action: ConferenceAction,
  context: KeyContext,
  session: CallSession,
  room: string,
  io: CallIO,
  deps: InConferenceDeps,
): Promise<void> {
  const { rooms, settings } = deps;
  deps.log.info('conference key', { call: session.id, event: 'key', action, room });
  if (isLeaderAction(action)) {
    return performLeaderAction(action, session.id, room, io, { ...deps, keys: settings.conferenceKeys });
  }
  switch (action) {
    case 'toggleMute': {
      const muted = !rooms.isMuted(room, session.id);
      // In lecture mode a participant asks to speak; the leader unmutes them.
      if (!muted && context.role === 'participant' && rooms.isLecture(room)) {
        return io.play([Sound.mutedByLeader, ...askToSpeak(settings.conferenceKeys)]);
      }
      await setMute(deps, room, session.id, muted);
      return io.play([muted ? Sound.muted : Sound.unmuted]);
    }
    case 'toggleHand':
      return toggleHand(session.id, room, io, deps);
    case 'participantCount':
      return io.play(othersAnnouncement(rooms.memberCount(room) - 1));
    case 'roomNumber':
      return io.play([Sound.yourNumberIs, digitsOf(room)]);
    case 'help': {
      // A leader hears the raised hands first.
      const hands = rooms.raisedHands(room).length;
      const handsTold = context.role !== 'leader' ? [] : hands === 0 ? [Sound.noHands] : [Sound.handsRaised, numberOf(hands)];
      return io.play([...handsTold, ...helpAnnouncement(settings.conferenceKeys, context)]);
    }
    case 'leave':
      await io.play([Sound.goodbye]);
      return io.hangup();
  }
}

/** Raises or lowers the participant's hand; the leaders hear "a hand is raised" once for it. */
async function toggleHand(channelId: string, room: string, io: CallIO, deps: InConferenceDeps): Promise<void> {
  const { rooms } = deps;
  const raised = !rooms.isHandRaised(room, channelId);
  rooms.setHand(room, channelId, raised, deps.now());
  deps.log.info(raised ? 'hand raised' : 'hand lowered', { call: channelId, event: 'hand', room, raised });
  deps.events.publish({ type: 'hand', at: deps.now(), room, channel: channelId, raised });
  if (raised) for (const leader of rooms.withRole(room, 'leader')) void deps.tell(leader, [Sound.aHandIsRaised]);
  return io.play([raised ? Sound.handRaised : Sound.handLowered]);
}
