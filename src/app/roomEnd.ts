import { setTimeout as sleep } from 'node:timers/promises';
import { RoomNumber } from '../domain/types';
import { Logger } from '../logger';
import { ConferenceEvents } from './conferenceEvents';
import { Sound } from './media';
import { ChannelControl } from './ports';
import { RoomRegistry } from './roomRegistry';

/** How long the others have after "the leader has left" before they are hung up: the prompt, and a moment to say goodbye. */
export const LEADER_LEFT_GRACE_MS = 5000;

export interface RoomEndDeps {
  readonly rooms: RoomRegistry;
  readonly channels: ChannelControl;
  readonly events: ConferenceEvents;
  readonly log: Logger;
  readonly now: () => number;
}

/**
 * The last leader left a room that ends with its leader (endWhenLeaderLeaves): the others hear
 * so, and are hung up after a grace, unless a leader is back by then.
 */
export async function endWithLeader(deps: RoomEndDeps, room: RoomNumber, graceMs = LEADER_LEFT_GRACE_MS): Promise<void> {
  const { rooms, log } = deps;
  log.info('the last leader left: the conference ends', { event: 'last-leader-left', room, graceMs });
  await rooms.announce(room, Sound.leaderHasLeft);
  // Not keeping a stopping app alive: its calls stay up for the next one to take over.
  await sleep(graceMs, undefined, { ref: false });
  if (rooms.hasLeaderIn(room)) {
    log.info('a leader is back: the conference goes on', { event: 'leader-back', room });
    return;
  }
  const members = rooms.membersOf(room);
  await Promise.all(members.map((channelId) => deps.channels.hangup(channelId)));
  log.info('conference ended', { event: 'room-ended', room, reason: 'leader-left', hungUp: members.length });
  deps.events.publish({ type: 'room-ended', at: deps.now(), room, reason: 'leader-left', hungUp: members.length });
}
