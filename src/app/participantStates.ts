import { RoomNumber } from '../domain/types';
import { KeyedSerialQueue } from '../util/keyedSerialQueue';
import { Logger } from '../logger';
import { ChannelStateEvent } from './appEvents';
import { ConferenceEvents } from './conferenceEvents';
import { ChannelControl } from './ports';
import { logRequestFailed } from './requestFailed';
import { RoomTable } from './roomTable';

export interface ParticipantStatesDeps {
  readonly rooms: Pick<RoomTable, 'setHeld' | 'isHeld' | 'isMuted' | 'setTalking'>;
  readonly ari: Pick<ChannelControl, 'muteChannel'>;
  readonly events: ConferenceEvents;
  readonly log: Logger;
  readonly now: () => number;
}

/**
 * What a participant's own channel reports while in a room. On hold, the participant is muted
 * towards the room until they are back: whatever their phone or PBX plays meanwhile (hold music,
 * the office around a parked handset) never reaches the others. Talking or not, for the status API.
 */
export class ParticipantStates {
  /** One mute request at a time per channel: a quick hold and unhold end in order. */
  private readonly requests = new KeyedSerialQueue();

  constructor(private readonly deps: ParticipantStatesDeps) {}

  onEvent(room: RoomNumber, event: ChannelStateEvent): void {
    const channelId = event.channel.id;
    switch (event.type) {
      case 'ChannelHold':
        return this.hold(room, channelId, true);
      case 'ChannelUnhold':
        return this.hold(room, channelId, false);
      case 'ChannelTalkingStarted':
        this.deps.rooms.setTalking(room, channelId, this.deps.now());
        return;
      case 'ChannelTalkingFinished':
        this.deps.rooms.setTalking(room, channelId, undefined);
        return;
    }
  }

  private hold(room: RoomNumber, channelId: string, held: boolean): void {
    const { rooms, log, events, now } = this.deps;
    if (rooms.setHeld(room, channelId, held)) {
      log.info(held ? 'on hold: muted towards the room' : 'back from hold', { call: channelId, event: 'hold', room, held });
      events.publish({ type: 'hold', at: now(), room, channel: channelId, held });
    }
    // Sent even when the table already had it so: after an app restart a participant still muted
    // by an earlier hold is unmuted when they come back.
    void this.requests.run(channelId, () => this.applyMute(room, channelId));
  }

  /** Muted towards the room while on hold, or while muted by themselves, a leader or an operator. */
  private async applyMute(room: RoomNumber, channelId: string): Promise<void> {
    const { rooms, ari, log } = this.deps;
    const muted = rooms.isHeld(room, channelId) || rooms.isMuted(room, channelId);
    await ari.muteChannel(channelId, muted).catch((error: unknown) => logRequestFailed(log, error, 'mute on hold'));
  }
}
