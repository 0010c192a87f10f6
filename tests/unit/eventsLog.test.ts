import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConferenceEvents } from '../../src/app/conferenceEvents';
import { EventsLog, eventLine } from '../../src/store/eventsLog';
import { WriteHealth } from '../../src/app/writeHealth';

const at = Date.UTC(2025, 0, 2, 3, 4, 5);

describe('events log lines', () => {
  it('writes a left event with ISO times and the duration', () => {
    const line = eventLine({ type: 'left', at, room: '123', channel: 'c1', callerId: '201', joinedAt: at - 65_000 });
    expect(JSON.parse(line as string)).toEqual({
      event: 'left',
      time: '2025-01-02T03:04:05.000Z',
      room: '123',
      channel: 'c1',
      callerId: '201',
      joinedAt: '2025-01-02T03:03:00.000Z',
      durationSeconds: 65,
    });
  });

  it('writes refusals and admin actions, with no PIN in any field', () => {
    expect(
      JSON.parse(eventLine({ type: 'refused', at, reason: 'room-locked', room: '123', channel: 'c2', callerId: '202' }) as string),
    ).toEqual({
      event: 'refused',
      time: '2025-01-02T03:04:05.000Z',
      reason: 'room-locked',
      room: '123',
      channel: 'c2',
      callerId: '202',
    });
    expect(JSON.parse(eventLine({ type: 'admin', at, action: 'lock', room: '123', channel: undefined }) as string)).toEqual({
      event: 'admin',
      time: '2025-01-02T03:04:05.000Z',
      action: 'lock',
      room: '123',
    });
  });

  it("writes what leaders, raised hands and holds did to a room, and a room's end", () => {
    const lines = [
      eventLine({ type: 'leader', at, room: '500', action: 'remove', channel: 'c1', target: 'c2' }),
      eventLine({ type: 'hand', at, room: '500', channel: 'c2', raised: true }),
      eventLine({ type: 'hold', at, room: '500', channel: 'c3', held: true }),
      eventLine({ type: 'room-ended', at, room: '500', reason: 'ended-by-leader', hungUp: 2, channel: 'c1' }),
    ].map((line) => JSON.parse(line as string) as Record<string, unknown>);
    const time = new Date(at).toISOString();
    expect(lines).toEqual([
      { event: 'leader', time, room: '500', action: 'remove', channel: 'c1', target: 'c2' },
      { event: 'hand', time, room: '500', channel: 'c2', raised: true },
      { event: 'hold', time, room: '500', channel: 'c3', held: true },
      { event: 'room-ended', time, room: '500', reason: 'ended-by-leader', hungUp: 2, channel: 'c1' },
    ]);
  });

  it('leaves calls and wrong PINs to the metrics', () => {
    expect(eventLine({ type: 'call', at, channel: 'c', callerId: '201', callerKind: 'internal' })).toBeUndefined();
    expect(eventLine({ type: 'wrong-pin', at, room: '123', channel: 'c', callerId: '201', lockedOut: false })).toBeUndefined();
  });
});

/** The events log against real files: what an admin finds in the file after each mishap. */
describe('events log file', () => {
  let dir: string;
  let folder: string;
  let path: string;
  let events: ConferenceEvents;
  let log: EventsLog;
  let room = 100;
  const told: string[] = [];
  /** A logged event, of a room of its own, so each line can be told apart. */
  const happen = (): string => {
    const name = String(room++);
    events.publish({ type: 'room-created', at, room: name });
    return name;
  };
  const roomsIn = (file: string): string[] =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { room: string }).room);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'events-log-'));
    folder = join(dir, 'log');
    path = join(folder, 'events.jsonl');
    events = new ConferenceEvents();
    told.length = 0;
  });
  afterEach(async () => {
    await log.close();
  });

  function openLog(heldMax?: number): void {
    const health = new WriteHealth('eventsLog.path', Date.now);
    health.on('failing', (failure) => told.push(`failing ${failure.cause}`));
    health.on('recovered', (_failure, detail) => told.push(`recovered ${JSON.stringify(detail)}`));
    log = new EventsLog(events, health, heldMax);
    log.open(path);
  }

  it('holds the lines while its folder is gone, says so once, and writes them in order once the folder is back', async () => {
    openLog();
    happen();
    await log.written();
    rmSync(folder, { recursive: true });
    const held = [happen(), happen()];
    await log.written();
    expect(existsSync(folder)).toBe(false);
    expect(log.failure).toMatchObject({
      setting: 'eventsLog.path',
      path,
      cause: expect.stringContaining('ENOENT'),
      heldLines: 2,
      lostLines: 0,
    });
    expect(told).toEqual([expect.stringContaining('failing ENOENT')]);

    mkdirSync(folder);
    const next = happen();
    await log.written();
    expect(roomsIn(path)).toEqual([...held, next]);
    expect(log.failure).toBeUndefined();
    expect(told).toEqual([expect.any(String), 'recovered {"linesWritten":3,"linesLost":0}']);
  });

  it('holds the lines of a full disk, and writes them where the path leads once it can', async () => {
    mkdirSync(folder);
    symlinkSync('/dev/full', path);
    openLog();
    const held = [happen(), happen()];
    await log.written();
    expect(log.failure).toMatchObject({ cause: expect.stringContaining('ENOSPC'), heldLines: 2 });
    unlinkSync(path);
    const next = happen();
    await log.written();
    expect(roomsIn(path)).toEqual([...held, next]);
  });

  it('past the lines it may hold, loses the next ones and counts them, as it does with those held at a stop', async () => {
    openLog(2);
    await log.written();
    rmSync(folder, { recursive: true });
    for (let i = 0; i < 5; i++) happen();
    await log.written();
    expect(log.failure).toMatchObject({ heldLines: 2, lostLines: 3 });
    expect(await log.close()).toBe(2);
    expect(log.lostLines).toBe(5);
  });

  it('writes to a new file at its path after a rename and a reopen, and the old file gets nothing more', async () => {
    openLog();
    const before = happen();
    await log.written();
    renameSync(path, `${path}.1`);
    await log.reopen();
    expect(readFileSync(path, 'utf8')).toBe('');
    const after = happen();
    await log.written();
    expect(roomsIn(`${path}.1`)).toEqual([before]);
    expect(roomsIn(path)).toEqual([after]);
  });

  it('notices a rename without a reopen: the next line goes to a new file at the path', async () => {
    openLog();
    const before = happen();
    await log.written();
    renameSync(path, `${path}.1`);
    const after = happen();
    await log.written();
    expect(roomsIn(`${path}.1`)).toEqual([before]);
    expect(roomsIn(path)).toEqual([after]);
  });
});
