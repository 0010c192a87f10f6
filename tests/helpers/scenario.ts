import { AriEvent } from '../../src/ari/eventStream';
import { AppHarness } from './appHarness';
import { SettingsFile } from '../../harness/settingsFile';
import { waitUntil } from '../../harness/waitUntil';
import { Caller } from '../../harness/caller';
import { ObservedChannel } from '../../harness/observedChannel';
import { TestDriver } from '../../harness/testDriver';

/** A driver and an app under test for one test file, and the checks every test ends with. */
export interface Scenario {
  driver: TestDriver;
  harness: AppHarness;
}

export function useScenario(settings: SettingsFile = {}): Scenario {
  const scenario = {} as Scenario;
  beforeAll(async () => {
    scenario.driver = await TestDriver.connect();
    scenario.harness = await AppHarness.start(settings);
  });
  afterEach(async () => {
    await scenario.driver.hangupAll();
    await expectNothingLeft(scenario);
  });
  afterAll(async () => {
    await scenario.harness?.stop();
    await scenario.driver?.close();
  });
  return scenario;
}

/** After every caller has gone: no conference bridge in Asterisk, and nothing held in the app. */
export async function expectNothingLeft({ driver, harness }: Scenario): Promise<void> {
  await waitUntil(async () => (await driver.conferenceBridges()).size === 0, 10000, 'conference bridges to be destroyed');
  await waitUntil(
    () => {
      const stats = harness.app.stats();
      return stats.sessions === 0 && stats.rooms === 0 && stats.playbacks === 0 && stats.roomQueues === 0;
    },
    10000,
    `the app to hold nothing (${JSON.stringify(harness.app.stats())})`,
  );
}

/** Dials, keys the room (if any) when asked, then the PIN, and waits to be in the room's bridge. */
export async function joinRoom(driver: TestDriver, dialled: string, keys: RoomKeys = {}, context?: string): Promise<Caller> {
  const caller = await driver.call(dialled, context ? { context } : {});
  await keyRoomAndPin(caller, caller, keys);
  return caller;
}

/** A caller who keys a wrong PIN for a room: hears it refused, stays out of every room, hangs up. */
export async function expectWrongPinRefused(driver: TestDriver, dialled: string, pin: string): Promise<void> {
  const intruder = await driver.call(dialled);
  await intruder.hears('sound:conf-getpin');
  await intruder.dtmf(`${pin}#`);
  await intruder.hears('sound:conf-invalidpin');
  const bridge = await intruder.bridge();
  if (bridge !== undefined) throw new Error(`a caller with the wrong PIN ${pin} for ${dialled} is in ${bridge}`);
  await intruder.hangup();
}

/** What a caller keys after dialling: the room (when the number dialled had none) and the PIN. */
export interface RoomKeys {
  room?: string;
  pin?: string;
}

/** Keys the room (if any) when asked, then the PIN and `#`, on whatever keypad places the call. */
export async function keyRoomAndPin(
  channel: ObservedChannel,
  keypad: { dtmf(keys: string): Promise<void> },
  keys: RoomKeys,
): Promise<void> {
  if (keys.room !== undefined) {
    await channel.hears('sound:conf-getconfno');
    await keypad.dtmf(keys.room);
  }
  await channel.hears('sound:conf-getpin');
  // No PIN: '#' once the prompt has been heard (over it, it would end a 4-digit room entry).
  if (!keys.pin) await channel.heardToEnd('sound:conf-getpin');
  await keypad.dtmf(`${keys.pin ?? ''}#`);
}

/** A prompt or tone starting for everyone in the bridge (a join tone, a room's announcement). */
export function bridgePlayback(bridgeId: string, media: string): (e: AriEvent) => boolean {
  return (e) =>
    e.type === 'PlaybackStarted' &&
    (e.playback as { target_uri: string; media_uri: string }).target_uri === `bridge:${bridgeId}` &&
    (e.playback as { media_uri: string }).media_uri === media;
}
