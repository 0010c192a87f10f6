import { spokenNameFor } from '../../src/domain/spokenName';
import { AppProcess } from '../../harness/appProcess';
import { TestDriver } from '../../harness/testDriver';
import { waitUntil } from '../../harness/waitUntil';
import { bridgePlayback, joinRoom, useScenario } from '../helpers/scenario';
import { joinRoomByPhone, usePhones } from '../helpers/sipScenario';
import { tonesHeard } from '../helpers/toneLevel';

const AUDIO_TEST_TIMEOUT_MS = 90000;

/** The callers' names Asterisk keeps. */
async function storedNames(driver: TestDriver): Promise<string[]> {
  const stored = await driver.rest.get<Array<{ name: string }>>('/recordings/stored');
  return stored.map((recording) => recording.name).filter((name) => name.startsWith('conference-name-'));
}
const NAME_HZ = 1000;

describe('spoken names', () => {
  const phones = usePhones();
  const s = useScenario({
    spokenNames: { maxSeconds: 2 },
    permanentRooms: [
      // Muted on joining: what the others hear of the tone phone is its name, never its line.
      { number: '530', pin: '1', spokenNames: true, startMuted: true },
      { number: '531', pin: '1', spokenNames: false },
    ],
  });

  it(
    'a caller says their name before joining: the others hear it as they join and leave, and it is deleted after',
    async () => {
      const [listener, named] = await Promise.all([phones.start({ user: '201' }), phones.start({ user: '202', toneHz: NAME_HZ })]);
      const first = await joinRoomByPhone(s.driver, listener, '88530', { pin: '1' });
      await first.hears('sound:vm-rec-name');
      await first.entersBridge('conference-530');
      await first.heardToEnd('sound:conference/muted');

      // The tone phone's line is the tone from its answer on: its name is the tone.
      const second = await joinRoomByPhone(s.driver, named, '88530', { pin: '1' });
      const name = spokenNameFor(second.appChannel);
      await s.driver.waitFor(bridgePlayback('conference-530', `recording:${name}`), 15000, 'NAME has joined');
      expect(tonesHeard(await listener.listen(1500), [NAME_HZ])).toEqual({ [NAME_HZ]: 'heard' });
      expect(await storedNames(s.driver)).toContain(name);
      // The announcement over, the room hears nothing of the muted phone's tone.
      await second.heardToEnd('sound:conference/muted');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(tonesHeard(await listener.listen(1500), [NAME_HZ])).toEqual({ [NAME_HZ]: 'not heard' });

      const mark = s.driver.mark();
      await named.hangup();
      await s.driver.waitFor(bridgePlayback('conference-530', `recording:${name}`), 15000, 'NAME has left', mark);
      expect(tonesHeard(await listener.listen(1500), [NAME_HZ])).toEqual({ [NAME_HZ]: 'heard' });
      await waitUntil(async () => !(await storedNames(s.driver)).includes(name), 15000, "the leaver's name deleted");
      expect(s.harness.logs.filter((l) => l.event === 'name-recorded')).toHaveLength(2);
    },
    AUDIO_TEST_TIMEOUT_MS,
  );

  it("a room's spokenNames false asks for no name: the others hear the join tone", async () => {
    const first = await joinRoom(s.driver, '88531', { pin: '1' });
    await first.entersBridge('conference-531');
    const second = await joinRoom(s.driver, '88531', { pin: '1' });
    await second.entersBridge('conference-531');
    await s.driver.waitFor(bridgePlayback('conference-531', 'sound:conference/join-tone'), 5000, 'the join tone');
    expect([...first.played(), ...second.played()]).not.toContain('sound:vm-rec-name');
  });

  it("a lone caller's name is deleted when the call ends", async () => {
    const first = await joinRoom(s.driver, '88530', { pin: '1' });
    await first.entersBridge('conference-530');
    const name = spokenNameFor(first.appChannel);
    expect(await storedNames(s.driver)).toContain(name);
    await first.hangup();
    await waitUntil(async () => !(await storedNames(s.driver)).includes(name), 15000, 'the name deleted at the call end');
  });
});

describe('spoken names through an app restart', () => {
  const app = AppProcess.prepare({ spokenNames: { enabled: true, maxSeconds: 1 } });
  let driver: TestDriver;
  beforeAll(async () => {
    driver = await TestDriver.connect();
  });
  afterAll(async () => {
    await driver.hangupAll();
    await app.kill('SIGTERM');
    await driver.close();
  });

  it("deletes the names of calls that ended while the app was away, and keeps a participant's until their call ends", async () => {
    await app.start();
    const gone = await joinRoom(driver, '88532', { pin: '4' });
    await gone.entersBridge('conference-532');
    const stays = await joinRoom(driver, '88532', { pin: '4' });
    await stays.entersBridge('conference-532');
    const [goneName, staysName] = [spokenNameFor(gone.appChannel), spokenNameFor(stays.appChannel)];
    expect(await storedNames(driver)).toEqual(expect.arrayContaining([goneName, staysName]));

    await app.kill('SIGKILL');
    await gone.hangup();
    await app.start();
    await waitUntil(
      async () => !(await storedNames(driver)).includes(goneName),
      10000,
      'the name of the call that ended meanwhile deleted',
    );
    expect(await storedNames(driver)).toContain(staysName);
    await stays.hangup();
    await waitUntil(async () => !(await storedNames(driver)).includes(staysName), 15000, "the participant's name deleted at their end");
  }, 60000);
});
