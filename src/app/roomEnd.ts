import { setTimeout as sleep } from 'node:timers/promises';
import { RoomNumber } from '../domain/types';
import { Logger } from '../logger';
import { ConferenceEvents, RoomEndReason } from './conferenceEvents';
import { Sound } from './media';
import { ChannelControl } from './ports';
import { RoomRegistry } from './roomRegistry';

export interface RoomEndDeps {
  readonly rooms: RoomRegistry;
  readonly ari: ChannelControl;
  readonly events: ConferenceEvents;
  readonly log: Logger;
  readonly now: () => number;
}

/**
 * How each ending goes: what the room hears, how long before everyone is hung up (the prompt, and
 * a moment to say goodbye), and whether a leader back by then keeps the conference going.
 */
const ENDINGS: Readonly<Record<RoomEndReason, { sound: string; graceMs: number; unlessLeaderBack: boolean }>> = {
  // A leader whose phone dropped can redial.
  'leader-left': { sound: Sound.leaderHasLeft, graceMs: 5000, unlessLeaderBack: true },
  'ended-by-leader': { sound: Sound.conferenceEnded, graceMs: 3000, unlessLeaderBack: false },
  'ended-by-admin': { sound: Sound.conferenceEnded, graceMs: 3000, unlessLeaderBack: false },
};

/** The conference ends for everyone in it: they hear why, and are hung up after a grace. `by`: the leader's channel. */
export async function endConference(deps: RoomEndDeps, room: RoomNumber, reason: RoomEndReason, by?: string): Promise<void> {
  const { rooms, log } = deps;
  const ending = ENDINGS[reason];
  log.info('the conference ends', { event: 'room-ending', room, reason, call: by, graceMs: ending.graceMs });
  await rooms.announce(room, ending.sound);
  // Not keeping a stopping app alive: its calls stay up for the next one to take over.
  await sleep(ending.graceMs, undefined, { ref: false });
  if (ending.unlessLeaderBack && rooms.hasLeaderIn(room)) {
    log.info('a leader is back: the conference goes on', { event: 'leader-back', room });
    return;
  }
  const members = rooms.membersOf(room);
  await Promise.all(members.map((channelId) => deps.ari.hangup(channelId)));
  log.info('conference ended', { event: 'room-ended', room, reason, hungUp: members.length });
  deps.events.publish({ type: 'room-ended', at: deps.now(), room, reason, hungUp: members.length, channel: by });
}
