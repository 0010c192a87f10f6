import { randomUUID } from 'node:crypto';
import { isGone } from '../ari/errors';
import { AriEvent, EventStream } from '../ari/eventStream';
import { RestClient } from '../ari/restClient';
import { Sound } from '../app/media';
import { AriCredentials } from './asteriskEnv';
import { sendSilence, watchEverything } from './callerApp';

/** Prefix of the dialer's own Stasis app (one per run): the conference app under test keeps its name. */
export const DIALER_APP = 'conference-dialer';

export interface DialOptions {
  /** What the caller dials: 88123, or 88 with `room`. */
  readonly number: string;
  /** Keyed when asked for the room (3 digits get their `#`). */
  readonly room: string | undefined;
  /** Keyed with `#` when asked for the PIN; empty for `#` alone. */
  readonly pin: string;
  readonly context: string;
  readonly callerId: string;
  readonly timeoutMs: number;
}

export interface DialResult {
  /** Media the caller heard, in order (sound: prefix dropped). */
  readonly heard: readonly string[];
  readonly outcome:
    { kind: 'joined'; bridge: string; others: number } | { kind: 'hung-up' } | { kind: 'timeout' } | { kind: 'no-room-to-key' };
}

/**
 * One test call through the real dialplan, as a phone would make it: a Local channel whose
 * ;1 half this app holds (it keys DTMF) and whose ;2 half the conference app answers. It
 * answers the prompts, waits for the announcement after the join, then hangs up.
 */
export async function dial(ari: AriCredentials, options: DialOptions): Promise<DialResult> {
  const rest = new RestClient({ ...ari, maxConnections: 4, timeoutMs: 10000 });
  // An app name of its own per run: two dials in a row never race over one name in Asterisk.
  const app = `${DIALER_APP}-${randomUUID()}`;
  const stream = new EventStream({ ...ari, app, pingIntervalMs: 5000, backoffInitialMs: 200, backoffMaxMs: 2000 });
  const ready = watchEverything(stream, rest, app);
  const phone = `dialer-${randomUUID()}`;
  const line = `${phone}-conf`;
  const heard: string[] = [];
  let bridge: string | undefined;
  let others: number | undefined;
  let phoneReady!: () => void;
  const inStasis = new Promise<void>((resolve) => (phoneReady = resolve));

  const key = (keys: string): void => {
    void inStasis.then(() => rest.post(`/channels/${phone}/dtmf`, { dtmf: keys, between: 100, duration: 100 })).catch(() => undefined);
  };
  const outcome = new Promise<DialResult['outcome']>((settle) => {
    const timer = setTimeout(() => settle({ kind: 'timeout' }), options.timeoutMs);
    const done = (result: DialResult['outcome']): void => {
      clearTimeout(timer);
      settle(result);
    };
    stream.on('event', (event: AriEvent) => {
      const channelId = (event.channel as { id?: string } | undefined)?.id;
      if (event.type === 'StasisStart' && channelId === phone) {
        sendSilence(rest, phone);
        phoneReady();
      }
      const ended = event.type === 'ChannelDestroyed' || event.type === 'StasisEnd';
      if (ended && (channelId === phone || channelId === line)) done({ kind: 'hung-up' });
      if (event.type === 'ChannelEnteredBridge' && channelId === line) bridge = (event.bridge as { id: string }).id;
      const playback = event.playback as { target_uri?: string; media_uri?: string } | undefined;
      if (playback?.target_uri !== `channel:${line}` || !playback.media_uri) return;
      // No PIN: '#' once the prompt has been heard (over it, it would end a 4-digit room entry).
      if (event.type === 'PlaybackFinished' && playback.media_uri === Sound.enterPin && options.pin === '') key('#');
      if (event.type !== 'PlaybackStarted') return;
      const media = playback.media_uri;
      heard.push(media.replace(/^sound:/, ''));
      if (media === Sound.enterRoom) {
        if (options.room === undefined) done({ kind: 'no-room-to-key' });
        else key(options.room.length === 3 ? `${options.room}#` : options.room);
      } else if (media === Sound.enterPin && options.pin !== '') {
        key(`${options.pin}#`);
      } else if (media.startsWith('number:') && bridge) {
        others = Number(media.slice('number:'.length));
      } else if (bridge && (media === Sound.onlyPerson || media === Sound.otherParticipants)) {
        done({ kind: 'joined', bridge, others: others ?? 0 });
      }
    });
  });

  stream.start();
  try {
    await ready();
    const endpoint = `Local/${options.number}@${options.context}`;
    await rest.post('/channels', { endpoint, app, channelId: phone, otherChannelId: line, callerId: options.callerId, timeout: 30 });
    return { heard, outcome: await outcome };
  } finally {
    await rest.delete(`/channels/${phone}`).catch((error: unknown) => {
      if (!isGone(error)) throw error;
    });
    await stream.stop();
    rest.close();
  }
}

/** One line for a person: what the caller heard and where the call ended up. */
export function describeDial(result: DialResult): string {
  const heard = `heard ${result.heard.length ? result.heard.join(', ') : 'nothing'}`;
  switch (result.outcome.kind) {
    case 'joined':
      return `${heard}; joined ${result.outcome.bridge} with ${result.outcome.others} other${result.outcome.others === 1 ? '' : 's'}`;
    case 'hung-up':
      return `${heard}; not joined: the call ended`;
    case 'timeout':
      return `${heard}; not joined: no answer in time`;
    case 'no-room-to-key':
      return `${heard}; not joined: asked for a room (give --room)`;
  }
}
