import { eventLine } from '../../src/app/eventsLog';

const at = Date.UTC(2025, 0, 2, 3, 4, 5);

describe('events log lines', () => {
  it('writes a left event with ISO times and the duration', () => {
    const line = eventLine({ type: 'left', at, room: '123', channel: 'c1', callerId: '201', joinedAt: at - 65_000 });
    expect(JSON.parse(line as string)).toEqual({ event: 'left', time: '2025-01-02T03:04:05.000Z', room: '123', channel: 'c1', callerId: '201', joinedAt: '2025-01-02T03:03:00.000Z', durationSeconds: 65 });
  });

  it('writes refusals and admin actions, with no PIN in any field', () => {
    expect(JSON.parse(eventLine({ type: 'refused', at, reason: 'room-locked', room: '123', channel: 'c2', callerId: '202' }) as string)).toEqual({
      event: 'refused', time: '2025-01-02T03:04:05.000Z', reason: 'room-locked', room: '123', channel: 'c2', callerId: '202',
    });
    expect(JSON.parse(eventLine({ type: 'admin', at, action: 'lock', room: '123', channel: undefined }) as string)).toEqual({ event: 'admin', time: '2025-01-02T03:04:05.000Z', action: 'lock', room: '123' });
  });

  it('leaves calls and wrong PINs to the metrics', () => {
    expect(eventLine({ type: 'call', at, channel: 'c', callerId: '201', callerKind: 'internal' })).toBeUndefined();
    expect(eventLine({ type: 'wrong-pin', at, room: '123', channel: 'c', callerId: '201', lockedOut: false })).toBeUndefined();
  });
});
