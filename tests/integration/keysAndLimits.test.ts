import { Caller } from '../../harness/caller';
import { joinRoom, useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';
import { helpAnnouncement } from '../../src/app/media';
import { DEFAULT_KEY_MAP } from '../../src/domain/conferenceKeys';

/** The in-conference keys (conferenceKeys) and the limits (limits.*), as callers meet them. */
describe('keys in a conference, and limits', () => {
  const s = useScenario({ limits: { maxParticipantsPerRoom: 2, maxRooms: 3 } });

  async function twoIn(room: string): Promise<[Caller, Caller]> {
    const first = await joinRoom(s.driver, `88${room}`);
    await first.entersBridge(`conference-${room}`);
    await first.hears('sound:conf-onlyperson');
    const second = await joinRoom(s.driver, `88${room}`);
    await second.entersBridge(`conference-${room}`);
    await second.hears('sound:conf-otherinparty');
    return [first, second];
  }

  /** What the caller heard from prompt number `from` on, once `last` has started. */
  async function heardAfter(caller: Caller, from: number, last: string, timeoutMs = 10000): Promise<string[]> {
    await waitUntil(() => caller.played().slice(from).includes(last), timeoutMs, `${last} after the key`);
    return caller.played().slice(from);
  }

  // One pair of callers for the four keys: joining and the announcements take real seconds.
  it('1 mutes and unmutes, 2 tells how many others are in, 3 reads the room number, * plays the help', async () => {
    const [first] = await twoIn('990');
    const press = async (key: string, last: string, timeoutMs?: number): Promise<string[]> => {
      const from = first.played().length;
      await first.dtmf(key);
      return heardAfter(first, from, last, timeoutMs);
    };
    expect(await press('1', 'sound:conference/muted')).toEqual(['sound:conference/muted']);
    expect(s.harness.app.rooms.isMuted('990', first.appChannel)).toBe(true);
    expect(await press('1', 'sound:conference/unmuted')).toEqual(['sound:conference/unmuted']);
    expect(s.harness.app.rooms.isMuted('990', first.appChannel)).toBe(false);
    expect(await press('2', 'sound:conf-otherinparty')).toEqual(['sound:conf-thereare', 'number:1', 'sound:conf-otherinparty']);
    expect(await press('3', 'digits:990')).toEqual(['sound:conference/your-conference-number-is', 'digits:990']);
    // The help tells five keys: about 15 s.
    expect(await press('*', 'sound:digits/star', 30000)).toEqual(helpAnnouncement(DEFAULT_KEY_MAP));
  }, 60000);

  it('a remapped key map: the new keys act, the old ones do not, and the help tells the new ones', async () => {
    const keys = { toggleMute: '5', participantCount: '6', roomNumber: '7', help: '0', leave: '9' };
    await s.harness.writeSettings({ conferenceKeys: keys });
    try {
      const [first] = await twoIn('993');
      const from = first.played().length;
      await first.dtmf('1');
      await first.dtmf('0');
      const heard = await heardAfter(first, from, helpAnnouncement(keys).at(-1)!, 30000);
      expect(heard).toEqual(helpAnnouncement(keys));
      expect(heard).toContain('sound:conference/help-mute');
      expect(s.harness.app.rooms.isMuted('993', first.appChannel)).toBe(false);
      await first.dtmf('5');
      await first.hears('sound:conference/muted');
      expect(s.harness.app.rooms.isMuted('993', first.appChannel)).toBe(true);
    } finally {
      await s.harness.writeSettings({ conferenceKeys: { ...DEFAULT_KEY_MAP } });
    }
  }, 60000);

  it('# says goodbye and leaves; the others stay', async () => {
    const [first, second] = await twoIn('994');
    await second.dtmf('#');
    await second.hears('sound:goodbye');
    await second.hungUp();
    expect(await first.bridge()).toBe('conference-994');
  });

  it('maxParticipantsPerRoom: the next caller hears "this conference is full" and is hung up', async () => {
    const [first, second] = [await joinRoom(s.driver, '88995'), await joinRoom(s.driver, '88995')];
    await first.entersBridge('conference-995');
    await second.entersBridge('conference-995');
    const third = await joinRoom(s.driver, '88995');
    await third.hears('sound:conference/conference-full');
    await third.hungUp();
    expect(await third.bridge()).toBeUndefined();
    expect(await first.bridge()).toBe('conference-995');
    expect(await second.bridge()).toBe('conference-995');
  });

  it('maxRooms: a caller who would start one more room is refused; joining a running room still works', async () => {
    for (const room of ['996', '997', '998']) {
      const caller = await joinRoom(s.driver, `88${room}`);
      await caller.entersBridge(`conference-${room}`);
    }
    for (const dialled of ['88999', '88000']) {
      const refused = await s.driver.call(dialled);
      await refused.hears('sound:conference/too-many-conferences');
      await refused.hungUp();
      expect(refused.played()).not.toContain('sound:conf-getpin');
    }
    const joiner = await joinRoom(s.driver, '88996');
    await joiner.entersBridge('conference-996');
  });
});
