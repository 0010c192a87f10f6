import { EmbeddedRoomState, RoomStateStore } from '../../src/app/roomStateStore';
import { hashPin } from '../../src/domain/pinHash';

/** What every RoomStateStore guarantees (the registry relies on it), shown on the in-memory one. */
describe('room state store: the embedded one', () => {
  let persisted: string[];
  let store: RoomStateStore;
  beforeEach(() => {
    persisted = [];
    store = new EmbeddedRoomState({ set: (room) => persisted.push(`set ${room}`), delete: (room) => persisted.push(`delete ${room}`) });
  });

  it('claims a number once: a second claim of it fails until it is released', () => {
    expect(store.claim('123')).toBe(true);
    expect(store.claim('123')).toBe(false);
    expect(store.isClaimed('123')).toBe(true);
    store.release('123');
    expect(store.isClaimed('123')).toBe(false);
    expect(store.claim('123')).toBe(true);
  });

  it('counts the numbers held, in all and by length (the random draw)', () => {
    for (const room of ['123', '456', '7890']) store.claim(room);
    expect([store.claimedCount(), store.claimedCount(3), store.claimedCount(4)]).toEqual([3, 2, 1]);
    store.release('456');
    store.release('456');
    expect([store.claimedCount(), store.claimedCount(3), store.claimedCount(4)]).toEqual([2, 1, 1]);
  });

  it("sets a room's PIN once, only for a held number, and keeps it until the number is released", () => {
    const pin = hashPin('1234');
    expect(store.setPin('123', pin)).toBe(false);
    store.claim('123');
    expect(store.setPin('123', pin)).toBe(true);
    expect(store.setPin('123', hashPin('9999'))).toBe(false);
    expect(store.pinOf('123')).toEqual(pin);
    store.release('123');
    store.claim('123');
    expect(store.pinOf('123')).toBeUndefined();
    expect(persisted).toEqual(['set 123', 'delete 123']);
  });

  it('locks and unlocks a held room, saying when the lock changed; a released room is unlocked', () => {
    expect(store.setLocked('123', true)).toBe(false);
    store.claim('123');
    expect(store.setLocked('123', true)).toBe(true);
    expect(store.setLocked('123', true)).toBe(false);
    expect(store.isLocked('123')).toBe(true);
    store.release('123');
    store.claim('123');
    expect(store.isLocked('123')).toBe(false);
  });
});
