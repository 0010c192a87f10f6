import { actionForKey, ConferenceAction } from '../domain/conferenceKeys';
import { Settings } from '../config/schema';
import { Logger } from '../logger';
import { CallIO } from './callIO';
import { CallEnded, CallSession } from './callSession';
import { digitsOf, helpAnnouncement, othersAnnouncement, Sound } from './media';
import { ChannelControl } from './ports';
import { RoomRegistry } from './roomRegistry';

export interface InConferenceDeps {
  readonly settings: Settings;
  readonly rooms: RoomRegistry;
  readonly ari: ChannelControl;
  readonly log: Logger;
}

/**
 * Keys while in a room: mute, participant count, room number, help, leave.
 * One action at a time, in the order keyed; the call's end stops them all.
 */
export function listenInConference(session: CallSession, room: string, io: CallIO, deps: InConferenceDeps): void {
  let queue = Promise.resolve();
  session.listen((key) => {
    const action = actionForKey(deps.settings.conferenceKeys, key);
    if (!action) return;
    queue = queue
      .then(() => perform(action, session, room, io, deps))
      .catch((error: unknown) => {
        if (error instanceof CallEnded) return;
        deps.log.error('in-conference key failed', { call: session.id, event: 'key-failed', action, error: String(error) });
      });
  });
  session.replayTypeahead();
}

async function perform(action: ConferenceAction, session: CallSession, room: string, io: CallIO, deps: InConferenceDeps): Promise<void> {
  deps.log.info('conference key', { call: session.id, event: 'key', action, room });
  switch (action) {
    case 'toggleMute': {
      const muted = !deps.rooms.isMuted(room, session.id);
      await setMute(deps, room, session.id, muted);
      return io.play([muted ? Sound.muted : Sound.unmuted]);
    }
    case 'participantCount':
      return io.play(othersAnnouncement(deps.rooms.memberCount(room) - 1));
    case 'roomNumber':
      return io.play([Sound.yourNumberIs, digitsOf(room)]);
    case 'help':
      return io.play(helpAnnouncement(deps.settings.conferenceKeys));
    case 'leave':
      await io.play([Sound.goodbye]);
      return io.hangup();
  }
}

/** Mutes or unmutes what a participant says into the room (keys, admin API). */
export async function setMute(
  deps: Pick<InConferenceDeps, 'rooms' | 'ari'>,
  room: string,
  channelId: string,
  muted: boolean,
): Promise<boolean> {
  if (!(await deps.ari.muteChannel(channelId, muted))) return false;
  return deps.rooms.setMuted(room, channelId, muted);
}
