/**
 * `make bench`'s third side: the floor of any ARI app on this machine. A bare ARI
 * app: room and PIN prompts with barge-in, then stop the prompt and add the caller to the
 * room's mixing bridge. No PIN check, no announcement, no tone, no log. It runs in its own
 * process, as the app does, over the app's own ARI edge (src/ari); the bench starts it with
 * ARI_URL, ARI_USER, ARI_PASSWORD and routes its callers to [bench-sketch] in extensions.conf.
 */
import { AriEvent, EventStream } from '../src/ari/eventStream';
import { RestClient } from '../src/ari/restClient';

const APP = 'bench-sketch';
const settings = { url: process.env.ARI_URL!, username: process.env.ARI_USER!, password: process.env.ARI_PASSWORD! };
const rest = new RestClient({ ...settings, maxConnections: 32, timeoutMs: 30000 });
const events = new EventStream({ ...settings, app: APP, pingIntervalMs: 30000, backoffInitialMs: 500, backoffMaxMs: 5000 });

interface Call {
  step: 'room' | 'pin';
  keyed: string;
  playback: string | undefined;
  room?: string;
}
const calls = new Map<string, Call>();
const bridges = new Map<string, Promise<unknown>>();
let randomRooms = 0;
const ignore = (): void => undefined;

function prompt(id: string, call: Call, sound: string): void {
  call.playback = `${id}-${call.step}`;
  void rest.post(`/channels/${id}/play/${call.playback}`, { media: `sound:${sound}` }).catch(ignore);
}

/** Bridge ids of this process's own: a sketch started for an earlier storm may have left its bridges behind. */
const bridgeId = (room: string): string => `sketch-${process.pid}-${room}`;

function bridgeOf(room: string): Promise<unknown> {
  let made = bridges.get(room);
  if (!made) bridges.set(room, (made = rest.post(`/bridges/${bridgeId(room)}`, { type: 'mixing' })));
  return made;
}

function onKey(id: string, call: Call, digit: string): void {
  if (call.playback) void rest.delete(`/playbacks/${call.playback}`).catch(ignore);
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
  void bridgeOf(call.room!)
    .then(() => rest.post(`/bridges/${bridgeId(call.room!)}/addChannel`, { channel: id }))
    .catch(ignore);
}

events.on('event', (event: AriEvent) => {
  const id = (event.channel as { id?: string } | undefined)?.id;
  if (!id) return;
  if (event.type === 'StasisStart') {
    const call: Call = { step: 'room', keyed: '', playback: undefined };
    calls.set(id, call);
    void rest.post(`/channels/${id}/answer`).then(() => prompt(id, call, 'conf-getconfno'), ignore);
  } else if (event.type === 'ChannelDtmfReceived') {
    const call = calls.get(id);
    if (call) onKey(id, call, String(event.digit));
  } else if (event.type === 'StasisEnd') {
    calls.delete(id);
  }
});
events.once('connected', () => process.stdout.write('ready\n'));
events.start();
