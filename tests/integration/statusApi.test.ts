import { joinRoom, useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';
import { callApi, metricValue } from '../helpers/statusApi';
import { VERSION } from '../../src/version';

const TOKEN = 'status-api-test-token-0123456789';

/** The status API, as an operator with curl sees it, and its effect on callers. */
describe('status API', () => {
  const s = useScenario({ api: { port: 0, token: TOKEN } });
  const api = (method: string, path: string, token: string | null = TOKEN): ReturnType<typeof callApi> =>
    callApi(s.harness, method, path, token);
  // Asterisk reports a channel in the bridge a moment before the app has counted it.
  const listed = (room: string, count: number): Promise<void> =>
    waitUntil(
      async () => (await api('GET', `/rooms/${room}`)).json.participants?.length === count,
      5000,
      `${count} participants listed in ${room}`,
    );

  it('GET /health: ARI connected and Asterisk reachable; /metrics says ARI is connected', async () => {
    const health = await api('GET', '/health', null);
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', version: VERSION, ariConnected: true, asteriskReachable: true });
    const asterisk = await s.driver.rest.get<{ system: { version: string } }>('/asterisk/info');
    expect(health.json.asteriskVersion).toBe(asterisk.system.version);
    expect(metricValue((await api('GET', '/metrics', null)).text, 'conference_ari_connected')).toBe(1);
  });

  it('GET /rooms and /rooms/:room: participants with caller id, join time and mute state, never a PIN', async () => {
    const first = await joinRoom(s.driver, '88960', { pin: '97531' });
    await first.entersBridge('conference-960');
    const second = await s.driver.call('88960', { callerId: '0301' });
    await second.hears('sound:conf-getpin');
    await second.dtmf('97531#');
    await second.entersBridge('conference-960');
    await listed('960', 2);

    const rooms = await api('GET', '/rooms');
    expect(rooms.status).toBe(200);
    const room = await api('GET', '/rooms/960');
    expect(room.status).toBe(200);
    expect(rooms.json.rooms).toEqual([room.json]);
    expect(room.json).toMatchObject({
      room: '960',
      bridge: 'conference-960',
      locked: false,
      permanent: false,
      lecture: false,
      raisedHands: 0,
      waitingForLeader: 0,
    });
    expect(Date.parse(room.json.createdAt)).not.toBeNaN();
    // Local channels carry no audio: nobody talks.
    const marks = { role: 'participant', muted: false, handRaised: false, onHold: false, talking: false, talkingSince: null };
    expect(room.json.participants).toEqual([
      { channel: first.appChannel, callerId: '201', joinedAt: expect.any(String), ...marks },
      { channel: second.appChannel, callerId: '0301', joinedAt: expect.any(String), ...marks },
    ]);
    expect(rooms.text).not.toContain('97531');
    expect(rooms.text.toLowerCase()).not.toContain('pin');
  });

  it.each([
    ['GET', '/rooms/12', 400],
    ['GET', '/rooms/0000', 400],
    ['GET', '/rooms/961', 404],
    ['GET', '/no-such-route', 404],
    ['POST', '/rooms/961/lock', 404],
    ['POST', '/rooms/961/kick/nobody', 404],
    ['DELETE', '/rooms/961/mute/nobody', 404],
    ['POST', '/rooms/12345/lock', 400],
  ])('%s %s answers %i with a JSON error', async (method, path, status) => {
    const answer = await api(method, path);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(typeof answer.json.error).toBe('string');
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const answer = await api('GET', '/rooms/961/lock');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST, DELETE');
    expect((await api('DELETE', '/health')).status).toBe(405);
  });

  it('refuses admin actions and room routes without the right bearer token (401)', async () => {
    const inside = await joinRoom(s.driver, '88962');
    await inside.entersBridge('conference-962');
    for (const token of [null, 'wrong-token-wrong-token-wrong']) {
      for (const [method, path] of [
        ['POST', '/rooms/962/lock'],
        ['POST', `/rooms/962/kick/${inside.appChannel}`],
        ['POST', `/rooms/962/mute/${inside.appChannel}`],
        ['GET', '/rooms'],
        ['GET', '/rooms/962'],
      ] as const) {
        const answer = await api(method, path, token);
        expect([method, path, answer.status]).toEqual([method, path, 401]);
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
    expect(await inside.bridge()).toBe('conference-962');
    expect((await api('GET', '/rooms/962')).json.locked).toBe(false);
  });

  it('with no api.token set: admin actions answer 403 naming api.token, room routes are open', async () => {
    const inside = await joinRoom(s.driver, '88963');
    await inside.entersBridge('conference-963');
    await s.harness.writeSettings({ api: { port: 0, token: '' } });
    try {
      const lock = await api('POST', '/rooms/963/lock');
      expect(lock.status).toBe(403);
      expect(lock.json.error).toMatch(/api\.token is not set/);
      expect((await api('GET', '/rooms/963', null)).status).toBe(200);
    } finally {
      await s.harness.writeSettings({ api: { port: 0, token: TOKEN } });
    }
  });

  it('drain: a single node cannot be drained (it takes every room), and says so', async () => {
    const drain = await api('POST', '/drain');
    expect(drain.status).toBe(409);
    expect(drain.json.error).toMatch(/store\.url/);
    expect((await api('POST', '/drain', null)).status).toBe(401);
    expect((await api('GET', '/health')).json.draining).toBe(false);
  });

  it('kick: the participant is hung up and out of the bridge; the others stay', async () => {
    const stays = await joinRoom(s.driver, '88964');
    await stays.entersBridge('conference-964');
    const kicked = await joinRoom(s.driver, '88964');
    await kicked.entersBridge('conference-964');
    await listed('964', 2);
    const answer = await api('POST', `/rooms/964/kick/${kicked.appChannel}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ room: '964', channel: kicked.appChannel, kicked: true });
    await kicked.hungUp();
    expect(await kicked.bridge()).toBeUndefined();
    expect(await stays.bridge()).toBe('conference-964');
    await listed('964', 1);
    expect((await api('POST', `/rooms/964/kick/${kicked.appChannel}`)).status).toBe(404);
  });

  it('mute and unmute: the participant is told, the room shows it, and their own key takes it from there', async () => {
    const other = await joinRoom(s.driver, '88965');
    await other.entersBridge('conference-965');
    const caller = await joinRoom(s.driver, '88965');
    await caller.entersBridge('conference-965');
    await caller.hears('sound:conf-otherinparty');

    const mute = await api('POST', `/rooms/965/mute/${caller.appChannel}`);
    expect(mute.status).toBe(200);
    expect(mute.json).toEqual({ room: '965', channel: caller.appChannel, muted: true });
    await caller.hears('sound:conference/muted');
    expect((await api('GET', '/rooms/965')).json.participants.map((p: { muted: boolean }) => p.muted)).toEqual([false, true]);
    expect((await api('POST', `/rooms/965/mute/${caller.appChannel}`)).status).toBe(409);

    const unmute = await api('DELETE', `/rooms/965/mute/${caller.appChannel}`);
    expect(unmute.status).toBe(200);
    await caller.hears('sound:conference/unmuted');
    expect((await api('DELETE', `/rooms/965/mute/${caller.appChannel}`)).status).toBe(409);

    // The caller's own key toggles from the state the operator left: muted again.
    await api('POST', `/rooms/965/mute/${caller.appChannel}`);
    await waitUntil(() => caller.played().filter((m) => m === 'sound:conference/muted').length === 2, 5000, 'second muted prompt');
    await caller.dtmf('1');
    await waitUntil(() => caller.played().filter((m) => m === 'sound:conference/unmuted').length === 2, 5000, 'unmuted by the key');
    expect((await api('GET', '/rooms/965')).json.participants[1].muted).toBe(false);
    expect(await other.bridge()).toBe('conference-965');
  });

  it('lock: the next caller hears that the room is locked and is hung up; participants stay; unlock lets callers in again', async () => {
    const inside = await joinRoom(s.driver, '88966', { pin: '12' });
    await inside.entersBridge('conference-966');
    const lock = await api('POST', '/rooms/966/lock');
    expect(lock.status).toBe(200);
    expect(lock.json).toEqual({ room: '966', locked: true });
    expect((await api('POST', '/rooms/966/lock')).status).toBe(409);
    expect((await api('GET', '/rooms/966')).json.locked).toBe(true);

    const refused = await s.driver.call('88966');
    await refused.hears('sound:conference/conference-locked');
    await refused.hungUp();
    expect(refused.played()).not.toContain('sound:conf-getpin');
    expect(await inside.bridge()).toBe('conference-966');

    expect((await api('DELETE', '/rooms/966/lock')).status).toBe(200);
    expect((await api('DELETE', '/rooms/966/lock')).status).toBe(409);
    const welcome = await joinRoom(s.driver, '88966', { pin: '12' });
    await welcome.entersBridge('conference-966');
  });

  it('lock while a caller keys the PIN: that caller is refused at the door too', async () => {
    const inside = await joinRoom(s.driver, '88967', { pin: '5' });
    await inside.entersBridge('conference-967');
    const keying = await s.driver.call('88967');
    await keying.hears('sound:conf-getpin');
    expect((await api('POST', '/rooms/967/lock')).status).toBe(200);
    await keying.dtmf('5#');
    await keying.hears('sound:conference/conference-locked');
    await keying.hungUp();
    expect(await inside.bridge()).toBe('conference-967');
  });
});
