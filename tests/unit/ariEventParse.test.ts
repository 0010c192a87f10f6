import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import winston from 'winston';
import { AppEvent } from '../../src/app/appEvents';
import { AriAppEvents, parseAriEvent } from '../../src/ari/appEventSource';
import { AriEvent, EventStream } from '../../src/ari/eventStream';

/** The edge turns ARI's JSON into the app's events: what the app relies on is there, or the event is dropped. */
describe('parseAriEvent', () => {
  it.each<[string, AriEvent, AppEvent]>([
    [
      'StasisStart, with its caller number and arguments',
      { type: 'StasisStart', channel: { id: 'c1', state: 'Ring', caller: { number: '201', name: 'x' } }, args: ['610', 'external'] },
      { type: 'StasisStart', channel: { id: 'c1', callerNumber: '201', answered: false }, args: ['610', 'external'] },
    ],
    [
      'StasisStart of a call the dialplan answered',
      { type: 'StasisStart', channel: { id: 'c1', state: 'Up', caller: { number: '201' } }, args: ['610', 'internal'] },
      { type: 'StasisStart', channel: { id: 'c1', callerNumber: '201', answered: true }, args: ['610', 'internal'] },
    ],
    [
      'StasisStart without caller id, state nor arguments',
      { type: 'StasisStart', channel: { id: 'c1' } },
      { type: 'StasisStart', channel: { id: 'c1', callerNumber: '', answered: false }, args: [] },
    ],
    ['StasisEnd', { type: 'StasisEnd', channel: { id: 'c1' } }, { type: 'StasisEnd', channel: { id: 'c1' } }],
    [
      'a key',
      { type: 'ChannelDtmfReceived', channel: { id: 'c1' }, digit: '#', duration_ms: 100 },
      { type: 'ChannelDtmfReceived', channel: { id: 'c1' }, digit: '#' },
    ],
    [
      'ChannelLeftBridge',
      { type: 'ChannelLeftBridge', channel: { id: 'c1' }, bridge: { id: 'b' } },
      { type: 'ChannelLeftBridge', channel: { id: 'c1' } },
    ],
    [
      'ChannelHangupRequest',
      { type: 'ChannelHangupRequest', channel: { id: 'c1' }, cause: 16 },
      { type: 'ChannelHangupRequest', channel: { id: 'c1' }, cause: 16 },
    ],
    ['ChannelHold', { type: 'ChannelHold', channel: { id: 'c1' }, musicclass: 'default' }, { type: 'ChannelHold', channel: { id: 'c1' } }],
    [
      'RecordingFinished',
      { type: 'RecordingFinished', recording: { name: 'conference-300-20261204T103005Z-0badcafe', state: 'done', format: 'wav' } },
      { type: 'RecordingFinished', recording: { name: 'conference-300-20261204T103005Z-0badcafe' } },
    ],
    [
      'ChannelTalkingFinished',
      { type: 'ChannelTalkingFinished', channel: { id: 'c1' }, duration: 1800 },
      { type: 'ChannelTalkingFinished', channel: { id: 'c1' } },
    ],
    [
      'PlaybackFinished',
      { type: 'PlaybackFinished', playback: { id: 'p1', target_uri: 'channel:c1', state: 'done' } },
      { type: 'PlaybackFinished', playback: { id: 'p1', target: 'channel:c1' } },
    ],
  ])('%s', (_name, raw, event) => {
    expect(parseAriEvent(raw)).toEqual({ kind: 'event', event });
  });

  it.each<[AriEvent, string]>([
    [{ type: 'StasisStart' }, 'channel.id'],
    [{ type: 'StasisEnd', channel: { id: 7 } }, 'channel.id'],
    [{ type: 'StasisStart', channel: { id: 'c1' }, args: '610' }, 'args'],
    [{ type: 'StasisStart', channel: { id: 'c1', caller: { number: 201 } } }, 'channel.caller.number'],
    [{ type: 'ChannelDtmfReceived', channel: { id: 'c1' } }, 'digit'],
    [{ type: 'PlaybackStarted', playback: { target_uri: 'channel:c1' } }, 'playback.id'],
    [{ type: 'PlaybackFinished', playback: { id: 'p1' } }, 'playback.target_uri'],
  ])('%j lacks %s', (raw, missing) => {
    expect(parseAriEvent(raw)).toEqual({ kind: 'malformed', type: raw.type, missing });
  });

  it('leaves out the types the app does not act on', () => {
    expect(parseAriEvent({ type: 'ChannelVarset', channel: { id: 'c1' } })).toEqual({ kind: 'other' });
  });
});

describe('AriAppEvents', () => {
  it("hands the app its events, and logs what it drops without the event's content", () => {
    const logs: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream: sink })] });
    const stream = new EventEmitter() as unknown as EventStream;
    const events: AppEvent[] = [];
    new AriAppEvents(stream, { url: 'http://127.0.0.1:8088', app: 'conference' }, log).on('event', (event) => events.push(event));
    stream.emit('event', { type: 'ChannelDtmfReceived', channel: { id: 'c1' }, digit: '7' });
    stream.emit('event', { type: 'ChannelDtmfReceived', channel: { name: 'PJSIP/7' }, digit: '7' });
    stream.emit('event', { type: 'ChannelVarset', channel: { id: 'c1' } });
    expect(events).toEqual([{ type: 'ChannelDtmfReceived', channel: { id: 'c1' }, digit: '7' }]);
    const dropped = { level: 'warn', event: 'ari-event-dropped', type: 'ChannelDtmfReceived', missing: 'channel.id' };
    expect(logs).toEqual([expect.objectContaining(dropped)]);
    expect(JSON.stringify(logs)).not.toContain('PJSIP/7');
  });
});
