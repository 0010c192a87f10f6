import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from '../../harness/appProcess';
import { TestDriver } from '../../harness/testDriver';
import { waitUntil } from '../../harness/waitUntil';
import { callApi } from '../helpers/statusApi';
import { bridgePlayback, joinRoom, useScenario } from '../helpers/scenario';
import { joinRoomByPhone, untilOnlyVoices, usePhones } from '../helpers/sipScenario';
import { tonesHeard } from '../helpers/toneLevel';
import { readWav } from '../helpers/wavAudio';

const TOKEN = 'recording-test-token-0123456789';
const AUDIO_TEST_TIMEOUT_MS = 90000;

type Line = Record<string, unknown>;

function eventsIn(path: string): Line[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);
}

describe('recording a conference', () => {
  const folder = mkdtempSync(join(tmpdir(), 'recordings-'));
  const eventsPath = join(mkdtempSync(join(tmpdir(), 'recording-events-')), 'events.jsonl');
  const phones = usePhones();
  const s = useScenario({
    api: { port: 0, token: TOKEN },
    eventsLog: { path: eventsPath },
    recording: { folder, minFreeMb: 1 },
    permanentRooms: [
      { number: '520', pin: '1', leaderPin: '2' },
      { number: '521', pin: '1', record: true },
    ],
  });
  const stopped = (room: string): Line | undefined => eventsIn(eventsPath).find((e) => e.event === 'recording-stopped' && e.room === room);

  it(
    'the admin starts and stops it: everyone hears so, and a file of about that length holds what the phones sent',
    async () => {
      const [a, b] = await Promise.all([phones.start({ user: '201', toneHz: 1000 }), phones.start({ user: '202', toneHz: 2000 })]);
      const calls = [await joinRoomByPhone(s.driver, a, '88150', { pin: '55' })];
      await calls[0]!.entersBridge('conference-150');
      calls.push(await joinRoomByPhone(s.driver, b, '88150', { pin: '55' }));
      await untilOnlyVoices(s.driver, 'conference-150', calls);

      const startedAt = Date.now();
      const started = await callApi(s.harness, 'POST', '/rooms/150/recording', TOKEN);
      expect(started.status).toBe(200);
      expect(started.json).toMatchObject({
        room: '150',
        recording: true,
        name: expect.stringMatching(/^conference-150-\d{8}T\d{6}Z-[0-9a-f]{8}$/),
      });
      const file = started.json.file as string;
      expect(file).toBe(join(folder, `${started.json.name as string}.wav`));
      await s.driver.waitFor(bridgePlayback('conference-150', 'sound:conf-now-recording'), 5000, 'sound:conf-now-recording');
      expect((await callApi(s.harness, 'GET', '/rooms/150', TOKEN)).json.recording).toMatchObject({ file });
      expect((await callApi(s.harness, 'POST', '/rooms/150/recording', TOKEN)).status).toBe(409);

      await new Promise((resolve) => setTimeout(resolve, 6000));
      const stop = await callApi(s.harness, 'DELETE', '/rooms/150/recording', TOKEN);
      const lengthMs = Date.now() - startedAt;
      expect(stop.status).toBe(200);
      await s.driver.waitFor(bridgePlayback('conference-150', 'sound:beep'), 5000, 'sound:beep');
      await waitUntil(() => stopped('150') !== undefined, 15000, 'the recording saved');
      expect((await callApi(s.harness, 'GET', '/rooms/150', TOKEN)).json.recording).toBeNull();

      expect(readdirSync(folder)).toContain(`${started.json.name as string}.wav`);
      const audio = readWav(readFileSync(file));
      const seconds = audio.samples.length / audio.sampleRate;
      expect(Math.abs(seconds - lengthMs / 1000)).toBeLessThan(2);
      expect(stopped('150')).toMatchObject({ file, reason: 'stopped', durationSeconds: Math.round(seconds) });
      // After the announcement: the phones' tones, both.
      const tail = { sampleRate: audio.sampleRate, samples: audio.samples.subarray(audio.sampleRate * 4) };
      expect(tonesHeard(tail, [1000, 2000])).toEqual({ 1000: 'heard', 2000: 'heard' });
      expect(eventsIn(eventsPath).find((e) => e.event === 'recording-started')).toMatchObject({ room: '150', file, by: 'admin' });
    },
    AUDIO_TEST_TIMEOUT_MS,
  );

  it("a leader's 0 starts and stops it; a permanent room with record is recorded from its first join to its end", async () => {
    const leader = await joinRoom(s.driver, '88520', { pin: '2' });
    await leader.entersBridge('conference-520');
    // Keys go to the room once the welcome has played.
    await leader.heardToEnd('sound:conf-onlyperson');
    await leader.dtmf('0');
    await s.driver.waitFor(bridgePlayback('conference-520', 'sound:conf-now-recording'), 5000, 'sound:conf-now-recording');
    expect(s.harness.app.recordings.of('520')).toBeDefined();
    await leader.dtmf('0');
    await s.driver.waitFor(bridgePlayback('conference-520', 'sound:beep'), 5000, 'sound:beep');
    await waitUntil(() => stopped('520') !== undefined, 15000, "the leader's recording saved");
    expect(stopped('520')).toMatchObject({ reason: 'stopped', channel: leader.appChannel });
    expect(existsSync(stopped('520')!.file as string)).toBe(true);

    const first = await joinRoom(s.driver, '88521', { pin: '1' });
    await first.entersBridge('conference-521');
    await waitUntil(() => s.harness.app.recordings.of('521') !== undefined, 5000, 'room 521 recorded from its first join');
    await first.hangup();
    await waitUntil(() => stopped('521') !== undefined, 15000, "room 521's recording saved at its end");
    expect(stopped('521')).toMatchObject({ reason: 'room-ended' });
    expect(existsSync(stopped('521')!.file as string)).toBe(true);
  }, 60000);
});

describe('recording with too little free space', () => {
  const s = useScenario({
    api: { port: 0, token: TOKEN },
    recording: { folder: mkdtempSync(join(tmpdir(), 'recordings-')), minFreeMb: 10_000_000 },
    permanentRooms: [{ number: '522', pin: '1', leaderPin: '2' }],
  });

  it('starts none: the API answers 507 naming the setting, the leader hears that it cannot be recorded', async () => {
    const leader = await joinRoom(s.driver, '88522', { pin: '2' });
    await leader.entersBridge('conference-522');
    const refused = await callApi(s.harness, 'POST', '/rooms/522/recording', TOKEN);
    expect(refused.status).toBe(507);
    expect(refused.json.error).toMatch(/MB free in .*, below recording\.minFreeMb \(10000000 MB\): no recording starts/);
    // Keys go to the room once the welcome has played.
    await leader.heardToEnd('sound:conf-onlyperson');
    await leader.dtmf('0');
    await leader.hears('sound:conference/recording-unavailable');
    expect(s.harness.app.recordings.of('522')).toBeUndefined();
    expect(s.harness.logs.filter((l) => l.event === 'recording-refused').map((l) => l.reason)).toEqual(['disk-low', 'disk-low']);
  });
});

describe('a recording through an app restart', () => {
  const folder = mkdtempSync(join(tmpdir(), 'recordings-'));
  const app = AppProcess.prepare({ permanentRooms: [{ number: '523', pin: '3', record: true }], recording: { folder, minFreeMb: 1 } });
  let driver: TestDriver;
  beforeAll(async () => {
    driver = await TestDriver.connect();
  });
  afterAll(async () => {
    await driver.hangupAll();
    await app.kill('SIGTERM');
    await driver.close();
  });

  it('goes on while the app is away; the restarted app finds it, and saves it when the room ends', async () => {
    await app.start();
    const caller = await joinRoom(driver, '88523', { pin: '3' });
    await caller.entersBridge('conference-523');
    await waitUntil(() => app.logs.some((l) => l.event === 'recording-started'), 5000, 'the recording to start');
    await app.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await app.start();
    await waitUntil(() => app.logs.some((l) => l.event === 'recording-recovered' && l.room === '523'), 10000, 'the recording found again');
    await caller.hangup();
    await waitUntil(() => app.logs.some((l) => l.event === 'recording-stopped' && l.room === '523'), 15000, 'the recording saved');
    const saved = app.logs.find((l) => l.event === 'recording-stopped')!;
    expect(saved).toMatchObject({ reason: 'room-ended' });
    expect(saved.durationSeconds).toBeGreaterThanOrEqual(2);
    expect(readdirSync(folder)).toEqual([`${saved.recording as string}.wav`]);
  }, 60000);
});
