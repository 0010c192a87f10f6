import { bridgeIdFor, parseDialledSuffix, parseRoomEntry, roomFromBridgeId, spareBridgeIdFor } from '../../src/domain/roomNumber';

describe('room entries', () => {
  it.each([
    ['123', { kind: 'room', room: '123' }],
    ['1234', { kind: 'room', room: '1234' }],
    ['0123', { kind: 'room', room: '0123' }],
    ['000', { kind: 'random', digits: 3 }],
    ['0000', { kind: 'random', digits: 4 }],
    ['12', undefined],
    ['12345', undefined],
    ['12a', undefined],
    ['', undefined],
  ])('%p reads as %o', (entry, expected) => {
    expect(parseRoomEntry(entry)).toEqual(expected);
  });
});

describe('dialled suffixes', () => {
  it.each([
    ['', { kind: 'none' }],
    ['123', { kind: 'request', request: { kind: 'room', room: '123' } }],
    ['1234', { kind: 'request', request: { kind: 'room', room: '1234' } }],
    ['000', { kind: 'request', request: { kind: 'random', digits: 3 } }],
    ['0000', { kind: 'request', request: { kind: 'random', digits: 4 } }],
    ['12', { kind: 'invalid' }],
    ['12345', { kind: 'invalid' }],
    ['12*', { kind: 'invalid' }],
  ])('88%s asks for %o', (suffix, expected) => {
    expect(parseDialledSuffix(suffix)).toEqual(expected);
  });
});

describe('bridge ids', () => {
  it('round-trips a room through its bridge id', () => {
    expect(bridgeIdFor('123')).toBe('conference-123');
    expect(roomFromBridgeId('conference-0123')).toBe('0123');
  });

  it('finds the room of a bridge made under a spare id (its usual one still held by Asterisk)', () => {
    expect(spareBridgeIdFor('123', '0a1b2c3d')).toBe('conference-123-0a1b2c3d');
    expect(roomFromBridgeId('conference-123-0a1b2c3d')).toBe('123');
  });

  it('does not take foreign bridges for rooms', () => {
    for (const id of [
      'conference-12',
      'conference-12345',
      'other-123',
      'conference-123x',
      'conference-123-0a1b2c3',
      'conference-123-0A1B2C3D',
    ])
      expect(roomFromBridgeId(id)).toBeUndefined();
  });
});
