import { waitUntil } from '../../harness/waitUntil';
import { joinRoom, useScenario } from '../helpers/scenario';
import { asteriskScript } from '../../harness/testEnv';

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The races of a live conference server, on real calls. */
describe('races', () => {
  const s = useScenario();
  // A race is expected, not a fault: none of them may be logged as an error.
  afterEach(() => expect(s.harness.logs.filter((l) => l.level === 'error')).toEqual([]));

  it.each([0, 30, 80])(
    'the last participant leaving while a newcomer joins (%i ms apart) leaves the newcomer in a working bridge',
    async (apart) => {
      const room = `64${apart / 10}`;
      const last = await joinRoom(s.driver, `88${room}`, { pin: '5' });
      await last.entersBridge(`conference-${room}`);
      const newcomer = await s.driver.call(`88${room}`);
      await newcomer.hears('sound:conf-getpin');
      await newcomer.dtmf('5');
      await Promise.all([newcomer.dtmf('#'), pause(apart).then(() => last.hangup())]);
      await newcomer.entersBridge(`conference-${room}`);
      await waitUntil(
        async () => (await s.driver.conferenceBridges()).get(`conference-${room}`)?.join() === newcomer.appChannel,
        5000,
        'the newcomer alone in the bridge',
      );
      // Working: a third caller with the room's PIN meets the newcomer there.
      const third = await joinRoom(s.driver, `88${room}`, { pin: '5' });
      await third.entersBridge(`conference-${room}`);
      expect(await newcomer.bridge()).toBe(`conference-${room}`);
    },
  );

  it.each([0, 20, 60, 120])('a hangup %i ms after the right PIN leaves no member behind', async (after) => {
    const room = `65${after / 20}`;
    const host = await joinRoom(s.driver, `88${room}`, { pin: '6' });
    await host.entersBridge(`conference-${room}`);
    const leaver = await s.driver.call(`88${room}`);
    await leaver.hears('sound:conf-getpin');
    await leaver.dtmf('6#', 50, 50);
    await pause(after);
    await leaver.hangup();
    await leaver.hungUp();
    await waitUntil(() => s.harness.app.rooms.membersOf(room).length === 1, 5000, 'one member left in the app');
    await waitUntil(
      async () => (await s.driver.conferenceBridges()).get(`conference-${room}`)?.join() === host.appChannel,
      5000,
      'only the host in the bridge',
    );
  });

  it('ignores events for calls that have ended, and duplicates', async () => {
    const caller = await joinRoom(s.driver, '88660', { pin: '' });
    await caller.entersBridge('conference-660');
    await caller.hangup();
    await caller.hungUp();
    const gone = { id: caller.appChannel, caller: { number: '201' } };
    // Late and repeated events, as a slow or reconnecting socket may deliver them.
    for (const event of [
      { type: 'ChannelDtmfReceived', channel: gone, digit: '1' },
      { type: 'StasisEnd', channel: gone },
      { type: 'PlaybackFinished', playback: { id: 'no-such-playback', target_uri: `channel:${gone.id}` } },
      { type: 'ChannelDtmfReceived', channel: { id: 'never-seen' }, digit: '#' },
      { type: 'StasisEnd', channel: { id: 'never-seen' } },
    ])
      s.harness.app.events.emit('event', event);
    const next = await joinRoom(s.driver, '88660', { pin: '1' });
    await next.entersBridge('conference-660');
  });

  it("a room bridge deleted behind the app's back is made again for the next join", async () => {
    const caller = await s.driver.call('88670');
    await caller.hears('sound:conf-getpin');
    // The bridge is made while the first caller keys the PIN; an operator deletes it meanwhile.
    await waitUntil(async () => (await s.driver.conferenceBridges()).has('conference-670'), 5000, 'the bridge made during the PIN');
    await s.driver.rest.delete('/bridges/conference-670');
    await caller.dtmf('4#');
    await caller.entersBridge('conference-670');
    const second = await joinRoom(s.driver, '88670', { pin: '4' });
    await second.entersBridge('conference-670');
  });

  it("a participant taken out of the bridge behind the app's back (an operator's bridge kick) is hung up; the room goes on", async () => {
    const stays = await joinRoom(s.driver, '88680', { pin: '' });
    await stays.entersBridge('conference-680');
    const kicked = await joinRoom(s.driver, '88680', { pin: '' });
    await kicked.entersBridge('conference-680');
    // Asterisk kicks a channel once its announcement in the bridge has ended.
    await kicked.hears('sound:conf-otherinparty');
    const { name } = await s.driver.rest.get<{ name: string }>(`/channels/${kicked.appChannel}`);
    asteriskScript(['cli', `bridge kick conference-680 ${name}`]);
    await kicked.hungUp();
    await waitUntil(() => s.harness.app.rooms.membersOf('680').length === 1, 5000, 'one member left in the app');
    expect((await s.driver.conferenceBridges()).get('conference-680')).toEqual([stays.appChannel]);
    // (Another test's caller may show up here too: Asterisk 22.10.1 can lose a hangup: docs/DECISIONS.md.)
    expect(s.harness.logs.filter((l) => l.event === 'dropped' && l.call === kicked.appChannel)).toEqual([
      expect.objectContaining({ level: 'warn', room: '680' }),
    ]);
  });
});
