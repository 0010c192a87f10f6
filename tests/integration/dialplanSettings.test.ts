import { AriEvent } from '../../src/ari/eventStream';
import { AppHarness } from '../helpers/appHarness';
import { waitUntil } from '../../harness/waitUntil';
import { Caller } from '../../harness/caller';
import { joinRoom } from '../helpers/scenario';
import { callApi } from '../helpers/statusApi';
import { TestDriver } from '../../harness/testDriver';
import { asteriskScript, asteriskScriptInBackground, astdbValue } from '../../harness/testEnv';

/** An admin's number and app name, neither of them the defaults the dialplan falls back to. */
const SETTINGS = { number: '77', ari: { app: 'conference-custom' } };

/**
 * SPEC.md "Administrator settings": the server number (and the Stasis app's name) stay in force
 * through Asterisk's reloads and restarts. The app keeps them in Asterisk's database (AstDB),
 * which the dialplan reads; it repairs a value changed behind its back.
 */
describe('the server number and app name through Asterisk reloads, restarts and drifts', () => {
  let driver: TestDriver;
  let harness: AppHarness | undefined;

  beforeAll(async () => {
    driver = await TestDriver.connect();
    harness = await AppHarness.start(SETTINGS);
  });
  afterEach(async () => {
    await driver.hangupAll();
  });
  afterAll(async () => {
    await harness?.stop();
    // The next test file's app stores its own values; none of this file's are left to it.
    asteriskScript(['cli', 'database deltree conference']);
    await driver?.close();
  });

  function app(): AppHarness {
    if (!harness) throw new Error('the app is not running');
    return harness;
  }

  /** Every Playback the dialplan (not the app) ran on this caller's channel. */
  function dialplanPlaybacks(caller: Caller): string[] {
    return driver.events
      .filter(
        (e: AriEvent) =>
          e.type === 'ChannelDialplan' && (e.channel as { id: string }).id === caller.appChannel && e.dialplan_app === 'Playback',
      )
      .map((e) => String(e.dialplan_app_data));
  }

  /** A call the dialplan turns away as no number of ours (ss-noservice), before any app hears of it. */
  async function refused(dialled: string): Promise<void> {
    const caller = await driver.call(dialled);
    await caller.hungUp();
    expect(caller.played()).toEqual([]);
    expect(dialplanPlaybacks(caller)).toEqual(['ss-noservice']);
  }

  /** The admin's number reaches a room through the app of the admin's name; the default 88 reaches nothing. */
  async function numberInForce(room: string): Promise<void> {
    const caller = await joinRoom(driver, `77${room}`);
    await caller.entersBridge(`conference-${room}`);
    await refused(`88${room}`);
    await caller.hangup();
    await caller.hungUp();
  }

  function repairs(): number {
    return app().logs.filter((l) => l.event === 'dialplan-settings-repaired').length;
  }

  it.each([
    ['dialplan reload', '701'],
    ['module reload', '702'],
    ['core reload', '703'],
  ])('after "%s" the new number still reaches a room and the old one does not, with nothing to repair', async (command, room) => {
    await numberInForce(room);
    const repairsBefore = repairs();
    asteriskScript(['cli', command]);
    // At once: no check of the app's (every 20 s) has come in between to repair anything.
    await numberInForce(room);
    expect(repairs()).toBe(repairsBefore);
    expect([astdbValue('conference', 'number'), astdbValue('conference', 'app')]).toEqual(['77', 'conference-custom']);
  });

  it('after an Asterisk restart the stored number is in force before the app is back; with it back, it reaches a room and the old one does not', async () => {
    await app().stop();
    harness = undefined;
    await driver.close();
    await asteriskScriptInBackground(['restart']);
    driver = await TestDriver.connect();
    // The app is away: its number leads to "service unavailable" (Stasis of its name fails), 88 to nothing.
    const early = await driver.call('77704');
    await early.hungUp();
    expect(dialplanPlaybacks(early)).toEqual(['conference/service-unavailable']);
    await refused('88704');

    harness = await AppHarness.start(SETTINGS);
    expect(app().logs.find((l) => l.event === 'dialplan-settings-stored')).toMatchObject({
      number: '77',
      app: 'conference-custom',
      previous: { number: '77', app: 'conference-custom' },
    });
    await numberInForce('704');
  }, 90000);

  it('names the dialplan context it misses when it cannot store the number, and stores it once the context is back', async () => {
    const failures = (): Array<Record<string, unknown>> => app().logs.filter((l) => l.event === 'write-failed' && l.setting === 'number');
    const stored = (number: string): boolean => app().logs.some((l) => l.event === 'dialplan-settings-stored' && l.number === number);
    asteriskScript(['cli', 'dialplan remove extension store@conference-settings']);
    try {
      await app().writeSettings({ number: '76' });
      await waitUntil(() => failures().length > 0, 10000, 'the app to report that it could not store the number');
      expect(String(failures()[0]?.error)).toMatch(/no report from the dialplan context conference-settings within 5 s/);
      expect(stored('76')).toBe(false);
      const health = await callApi(app(), 'GET', '/health', null);
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({
        status: 'degraded',
        writeErrors: [
          { setting: 'number', path: 'AstDB conference/number, conference/app', error: expect.stringMatching(/conference-settings/) },
        ],
      });
    } finally {
      asteriskScript(['cli', 'dialplan reload']);
    }
    await waitUntil(() => stored('76'), 25000, 'the app to store the number at its next check');
    expect((await callApi(app(), 'GET', '/health', null)).json).toMatchObject({ status: 'ok' });
    const caller = await joinRoom(driver, '76706');
    await caller.entersBridge('conference-706');
    await app().writeSettings({ number: '77' });
    await waitUntil(() => astdbValue('conference', 'number') === '77', 10000, 'the number 77 back in AstDB');
  }, 60000);

  it('repairs a number and an app name changed by hand in AstDB within its check period, and logs what had drifted', async () => {
    await numberInForce('705');
    const repairsBefore = repairs();
    asteriskScript(['cli', 'database put conference number 88']);
    asteriskScript(['cli', 'database del conference app']);
    // Drifted: 77 leads nowhere now.
    await refused('77705');
    await waitUntil(() => repairs() > repairsBefore, 25000, 'the app to repair the drift (it checks every 20 s)');
    expect(
      app()
        .logs.filter((l) => l.event === 'dialplan-settings-repaired')
        .at(-1),
    ).toMatchObject({
      drifted: ['number', 'app'],
      found: { number: '88', app: '' },
      stored: { number: '77', app: 'conference-custom' },
    });
    await numberInForce('705');
  }, 60000);
});
