import { AriCalls } from './ariCalls';
import { EventStream } from './eventStream';

/**
 * Has an app hear every channel and bridge, on each (re)connect of its stream; the returned
 * function resolves once connected and subscribed. Not ARI's `subscribeAll`: that subscribes
 * to device states too, and Asterisk 22 can deadlock its whole ARI when such a socket closes
 * while a device state event is on its way to it (asterisk/asterisk#2170; seen here: the test
 * dialer's app closing after its call left every later app registration and originate hanging).
 */
export function watchEverything(stream: EventStream, ari: AriCalls, app: string): () => Promise<void> {
  let subscribed: Promise<unknown> = Promise.resolve();
  stream.on('connected', () => {
    subscribed = ari.subscribe(app, ['channel:', 'bridge:']);
    subscribed.catch(() => undefined); // a failure is reported to whoever waits for readiness
  });
  return async () => {
    await stream.whenConnected();
    await subscribed;
  };
}
