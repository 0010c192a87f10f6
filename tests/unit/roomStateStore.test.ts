import { EmbeddedRoomState, RoomStateStore } from '../../src/app/roomStateStore';
import { hashPin } from '../../src/domain/pinHash';

/** What every RoomStateStore guarantees (the registry relies on it), shown on the in-memory one. */
describe('room state store: the embedded one', () => {
  let persisted: string[];
  let store: RoomStateStore;
  beforeEach(() => {
    persisted = [];
    store = new EmbeddedRoomState({
      set: async (room) => void persisted.push(`set ${room}`),
      delete: (room) => persisted.push(`delete ${room}`),
    });
  });

  it('claims a number once: a second claim of it fails until it is released', async () => {
    expect(await store.claim('123')).toBe(true);
    expect(await store.claim('123')).toBe(false);
    expect(await store.isClaimed('123')).toBe(true);
    await store.release('123');
    expect(await store.isClaimed('123')).toBe(false);
    expect(await store.claim('123')).toBe(true);
  });

  it('counts the numbers held, in all and by length (the random draw)', async () => {
    for (const room of ['123', '456', '7890']) await store.claim(room);
    expect([await store.claimedCount(), [...(await store.claimedRooms(3))], [...(await store.claimedRooms(4))]]).toEqual([
      3,
      ['123', '456'],
      ['7890'],
    ]);
    await store.release('456');
    await store.release('456');
    expect([await store.claimedCount(), [...(await store.claimedRooms(3))], [...(await store.claimedRooms(4))]]).toEqual([
      2,
      ['123'],
      ['7890'],
    ]);
  });

  it("sets a room's PIN once, only for a held number, and keeps it until the number is released", async () => {
    const pin = hashPin('1234');
    expect(await store.setPin('123', pin)).toBe(false);
    await store.claim('123');
    expect(await store.setPin('123', pin)).toBe(true);
    expect(await store.setPin('123', hashPin('9999'))).toBe(false);
    expect(await store.pinOf('123')).toEqual(pin);
    await store.release('123');
    await store.claim('123');
    expect(await store.pinOf('123')).toBeUndefined();
    expect(persisted).toEqual(['set 123', 'delete 123']);
  });

  it('locks and unlocks a held room, saying when the lock changed; a released room is unlocked', async () => {
    expect(await store.setLocked('123', true)).toBe(false);
    await store.claim('123');
    expect(await store.setLocked('123', true)).toBe(true);
    expect(await store.setLocked('123', true)).toBe(false);
    expect(await store.isLocked('123')).toBe(true);
    await store.release('123');
    await store.claim('123');
    expect(await store.isLocked('123')).toBe(false);
  });
});
