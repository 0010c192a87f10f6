import { AppHarness, SettingsFile, waitUntil } from './appHarness';
import { Caller } from './caller';
import { TestDriver } from './testDriver';

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
  await waitUntil(() => {
    const stats = harness.app.stats();
    return stats.sessions === 0 && stats.rooms === 0 && stats.playbacks === 0 && stats.roomQueues === 0;
  }, 10000, `the app to hold nothing (${JSON.stringify(harness.app.stats())})`);
}

/** Dials, keys the room (if any) when asked, then the PIN, and waits to be in the room's bridge. */
export async function joinRoom(driver: TestDriver, dialled: string, keys: { room?: string; pin?: string } = {}, context?: 'from-internal' | 'from-external'): Promise<Caller> {
  const caller = await driver.call(dialled, context ? { context } : {});
  if (keys.room !== undefined) {
    await caller.hears('sound:conf-getconfno');
    await caller.dtmf(keys.room);
  }
  await caller.hears('sound:conf-getpin');
  await caller.dtmf(`${keys.pin ?? ''}#`);
  return caller;
}
