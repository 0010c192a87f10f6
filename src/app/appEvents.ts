/** A channel as an event names it. */
export interface EventChannel {
  readonly id: string;
}

/** The playback an event is about: our id for it, and what it plays to (`channel:<id>` or `bridge:<id>`). */
export interface EventPlayback {
  readonly id: string;
  readonly target: string;
}

export type PlaybackEvent = { readonly type: 'PlaybackStarted' | 'PlaybackFinished'; readonly playback: EventPlayback };

/**
 * The events the app acts on, as the edge hands them out: checked, with the fields the app uses.
 * Asterisk is asked to send no others (APP_EVENT_TYPES).
 */
export type AppEvent =
  /**
   * A call enters the app: `args` are the Stasis() arguments of the dialplan (the digits dialled,
   * the caller kind); `answered` when the dialplan answered it before (the channel is Up).
   */
  | {
      readonly type: 'StasisStart';
      readonly channel: EventChannel & { readonly callerNumber: string; readonly answered: boolean };
      readonly args: readonly string[];
    }
  | { readonly type: 'StasisEnd'; readonly channel: EventChannel }
  /** A key; `digit` may be one the app has no use for (A-D). */
  | { readonly type: 'ChannelDtmfReceived'; readonly channel: EventChannel; readonly digit: string }
  | { readonly type: 'ChannelLeftBridge'; readonly channel: EventChannel }
  /** `cause`: Q.850, as Asterisk gives it (16: normal clearing); 0 when it gave none. */
  | { readonly type: 'ChannelHangupRequest'; readonly channel: EventChannel; readonly cause: number }
  /** The channel is gone: a leg to another node that was never answered ends so. */
  | { readonly type: 'ChannelDestroyed'; readonly channel: EventChannel; readonly cause: number }
  | ChannelStateEvent
  | PlaybackEvent
  /** A recording ended in Asterisk: stopped, at its longest length, with its bridge, or failed. */
  | { readonly type: 'RecordingFinished' | 'RecordingFailed'; readonly recording: { readonly name: string } };

/**
 * What a caller's channel says of itself: the phone put the call on hold or took it off
 * (re-INVITE), or Asterisk's TALK_DETECT heard it start or stop talking.
 */
export type ChannelStateEvent = {
  readonly type: 'ChannelHold' | 'ChannelUnhold' | 'ChannelTalkingStarted' | 'ChannelTalkingFinished';
  readonly channel: EventChannel;
};

export type AppEventType = AppEvent['type'];

/** Every type of AppEvent: what Asterisk is asked to send the app. */
export const APP_EVENT_TYPES: readonly AppEventType[] = [
  'StasisStart',
  'StasisEnd',
  'ChannelDtmfReceived',
  'ChannelLeftBridge',
  'ChannelHangupRequest',
  'ChannelDestroyed',
  'ChannelHold',
  'ChannelUnhold',
  'ChannelTalkingStarted',
  'ChannelTalkingFinished',
  'PlaybackStarted',
  'PlaybackFinished',
  'RecordingFinished',
  'RecordingFailed',
];

/**
 * Where the app's events come from: the ARI connection, or a fake in unit tests. Events come one
 * by one, in Asterisk's order; `connected` comes at each (re)connect, after which Asterisk resends
 * nothing of what happened while the app was away.
 */
export interface AppEventSource {
  on(name: 'event', listener: (event: AppEvent) => void): unknown;
  on(name: 'connected', listener: () => void): unknown;
}
