import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../harness/waitUntil';
import { AppProcess } from '../../harness/appProcess';
import { jsonLinesOf } from '../helpers/jsonLines';
import { joinRoom, useScenario } from '../helpers/scenario';
import { callApi, metricValue } from '../helpers/statusApi';
import { TestDriver } from '../../harness/testDriver';

/** The events log and the state file when they cannot be written, and after. */
describe('files the app cannot write', () => {
  const eventsFolder = join(mkdtempSync(join(tmpdir(), 'conference-events-')), 'log');
  const eventsPath = join(eventsFolder, 'events.jsonl');
  const stateFolder = join(mkdtempSync(join(tmpdir(), 'conference-state-')), 'state');
  const statePath = join(stateFolder, 'rooms.json');
  const s = useScenario({ api: { port: 0 }, eventsLog: { path: eventsPath }, stateFile: statePath });
  const health = async (): Promise<{ status: number; json: { status: string; writeErrors: Array<Record<string, unknown>> } }> =>
    callApi(s.harness, 'GET', '/health', null);
  const metrics = async (): Promise<string> => (await callApi(s.harness, 'GET', '/metrics', null)).text;
  const logged = (event: string, setting: string): Array<Record<string, unknown>> =>
    s.harness.logs.filter((l) => l.event === event && l.setting === setting);

  it('events log: its folder removed, /health says degraded with the cause; once it is back, the lines held and the next are written, and /health is ok', async () => {
    expect((await health()).json).toMatchObject({ status: 'ok', writeErrors: [] });
    const host = await joinRoom(s.driver, '88960', { pin: '1' });
    await host.entersBridge('conference-960');
    await waitUntil(() => jsonLinesOf(eventsPath).some((l) => l.event === 'joined'), 5000, "the host's joined line");

    rmSync(eventsFolder, { recursive: true });
    const guest = await joinRoom(s.driver, '88960', { pin: '1' });
    await guest.entersBridge('conference-960');
    await waitUntil(async () => (await health()).json.status === 'degraded', 5000, '/health to say degraded');
    const degraded = await health();
    expect(degraded.status).toBe(200);
    expect(degraded.json).toMatchObject({ ariConnected: true, asteriskReachable: true });
    expect(degraded.json.writeErrors).toEqual([
      {
        setting: 'eventsLog.path',
        path: eventsPath,
        error: expect.stringContaining('ENOENT'),
        since: expect.any(String),
        heldLines: 1,
        lostLines: 0,
      },
    ]);
    // A second event, still failing for the same cause: held too, and not logged again.
    await guest.hangup();
    await guest.hungUp();
    await waitUntil(async () => (await health()).json.writeErrors[0]?.heldLines === 2, 5000, 'the left line to be held');
    expect(metricValue(await metrics(), 'conference_events_log_held_lines')).toBe(2);
    expect(logged('write-failed', 'eventsLog.path')).toEqual([
      expect.objectContaining({ level: 'error', path: eventsPath, error: expect.stringContaining('ENOENT') }),
    ]);

    // The folder is back; the next event is written, after the lines held, in order.
    mkdirSync(eventsFolder);
    const late = await joinRoom(s.driver, '88960', { pin: '1' });
    await late.entersBridge('conference-960');
    await waitUntil(
      () => jsonLinesOf(eventsPath).length === 3,
      5000,
      () => `three lines in the new file (${JSON.stringify(jsonLinesOf(eventsPath))})`,
    );
    expect(jsonLinesOf(eventsPath).map((l) => [l.event, l.channel])).toEqual([
      ['joined', guest.appChannel],
      ['left', guest.appChannel],
      ['joined', late.appChannel],
    ]);
    expect(await health()).toMatchObject({ status: 200, json: { status: 'ok', writeErrors: [] } });
    expect(logged('write-recovered', 'eventsLog.path')).toEqual([expect.objectContaining({ path: eventsPath, linesLost: 0 })]);
    const after = await metrics();
    expect(metricValue(after, 'conference_events_log_held_lines')).toBe(0);
    expect(metricValue(after, 'conference_events_log_lost_total')).toBe(0);
    expect(metricValue(after, 'conference_write_failures_total{setting="eventsLog.path"}')).toBeGreaterThanOrEqual(2);
  });

  it('state file: its folder unusable, /health and the log say so; once it is usable, the retry writes it and /health is ok', async () => {
    // The last test's room has left the file: no write of it is under way when the folder goes.
    await waitUntil(
      () => !Object.keys((JSON.parse(readFileSync(statePath, 'utf8')) as { rooms: object }).rooms).includes('960'),
      5000,
      'room 960 to leave the state file',
    );
    // Root ignores permissions: the folder is made unusable by a file in its place.
    rmSync(stateFolder, { recursive: true, force: true });
    writeFileSync(stateFolder, 'not a folder');
    const host = await joinRoom(s.driver, '88961', { pin: '2468' });
    await host.entersBridge('conference-961');
    await waitUntil(async () => (await health()).json.status === 'degraded', 5000, '/health to say degraded');
    const degraded = await health();
    expect(degraded.status).toBe(200);
    expect(degraded.json.writeErrors).toEqual([
      { setting: 'stateFile', path: statePath, error: expect.stringContaining('EEXIST'), since: expect.any(String) },
    ]);
    // Tried again (every 5 s), told once.
    await waitUntil(
      async () => metricValue(await metrics(), 'conference_write_failures_total{setting="stateFile"}') >= 2,
      12000,
      'a retry of the state file',
    );
    expect(logged('write-failed', 'stateFile')).toEqual([
      expect.objectContaining({ level: 'error', path: statePath, error: expect.stringContaining('EEXIST') }),
    ]);

    unlinkSync(stateFolder);
    await waitUntil(async () => (await health()).json.status === 'ok', 12000, '/health to say ok again');
    expect(Object.keys((JSON.parse(readFileSync(statePath, 'utf8')) as { rooms: object }).rooms)).toEqual(['961']);
    expect(logged('write-recovered', 'stateFile')).toEqual([expect.objectContaining({ path: statePath })]);
  });
});

/** logrotate without copytruncate: rename the file, then signal the app, which opens a new one at the path. */
describe('events log rotation', () => {
  const eventsPath = join(mkdtempSync(join(tmpdir(), 'conference-events-')), 'events.jsonl');
  const app = AppProcess.prepare({ eventsLog: { path: eventsPath } });
  let driver: TestDriver;

  beforeAll(async () => {
    driver = await TestDriver.connect();
    await app.start();
  });
  afterAll(async () => {
    await driver.hangupAll();
    await app.kill('SIGTERM');
    await driver.close();
  });

  it.each([
    ['SIGHUP', '963'],
    ['SIGUSR1', '964'],
  ] as const)('after a rename and %s, the next lines go to a new file at the path, none to the old one', async (signal, room) => {
    const rotated = `${eventsPath}.${signal}`;
    const host = await joinRoom(driver, `88${room}`, { pin: '' });
    await host.entersBridge(`conference-${room}`);
    await waitUntil(
      () => jsonLinesOf(eventsPath).some((l) => l.event === 'joined' && l.channel === host.appChannel),
      5000,
      "the host's joined line",
    );

    renameSync(eventsPath, rotated);
    const from = app.logs.length;
    app.signal(signal);
    await waitUntil(() => app.logs.slice(from).some((l) => l.event === 'events-log-reopened'), 5000, 'the app to reopen the events log');
    // Opened at once, before any event: logrotate may compress the old file right away.
    expect(readFileSync(eventsPath, 'utf8')).toBe('');

    await host.hangup();
    await host.hungUp();
    await waitUntil(
      () => jsonLinesOf(eventsPath).some((l) => l.event === 'room-destroyed'),
      5000,
      'the room-destroyed line in the new file',
    );
    expect(jsonLinesOf(eventsPath).map((l) => l.event)).toEqual(['left', 'room-destroyed']);
    expect(
      jsonLinesOf(rotated)
        .filter((l) => l.room === room)
        .map((l) => l.event),
    ).toEqual(['room-created', 'joined']);
  });
});
