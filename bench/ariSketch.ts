/**
 * The floor of any ARI app on this machine, a side of `make bench` and `make bench-sip`. A bare
 * ARI app: room and PIN prompts with barge-in, then stop the prompt and add the caller to the
 * room's mixing bridge. No PIN check, no announcement, no tone, no log. It runs in its own
 * process, as the app does, over the app's own ARI edge (src/ari); the benches start it with
 * ARI_URL, ARI_USER, ARI_PASSWORD and route its callers to [bench-sketch] (Local channels, which
 * key the room) or [bench-sip-sketch] (SIP callers, answered, the room given as Stasis's argument)
 * in extensions.conf.
 */
import { AriEvent, EventStream } from '../src/ari/eventStream';
import { RestClient } from '../src/ari/restClient';

const APP = 'bench-sketch';
const settings = { url: process.env.ARI_URL!, username: process.env.ARI_USER!, password: process.env.ARI_PASSWORD! };
const rest = new RestClient({ ...settings, maxConnections: 32, timeoutMs: 30000 });
const events = new EventStream({ ...settings, app: APP, pingIntervalMs: 30000, backoffInitialMs: 500, backoffMaxMs: 5000 });

interface Call {
  step: 'room' | 'pin' | 'in';
  keyed: string;
  /** The prompt playing: its id, and Asterisk's answer to the play request. */
  playback: { id: string; requested: Promise<unknown> } | undefined;
  room?: string;
}
const calls = new Map<string, Call>();
const bridges = new Map<string, Promise<unknown>>();
let randomRooms = 0;
const ignore = (): void => undefined;

function prompt(id: string, call: Call, sound: string): void {
  const playbackId = `${id}-${call.step}`;
  call.playback = { id: playbackId, requested: rest.post(`/channels/${id}/play/${playbackId}`, { media: `sound:${sound}` }).catch(ignore) };
}

/** Bridge ids of this process's own: a sketch started for an earlier storm may have left its bridges behind. */
const bridgeId = (room: string): string => `sketch-${process.pid}-${room}`;

function bridgeOf(room: string): Promise<unknown> {
  let made = bridges.get(room);
  if (!made) bridges.set(room, (made = rest.post(`/bridges/${bridgeId(room)}`, { type: 'mixing' })));
  return made;
}

function onKey(id: string, call: Call, digit: string): void {
  // A key Asterisk reports twice must not add the caller again: that would take it out and back in.
  if (call.step === 'in') return;
  // The stop once Asterisk has the playback: one it has not yet taken would play to its end, and
  // the join would wait behind it.
  const playback = call.playback;
  if (playback) void playback.requested.then(() => rest.delete(`/playbacks/${playback.id}`)).catch(ignore);
  call.playback = undefined;
  if (digit !== '#') {
    call.keyed += digit;
    return;
  }
  if (call.step === 'room') {
    call.room = call.keyed === '000' ? `r${++randomRooms}` : call.keyed;
    void bridgeOf(call.room).catch(ignore);
    call.step = 'pin';
    call.keyed = '';
    prompt(id, call, 'conf-getpin');
    return;
  }
  call.step = 'in';
  void bridgeOf(call.room!)
    .then(() => rest.post(`/bridges/${bridgeId(call.room!)}/addChannel`, { channel: id }))
    .catch(ignore);
}

events.on('event', (event: AriEvent) => {
  const id = (event.channel as { id?: string } | undefined)?.id;
  if (!id) return;
  if (event.type === 'StasisStart') {
    const room = (event.args as string[] | undefined)?.[0];
    const call: Call = room ? { step: 'pin', keyed: '', playback: undefined, room } : { step: 'room', keyed: '', playback: undefined };
    calls.set(id, call);
    if (room) void bridgeOf(room).catch(ignore);
    const answered = (event.channel as { state?: string }).state === 'Up' ? Promise.resolve() : rest.post(`/channels/${id}/answer`);
    void answered.then(() => prompt(id, call, room ? 'conf-getpin' : 'conf-getconfno'), ignore);
  } else if (event.type === 'ChannelDtmfReceived') {
    const call = calls.get(id);
    if (call) onKey(id, call, String(event.digit));
  } else if (event.type === 'StasisEnd') {
    calls.delete(id);
  }
});
events.once('connected', () => process.stdout.write('ready\n'));
events.start();
