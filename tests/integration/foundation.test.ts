import { useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';

describe('foundation: real calls through the real Asterisk', () => {
  const s = useScenario();

  it('puts two calls to 88123 into one bridge conference-123, destroyed after both hang up', async () => {
    const first = await s.driver.call('88123');
    await first.hears('sound:conf-getpin');
    await first.dtmf('#');
    await first.entersBridge('conference-123');

    const second = await s.driver.call('88123');
    await second.hears('sound:conf-getpin');
    await second.dtmf('#');
    await second.entersBridge('conference-123');

    const bridges = await s.driver.conferenceBridges();
    expect([...bridges.keys()]).toEqual(['conference-123']);
    expect(bridges.get('conference-123')?.sort()).toEqual([first.appChannel, second.appChannel].sort());

    await first.hangup();
    await second.hangup();
    // useScenario's afterEach checks the bridge is gone and the app holds nothing.
  });
});

describe('the app as Asterisk sees it', () => {
  const s = useScenario();

  it('asks Asterisk for only the events it acts on', async () => {
    await waitUntil(
      async () => {
        const app = await s.driver.rest.get<{ events_allowed: Array<{ type: string }> }>('/applications/conference');
        return app.events_allowed.length > 0;
      },
      5000,
      'the event filter',
    );
    const app = await s.driver.rest.get<{ events_allowed: Array<{ type: string }> }>('/applications/conference');
    expect(app.events_allowed.map((e) => e.type).sort()).toEqual([
      'ChannelDestroyed',
      'ChannelDtmfReceived',
      'ChannelHangupRequest',
      'ChannelHold',
      'ChannelLeftBridge',
      'ChannelTalkingFinished',
      'ChannelTalkingStarted',
      'ChannelUnhold',
      'PlaybackFinished',
      'PlaybackStarted',
      'RecordingFailed',
      'RecordingFinished',
      'StasisEnd',
      'StasisStart',
    ]);
  });
});
