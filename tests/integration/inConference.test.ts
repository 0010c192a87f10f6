import { bridgePlayback, joinRoom, useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';
import { asteriskScript } from '../../harness/testEnv';

/** SPEC.md "In the conference", and hangups anywhere leave nothing behind. */
describe('in the conference', () => {
  const s = useScenario();

  it('announces the room, tells a lone caller so, and tells the next one how many are in', async () => {
    const first = await joinRoom(s.driver, '88700');
    await first.entersBridge('conference-700');
    await first.hears('sound:conf-onlyperson');
    expect(first.played().slice(-3)).toEqual(['sound:conf-enteringno', 'digits:700', 'sound:conf-onlyperson']);

    const second = await joinRoom(s.driver, '88700');
    await second.entersBridge('conference-700');
    await second.hears('sound:conf-otherinparty');
    expect(second.played().slice(-5)).toEqual([
      'sound:conf-enteringno',
      'digits:700',
      'sound:conf-thereare',
      'number:1',
      'sound:conf-otherinparty',
    ]);
    expect(second.played()).not.toContain('sound:conf-onlyperson');
  });

  it('plays music on hold to a caller alone in the room, and stops it when someone arrives', async () => {
    const first = await joinRoom(s.driver, '88709');
    await first.entersBridge('conference-709');
    // Bridge music is an Announcer channel in the bridge: the caller's bridge peer says so.
    await s.driver.waitFor(
      (e) =>
        e.type === 'ChannelVarset' &&
        e.variable === 'BRIDGEPEER' &&
        (e.channel as { id: string }).id === first.appChannel &&
        String(e.value).startsWith('Announcer/ARI_MOH'),
      10000,
      'music on hold for the lone caller',
    );
    const second = await joinRoom(s.driver, '88709');
    await second.entersBridge('conference-709');
    await waitUntil(() => !asteriskScript(['cli', 'bridge show conference-709']).includes('Announcer/ARI_MOH'), 5000, 'music to stop');
  });

  it('plays a tone to the others when someone joins or leaves', async () => {
    const first = await joinRoom(s.driver, '88701');
    await first.entersBridge('conference-701');
    expect(s.driver.events.some(bridgePlayback('conference-701', 'sound:conference/join-tone'))).toBe(false);
    const second = await joinRoom(s.driver, '88701');
    await second.entersBridge('conference-701');
    await s.driver.waitFor(bridgePlayback('conference-701', 'sound:conference/join-tone'));
    await second.hangup();
    await s.driver.waitFor(bridgePlayback('conference-701', 'sound:conference/leave-tone'));
    expect(await first.bridge()).toBe('conference-701');
  });

  it('plays no tones when the admin turned them off', async () => {
    await s.harness.writeSettings({ sounds: { joinTone: false, leaveTone: false, musicOnHoldClass: 'default' } });
    try {
      const first = await joinRoom(s.driver, '88702');
      await first.entersBridge('conference-702');
      const second = await joinRoom(s.driver, '88702');
      await second.entersBridge('conference-702');
      await second.hears('sound:conf-otherinparty');
      await second.hangup();
      await second.hungUp();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(
        s.driver.events.some(
          (e) => e.type === 'PlaybackStarted' && (e.playback as { target_uri: string }).target_uri === 'bridge:conference-702',
        ),
      ).toBe(false);
    } finally {
      await s.harness.writeSettings({ sounds: { joinTone: true, leaveTone: true, musicOnHoldClass: 'default' } });
    }
  });

  it('destroys the bridge with its last participant, and the number is free again', async () => {
    const first = await joinRoom(s.driver, '88703', { pin: '1' });
    await first.entersBridge('conference-703');
    await first.hangup();
    await waitUntil(async () => !(await s.driver.conferenceBridges()).has('conference-703'), 5000, 'bridge destroyed');
    // A new first caller sets a new PIN.
    const next = await joinRoom(s.driver, '88703', { pin: '2' });
    await next.entersBridge('conference-703');
  });

  it.each([
    ['during the room prompt', async (c: Awaited<ReturnType<typeof s.driver.call>>) => c.hears('sound:conf-getconfno'), '88'],
    [
      'while keying the room',
      async (c: Awaited<ReturnType<typeof s.driver.call>>) => {
        await c.hears('sound:conf-getconfno');
        await c.dtmf('12');
      },
      '88',
    ],
    ['during the PIN prompt of a new room', async (c: Awaited<ReturnType<typeof s.driver.call>>) => c.hears('sound:conf-getpin'), '88704'],
    ['after the random number was drawn', async (c: Awaited<ReturnType<typeof s.driver.call>>) => c.hears('sound:conf-getpin'), '88000'],
  ])('leaves nothing behind when the caller hangs up %s', async (_when, until, dialled) => {
    const caller = await s.driver.call(dialled);
    await until(caller);
    await caller.hangup();
    await caller.hungUp();
  });

  it('leaves nothing behind when a waiting caller hangs up, and the first caller still gets in', async () => {
    const first = await s.driver.call('88705');
    await first.hears('sound:conf-getpin');
    const waiting = await joinRoom(s.driver, '88705', { pin: '9' });
    await waitUntil(() => s.harness.logs.some((l) => l.event === 'waiting' && l.call === waiting.appChannel), 5000, 'caller waiting');
    await waiting.hangup();
    await waiting.hungUp();
    await first.dtmf('9#');
    await first.entersBridge('conference-705');
  });
});
