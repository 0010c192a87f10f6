import { AppHarness } from '../helpers/appHarness';
import { waitUntil } from '../../harness/waitUntil';
import { joinRoom, useScenario } from '../helpers/scenario';
import { callApi } from '../helpers/statusApi';
import { asteriskEnv, asteriskScriptInBackground } from '../../harness/testEnv';

const connections = (harness: AppHarness): number => harness.logs.filter((l) => l.event === 'ari-connected').length;

/** The app keeps serving through ARI faults; callers never hang in silence. */
describe('ARI connection faults', () => {
  const s = useScenario();

  it('reconnects after the WebSocket drops, keeps the conference going, and serves new calls', async () => {
    const first = await joinRoom(s.driver, '88610', { pin: '61' });
    await first.entersBridge('conference-610');
    const before = connections(s.harness);
    s.harness.dropAriConnection();
    await waitUntil(() => connections(s.harness) > before, 15000, 'the app to reconnect');
    expect(s.harness.logs.some((l) => l.event === 'ari-disconnected')).toBe(true);
    expect(await first.bridge()).toBe('conference-610');

    const second = await joinRoom(s.driver, '88610', { pin: '61' });
    await second.entersBridge('conference-610');
    const intruder = await joinRoom(s.driver, '88610', { pin: '99' });
    await intruder.hears('sound:conf-invalidpin');
    expect(await intruder.bridge()).toBeUndefined();
    // The participant who was in the room during the drop is still handled: its hangup empties the room.
    await first.hangup();
    await waitUntil(
      async () => (await s.driver.conferenceBridges()).get('conference-610')?.length === 1,
      5000,
      'first caller to leave the bridge',
    );
  });

  it('plays "service unavailable" from the dialplan while the app is away, then serves again when it is back', async () => {
    await s.harness.stop();
    const caller = await s.driver.call('88123');
    await s.driver.waitFor(
      (e) =>
        e.type === 'ChannelDialplan' &&
        (e.channel as { id: string }).id === caller.appChannel &&
        e.dialplan_app === 'Playback' &&
        String(e.dialplan_app_data).includes('conference/service-unavailable'),
      10000,
      'the dialplan fallback prompt',
    );
    await caller.hungUp();
    s.harness = await AppHarness.start();
    const back = await joinRoom(s.driver, '88123');
    await back.entersBridge('conference-123');
  });

  it('survives an Asterisk restart: reports it on /health, reconnects, lets go of the calls that died with it, serves new calls', async () => {
    const first = await joinRoom(s.driver, '88611', { pin: '7' });
    await first.entersBridge('conference-611');
    const before = connections(s.harness);
    const health = (): ReturnType<typeof callApi> => callApi(s.harness, 'GET', '/health', null);
    expect((await health()).status).toBe(200);
    const restarted = asteriskScriptInBackground(['restart']);
    await waitUntil(async () => (await health()).status === 503, 30000, '/health to answer 503 while Asterisk is away');
    expect((await health()).json).toMatchObject({ status: 'unavailable' });
    await restarted;
    await waitUntil(() => connections(s.harness) > before, 30000, 'the app to reconnect to the restarted Asterisk');
    await waitUntil(async () => (await health()).status === 200, 10000, '/health to answer 200 again');
    await waitUntil(
      () => s.harness.app.stats().sessions === 0 && s.harness.app.stats().rooms === 0,
      10000,
      'the app to let go of the dead calls',
    );
    await s.driver.whenConnected();
    const next = await joinRoom(s.driver, '88611', { pin: '8' });
    await next.entersBridge('conference-611');
  });

  it('never writes the ARI password to its log', () => {
    expect(s.harness.logText.some((line) => line.includes(asteriskEnv().ARI_PASSWORD))).toBe(false);
  });
});
