import winston from 'winston';
import { SpokenNames } from '../../src/app/spokenNames';
import { channelOfSpokenName, spokenNameFor, spokenNamesIn } from '../../src/domain/spokenName';
import { findPermanentRoom } from '../../src/domain/permanentRooms';

const silent = winston.createLogger({ silent: true });

/** Asterisk's stored recordings: what is there, and what was deleted. */
function files(stored: string[] = []) {
  const deleted: string[] = [];
  return {
    deleted,
    control: {
      storedRecordings: async () => [...stored],
      deleteStored: async (name: string) => {
        deleted.push(name);
        return true;
      },
    },
  };
}

/** Lets promise chains run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('spoken name recordings: their names', () => {
  it('name a channel in a plain file name, and read the channel back', () => {
    for (const channel of ['1733312345.12', 'conference-test-a;2', 'ünïcode']) {
      const name = spokenNameFor(channel);
      expect(name).toMatch(/^conference-name-[0-9a-f]+$/);
      expect(channelOfSpokenName(name)).toBe(channel);
    }
  });

  it('tell a room recording and anything else from a name', () => {
    expect(channelOfSpokenName('conference-123-20261204T103005Z-5f3a9c1e')).toBeUndefined();
    expect(channelOfSpokenName('conference-name-')).toBeUndefined();
    expect(channelOfSpokenName('conference-name-abc')).toBeUndefined();
    expect(channelOfSpokenName('voicemail-greeting')).toBeUndefined();
  });

  it("follow a permanent room's own option, else the setting for all rooms", () => {
    const rooms = [{ number: '500', spokenNames: false }, { number: '501', spokenNames: true }, { number: '502' }];
    expect(spokenNamesIn(findPermanentRoom(rooms, '500'), true)).toBe(false);
    expect(spokenNamesIn(findPermanentRoom(rooms, '501'), false)).toBe(true);
    expect(spokenNamesIn(findPermanentRoom(rooms, '502'), true)).toBe(true);
    expect(spokenNamesIn(undefined, false)).toBe(false);
  });
});

describe('SpokenNames: a name from its recording to its deletion', () => {
  it('deletes a name when its call ends, once every announcement of it has played', async () => {
    const { control, deleted } = files();
    const names = new SpokenNames(control, silent);
    const name = names.nameFor('chan-1');
    let hasLeftPlayed!: () => void;
    names.playing(name, Promise.resolve());
    names.playing(name, new Promise<void>((resolve) => (hasLeftPlayed = resolve)));
    const released = names.release('chan-1');
    await settle();
    expect(deleted).toEqual([]);
    hasLeftPlayed();
    await released;
    expect(deleted).toEqual([name]);
  });

  it('deletes nothing for a call that recorded no name, and a name only once', async () => {
    const { control, deleted } = files();
    const names = new SpokenNames(control, silent);
    await names.release('chan-without-name');
    names.nameFor('chan-2');
    await names.release('chan-2');
    await names.release('chan-2');
    expect(deleted).toEqual([spokenNameFor('chan-2')]);
  });

  it('deletes a name whose announcement never reports its end, a minute after its call', async () => {
    jest.useFakeTimers();
    try {
      const { control, deleted } = files();
      const names = new SpokenNames(control, silent);
      const name = names.nameFor('chan-3');
      names.playing(name, new Promise<void>(() => undefined));
      const released = names.release('chan-3');
      await jest.advanceTimersByTimeAsync(59_999);
      expect(deleted).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      await released;
      expect(deleted).toEqual([name]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('at a connect, deletes the names of calls no longer held and keeps the others, leaving room recordings alone', async () => {
    const held = spokenNameFor('held');
    const ended = spokenNameFor('ended');
    const { control, deleted } = files([held, ended, 'conference-123-20261204T103005Z-5f3a9c1e']);
    const names = new SpokenNames(control, silent);
    const given: string[] = [];
    await names.recover((channelId, name) => {
      if (channelId !== 'held') return false;
      given.push(name);
      return true;
    });
    expect(deleted).toEqual([ended]);
    expect(given).toEqual([held]);
    // Kept, it is the app's to delete when that call ends.
    await names.release('held');
    expect(deleted).toEqual([ended, held]);
  });

  it('keeps the name of a call still on its way in, whose recording it knows already', async () => {
    const { control, deleted } = files([spokenNameFor('keying')]);
    const names = new SpokenNames(control, silent);
    names.nameFor('keying');
    await names.recover(() => false);
    expect(deleted).toEqual([]);
  });
});
