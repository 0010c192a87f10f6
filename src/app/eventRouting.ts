import { channelOfSpokenName } from '../domain/spokenName';
import { isKey, RoomNumber } from '../domain/types';
import { AppEvent, ChannelStateEvent, PlaybackEvent } from './appEvents';
import { LinkLegs } from './linkLegs';
import { SessionTable } from './sessionTable';

export interface EventTargets {
  readonly sessions: SessionTable;
  /** A StasisStart of a channel the app made for itself (the dialplan settings' store): taken (true), never a call. */
  readonly claim: (channelId: string, args: readonly string[]) => boolean;
  readonly playbacks: { onEvent(event: PlaybackEvent): void };
  /** Legs to other nodes for callers passed on (src/app/linkLegs.ts). */
  readonly links: LinkLegs;
  /** A participant's hold and talk. */
  readonly participants: { onEvent(room: RoomNumber, event: ChannelStateEvent): void };
  readonly recordings: RecordingEnds;
  /** Callers' names being recorded, each waited for by its call. */
  readonly nameRecordings: RecordingEnds;
  /** Calls out of rooms: one that ends before it is answered never reaches the app as a call. */
  readonly invites: { ended(channelId: string, cause: number): boolean };
}

interface RecordingEnds {
  onRecordingEnded(name: string, failed: boolean): void;
}

/** Each event to the one that acts on it. An event for a call the app does not hold (ended, or never seen) changes nothing. */
export function routeEvent(event: AppEvent, targets: EventTargets): void {
  const { sessions } = targets;
  switch (event.type) {
    case 'StasisStart':
      if (targets.links.claim(event.channel.id, event.args)) return;
      if (!targets.claim(event.channel.id, event.args)) sessions.start(event.channel, event.args);
      return;
    case 'StasisEnd':
      sessions.end(event.channel.id);
      return;
    case 'ChannelLeftBridge':
      sessions.leftBridge(event.channel.id);
      return;
    case 'ChannelHangupRequest':
      if (!targets.links.ended(event.channel.id, event.cause)) sessions.hangupRequested(event.channel.id);
      return;
    case 'ChannelDestroyed':
      if (!targets.links.ended(event.channel.id, event.cause)) targets.invites.ended(event.channel.id, event.cause);
      return;
    case 'ChannelDtmfReceived':
      if (isKey(event.digit)) sessions.key(event.channel.id, event.digit);
      return;
    case 'ChannelHold':
    case 'ChannelUnhold':
    case 'ChannelTalkingStarted':
    case 'ChannelTalkingFinished': {
      // Before the caller is in a room there is nobody to keep their hold from.
      const room = sessions.roomIn(event.channel.id);
      if (room !== undefined) targets.participants.onEvent(room, event);
      return;
    }
    case 'PlaybackStarted':
    case 'PlaybackFinished':
      targets.playbacks.onEvent(event);
      return;
    case 'RecordingFinished':
    case 'RecordingFailed': {
      const { name } = event.recording;
      const to = channelOfSpokenName(name) === undefined ? targets.recordings : targets.nameRecordings;
      to.onRecordingEnded(name, event.type === 'RecordingFailed');
      return;
    }
  }
}
