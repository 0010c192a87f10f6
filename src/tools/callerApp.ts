import { EventStream } from '../ari/eventStream';
import { RestClient } from '../ari/restClient';

/*
 * What an ARI app of our own does to place calls the way a phone would and watch what their
 * callers hear: the dialer's (`make dial`) and the integration tests' driver.
 */

/**
 * Has an app hear every channel and bridge, on each (re)connect of its stream; the returned
 * function resolves once connected and subscribed. Not ARI's `subscribeAll`: that subscribes
 * to device states too, and Asterisk 22 can deadlock its whole ARI when such a socket closes
 * while a device state event is on its way to it (asterisk/asterisk#2170): every later app
 * registration and originate then hangs.
 */
export function watchEverything(stream: EventStream, rest: RestClient, app: string): () => Promise<void> {
  let subscribed: Promise<unknown> = Promise.resolve();
  stream.on('connected', () => {
    // 'channel:' alone is every channel, 'bridge:' every bridge.
    subscribed = rest.post(`/applications/${encodeURIComponent(app)}/subscription`, { eventSource: 'channel:,bridge:' });
    subscribed.catch(() => undefined); // a failure is reported to whoever waits for readiness
  });
  return async () => {
    await stream.whenConnected();
    await subscribed;
  };
}

/**
 * Silence from the caller's channel from now on, as a phone's RTP would send: on a channel that
 * sends no frames at all, Asterisk can hold a key's end unread (docs/DECISIONS.md, "Test callers
 * send audio, as phones do"). A caller who hung up first needs none: that failure is dropped.
 */
export function sendSilence(rest: RestClient, channelId: string): void {
  rest.post(`/channels/${encodeURIComponent(channelId)}/silence`).catch(() => undefined);
}
