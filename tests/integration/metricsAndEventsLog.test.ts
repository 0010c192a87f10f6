import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLinesOf } from '../helpers/jsonLines';
import { joinRoom, useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';
import { callApi, metricValue } from '../helpers/statusApi';

const TOKEN = 'metrics-test-token-0123456789';
const eventsPath = join(mkdtempSync(join(tmpdir(), 'conference-events-')), 'events.jsonl');

const eventLines = (): Array<Record<string, unknown>> => jsonLinesOf(eventsPath);

/** What the metrics and the events log say after real calls. */
describe('metrics and events log', () => {
  const s = useScenario({
    api: { port: 0, token: TOKEN },
    eventsLog: { path: eventsPath },
    bruteForce: { windowSeconds: 600, slowAfter: 100, delayMs: 0, maxDelayMs: 0, lockAfter: 2, lockoutSeconds: 60 },
  });
  const metrics = async (): Promise<string> => (await callApi(s.harness, 'GET', '/metrics', null)).text;

  it('counts calls, joins, wrong PINs, lockouts and refusals, and shows live rooms and participants', async () => {
    const before = await metrics();
    const first = await joinRoom(s.driver, '88970', { pin: '31' });
    await first.entersBridge('conference-970');
    const second = await joinRoom(s.driver, '88970', { pin: '30' });
    await second.hears('sound:conf-invalidpin');
    await second.hears('sound:conf-getpin');
    await waitUntil(() => second.played().filter((m) => m === 'sound:conf-getpin').length === 2, 5000, 'second PIN prompt');
    await second.dtmf('31#');
    await second.entersBridge('conference-970');

    // Asterisk reports the channel in the bridge a moment before the app has counted it.
    await waitUntil(async () => metricValue(await metrics(), 'conference_participants_active') === 2, 5000, 'two participants counted');
    const during = await metrics();
    expect(metricValue(during, 'conference_rooms_active')).toBe(1);
    expect(metricValue(during, 'conference_participants_active')).toBe(2);

    // Two wrong PINs lock this caller number out (lockAfter 2): one lockout.
    const attacker = await s.driver.call('88971', { callerId: '977' });
    const host = await joinRoom(s.driver, '88972', { pin: '1' });
    await host.entersBridge('conference-972');
    await attacker.hangup();
    const guesser = await s.driver.call('88972', { callerId: '977' });
    for (const [index, pin] of ['2', '3'].entries()) {
      await waitUntil(
        () => guesser.played().filter((m) => m === 'sound:conf-getpin').length === index + 1,
        8000,
        `PIN prompt ${index + 1}`,
      );
      await guesser.dtmf(`${pin}#`);
    }
    await guesser.hears('sound:conference/pin-locked');
    await guesser.hungUp();

    // A locked room refuses the next caller.
    expect((await callApi(s.harness, 'POST', '/rooms/970/lock', TOKEN)).status).toBe(200);
    const refused = await s.driver.call('88970');
    await refused.hears('sound:conference/conference-locked');
    await refused.hungUp();

    const after = await metrics();
    const delta = (sample: string): number => metricValue(after, sample) - metricValue(before, sample);
    expect(delta('conference_calls_total{kind="internal"}')).toBe(6);
    expect(delta('conference_joins_total')).toBe(3);
    expect(delta('conference_wrong_pins_total')).toBe(3);
    expect(delta('conference_pin_lockouts_total')).toBe(1);
    expect(delta('conference_refusals_total{reason="pin-locked"}')).toBe(1);
    expect(delta('conference_refusals_total{reason="room-locked"}')).toBe(1);
    expect(delta('conference_join_latency_seconds_count')).toBe(3);
    expect(metricValue(after, 'conference_rooms_active')).toBe(2);
    expect(metricValue(after, 'conference_participants_active')).toBe(3);
  });

  it('writes one JSON line per event: room created, joined, left, refused, destroyed; never a PIN', async () => {
    const first = await joinRoom(s.driver, '88973', { pin: '86420' });
    await first.entersBridge('conference-973');
    const second = await s.driver.call('88973', { callerId: '0302' });
    await second.hears('sound:conf-getpin');
    await second.dtmf('86420#');
    await second.entersBridge('conference-973');
    await waitUntil(() => eventLines().filter((l) => l.room === '973' && l.event === 'joined').length === 2, 5000, 'both joined lines');
    await callApi(s.harness, 'POST', '/rooms/973/lock', TOKEN);
    const refused = await s.driver.call('88973', { callerId: '0303' });
    await refused.hungUp();
    await second.hangup();
    await second.hungUp();
    await first.hangup();
    await first.hungUp();

    const ofRoom = (): Array<Record<string, unknown>> => eventLines().filter((l) => l.room === '973');
    await waitUntil(() => ofRoom().some((l) => l.event === 'room-destroyed'), 5000, 'the room-destroyed line');
    const lines = ofRoom();
    expect(lines.map((l) => [l.event, l.callerId ?? l.action ?? null])).toEqual([
      ['room-created', null],
      ['joined', '201'],
      ['joined', '0302'],
      ['admin', 'lock'],
      ['refused', '0303'],
      ['left', '0302'],
      ['left', '201'],
      ['room-destroyed', null],
    ]);
    expect(lines[2]).toMatchObject({ channel: second.appChannel, others: 1 });
    expect(lines[4]).toMatchObject({ reason: 'room-locked', channel: refused.appChannel });
    expect(lines[5]).toMatchObject({ channel: second.appChannel, joinedAt: lines[2]?.time, durationSeconds: expect.any(Number) });
    for (const line of lines) expect(Date.parse(String(line.time))).not.toBeNaN();
    expect(readFileSync(eventsPath, 'utf8')).not.toContain('86420');
  });
});
