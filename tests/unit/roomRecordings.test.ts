import winston from 'winston';
import { ConferenceEvent, ConferenceEvents } from '../../src/app/conferenceEvents';
import { RecordingFolder, RecordingSettings, RoomRecordings } from '../../src/app/roomRecordings';
import { parseRecordingName, recordingName, recordingSeconds } from '../../src/domain/recordingName';
import { FakeRecordingControl, settled } from '../helpers/fakeEdge';

const SETTINGS: RecordingSettings = { folder: '/rec', minFreeMb: 100, maxMinutes: 60, format: 'wav' };
const START = Date.UTC(2026, 11, 4, 10, 30, 5);

function recorder(options: { freeMb?: number | Error; held?: string[] } = {}) {
  const control = new FakeRecordingControl();
  const events = new ConferenceEvents();
  const published: ConferenceEvent[] = [];
  events.on('event', (event) => published.push(event));
  const announced: string[] = [];
  const saved: string[] = [];
  const free = options.freeMb ?? 5000;
  const folder: RecordingFolder = {
    freeMb: async () => {
      if (free instanceof Error) throw free;
      return free;
    },
    fileFor: (dir, name) => `${dir}/${name}.wav`,
    save: async (file, write) => {
      saved.push(file);
      return write(`${file}.part`);
    },
  };
  const held = new Set(options.held ?? ['300']);
  let ids = 0;
  const clock = { now: START };
  const recordings = new RoomRecordings({
    bridgeOf: (room) => (held.has(room) ? `conference-${room}` : undefined),
    control,
    folder,
    announce: (room, media) => announced.push(`${room} ${media}`),
    settings: () => SETTINGS,
    events,
    log: winston.createLogger({ silent: true }),
    now: () => clock.now,
    uniqueId: () => `0000000${ids++}`,
  });
  return { recordings, control, published, announced, saved, clock };
}

describe('recording names', () => {
  it('say the room, the start in UTC and a unique id, and are read back', () => {
    const name = recordingName('300', START, 'deadbeef');
    expect(name).toBe('conference-300-20261204T103005Z-deadbeef');
    expect(parseRecordingName(name)).toEqual({ room: '300', startedAt: START });
    expect(parseRecordingName('voicemail-greeting')).toBeUndefined();
    expect(recordingSeconds('wav', 44 + 16000 * 61)).toBe(61);
    expect(recordingSeconds('wav16', 44 + 32000 * 10)).toBe(10);
  });
});

describe("a room's recording", () => {
  it('starts on the bridge, is announced and published; stops with a tone, and is saved from Asterisk into the folder', async () => {
    const { recordings, control, published, announced, saved } = recorder();
    const started = await recordings.start('300', 'admin');
    const name = 'conference-300-20261204T103005Z-00000000';
    expect(started).toMatchObject({ kind: 'started', recording: { name, file: `/rec/${name}.wav` } });
    expect(control.requests).toEqual([`record conference-300 ${name} wav 3600`]);
    expect(recordings.of('300')?.name).toBe(name);
    expect(await recordings.start('300', 'admin')).toEqual({ kind: 'already' });

    expect(await recordings.stop('300')).toMatchObject({ kind: 'stopped' });
    await settled();
    expect(control.requests.slice(1)).toEqual([`stop ${name}`, `save ${name}`, `delete ${name}`]);
    expect(saved).toEqual([`/rec/${name}.wav`]);
    expect(announced).toEqual(['300 sound:conf-now-recording', '300 sound:beep']);
    expect(published.map((e) => e.type)).toEqual(['recording-started', 'recording-stopped']);
    expect(published[1]).toMatchObject({ file: `/rec/${name}.wav`, durationSeconds: 5, reason: 'stopped' });
    expect(await recordings.stop('300')).toEqual({ kind: 'not-recording' });
  });

  it('does not start below the free-space floor, or with a folder it cannot use, and says why', async () => {
    expect(await recorder({ freeMb: 99 }).recordings.start('300', 'admin')).toEqual({
      kind: 'disk-low',
      folder: '/rec',
      freeMb: 99,
      minFreeMb: 100,
    });
    const unusable = recorder({ freeMb: new Error('EACCES: permission denied') });
    expect(await unusable.recordings.start('300', 'leader', 'c1')).toMatchObject({ kind: 'folder-unusable', folder: '/rec' });
    expect(unusable.control.requests).toEqual([]);
    expect(await recorder().recordings.start('301', 'admin')).toEqual({ kind: 'unknown-room' });
  });

  it('ends with its room, with no tone; one Asterisk ended itself at recording.maxMinutes is saved as at its longest length', async () => {
    const { recordings, control, published, announced, clock } = recorder({ held: ['300', '301'] });
    await recordings.start('300', 'room-option');
    const second = await recordings.start('301', 'leader', 'c9');
    recordings.onConferenceEvent({ type: 'room-destroyed', at: START, room: '300', createdAt: START }, () => false);
    expect(second.kind).toBe('started');
    if (second.kind !== 'started') return;
    clock.now += SETTINGS.maxMinutes * 60_000;
    control.live.delete(second.recording.name);
    recordings.onRecordingEnded(second.recording.name, false);
    await settled();
    const stops = published.filter((e) => e.type === 'recording-stopped');
    expect(stops.map((e) => [e.room, e.reason])).toEqual([
      ['300', 'room-ended'],
      ['301', 'max-duration'],
    ]);
    expect(announced.filter((a) => a.endsWith('beep'))).toEqual(['301 sound:beep']);
    expect(recordings.count).toBe(0);
  });

  it('one Asterisk ended before its longest length ended with its room (the bridge went first)', async () => {
    const { recordings, control, published } = recorder();
    const started = await recordings.start('300', 'admin');
    if (started.kind !== 'started') throw new Error(started.kind);
    control.live.delete(started.recording.name);
    recordings.onRecordingEnded(started.recording.name, false);
    recordings.onRecordingEnded('conference-300-20261204T000000Z-ffffffff', true);
    await settled();
    expect(published.filter((e) => e.type === 'recording-stopped').map((e) => e.type === 'recording-stopped' && e.reason)).toEqual([
      'room-ended',
    ]);
  });

  it('after a restart finds a live recording of a room it holds again, and saves one that ended while it was away', async () => {
    const { recordings, control, published } = recorder({ held: ['300'] });
    const live = 'conference-300-20261204T101500Z-0a0a0a0a';
    const ended = 'conference-302-20261204T090000Z-0b0b0b0b';
    control.live.add(live);
    control.stored.add(live).add(ended).add('voicemail-greeting');
    await recordings.recover((room) => room === '300');
    await settled();
    expect(recordings.of('300')).toMatchObject({ name: live, startedAt: Date.UTC(2026, 11, 4, 10, 15, 0) });
    expect(published.filter((e) => e.type === 'recording-stopped').map((e) => [e.room, e.reason])).toEqual([['302', 'recovered']]);
    expect(control.stored).toEqual(new Set([live, 'voicemail-greeting']));
  });
});
