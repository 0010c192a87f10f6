import { Caller } from '../../harness/caller';
import { joinRoom, useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';

/** 30 callers at once: mixed rooms, random rooms, wrong PINs and early hangups. */
describe('30 concurrent callers', () => {
  const s = useScenario({
    bruteForce: { windowSeconds: 600, slowAfter: 100, delayMs: 0, maxDelayMs: 0, lockAfter: 100, lockoutSeconds: 60 },
  });

  it('end in exactly the expected bridges, and leave nothing once all hang up', async () => {
    // The rooms' first callers set the PINs.
    const founders = await Promise.all([
      joinRoom(s.driver, '88601', { pin: '1' }),
      joinRoom(s.driver, '88602', { pin: '2' }),
      joinRoom(s.driver, '886003'),
    ]);
    await Promise.all([
      founders[0].entersBridge('conference-601'),
      founders[1].entersBridge('conference-602'),
      founders[2].entersBridge('conference-6003'),
    ]);

    const joiners601 = Array.from({ length: 5 }, () => joinRoom(s.driver, '88', { room: '601#', pin: '1' }));
    const joiners602 = Array.from({ length: 4 }, () => joinRoom(s.driver, '88602', { pin: '2' }));
    const joiners6003 = Array.from({ length: 3 }, () => joinRoom(s.driver, '88', { room: '6003' }));
    const randoms = ['88000', '88000', '88000', '880000', '880000'].map((d) => joinRoom(s.driver, d));
    const intruders = Array.from({ length: 5 }, async () => {
      const caller = await s.driver.call('88601');
      for (let attempt = 1; attempt <= 3; attempt++) {
        await s.driver.waitFor(() => caller.played().filter((m) => m === 'sound:conf-getpin').length === attempt, 10000, 'PIN prompt');
        await caller.dtmf('999#');
      }
      await caller.hungUp({ timeoutMs: 15000 });
      return caller;
    });
    const quitters = Array.from({ length: 5 }, async (_, i) => {
      const caller = await s.driver.call(i % 2 ? '88' : '88601');
      await caller.hears(i % 2 ? 'sound:conf-getconfno' : 'sound:conf-getpin');
      await caller.hangup();
      return caller;
    });

    const [in601, in602, in6003, random] = await Promise.all([
      Promise.all(joiners601),
      Promise.all(joiners602),
      Promise.all(joiners6003),
      Promise.all(randoms),
    ]);
    const refused = await Promise.all(intruders);
    await Promise.all(quitters);

    const expected = new Map<string, Caller[]>([
      ['conference-601', [founders[0], ...in601]],
      ['conference-602', [founders[1], ...in602]],
      ['conference-6003', [founders[2], ...in6003]],
    ]);
    for (const caller of random) {
      const announced = caller
        .played()
        .find((m) => m.startsWith('digits:'))!
        .slice('digits:'.length);
      expect(expected.has(`conference-${announced}`)).toBe(false); // never the same random room twice
      expected.set(`conference-${announced}`, [caller]);
    }
    const want = new Map([...expected].map(([bridge, callers]) => [bridge, callers.map((c) => c.appChannel).sort()]));
    let seen = new Map<string, string[]>();
    await waitUntil(
      async () => {
        seen = new Map([...(await s.driver.conferenceBridges())].map(([id, channels]) => [id, [...channels].sort()]));
        return JSON.stringify([...seen].sort()) === JSON.stringify([...want].sort());
      },
      15000,
      () =>
        `bridges to hold exactly the expected callers; ${bridgeDifferences(want, seen, [...founders, ...in601, ...in602, ...in6003, ...random, ...refused], s.harness.logs)}`,
    );
    for (const intruder of refused) {
      expect(
        s.driver.events.some((e) => e.type === 'ChannelEnteredBridge' && (e.channel as { id: string }).id === intruder.appChannel),
      ).toBe(false);
    }
    // useScenario's afterEach hangs everyone up and checks nothing is left.
  }, 90000);

  it('callers of one room keying # at once all get in; one hanging up as they key does not', async () => {
    const founder = await joinRoom(s.driver, '88611', { pin: '7' });
    await founder.entersBridge('conference-611');
    const callers = await Promise.all(Array.from({ length: 7 }, () => s.driver.call('88611')));
    await Promise.all(
      callers.map(async (caller) => {
        await caller.hears('sound:conf-getpin');
        await caller.dtmf('7');
      }),
    );
    // Every PIN digit in the app's hands: the '#' keys now come in together.
    await waitUntil(
      () =>
        callers.every((c) =>
          s.driver.events.some((e) => e.type === 'ChannelDtmfReceived' && (e.channel as { id: string }).id === c.appChannel),
        ),
      10000,
      'the PIN digit of every caller',
    );
    const [leaver, ...stayers] = callers as [Caller, ...Caller[]];
    await Promise.all(callers.map((c) => c.dtmf('#', 0, 80)));
    await leaver.hangup();
    await Promise.all(stayers.map((c) => c.entersBridge('conference-611')));
    await leaver.hungUp();
    await waitUntil(
      async () => {
        const inRoom = (await s.driver.conferenceBridges()).get('conference-611') ?? [];
        return [founder, ...stayers].every((c) => inRoom.includes(c.appChannel)) && !inRoom.includes(leaver.appChannel);
      },
      10000,
      () => `conference-611 to hold the founder and the six who stayed; leaver: ${leaver.history()}`,
    );
    for (const caller of stayers) await caller.hears('sound:conf-enteringno');
  }, 60000);
});

/** Each bridge whose callers differ from those expected, and what the driver saw and the app logged of every caller concerned. */
function bridgeDifferences(
  want: Map<string, string[]>,
  seen: Map<string, string[]>,
  callers: Caller[],
  appLog: Array<Record<string, unknown>>,
): string {
  const differing = [...new Set([...want.keys(), ...seen.keys()])].filter(
    (id) => JSON.stringify(want.get(id) ?? []) !== JSON.stringify(seen.get(id) ?? []),
  );
  const concerned = new Set(differing.flatMap((id) => [...(want.get(id) ?? []), ...(seen.get(id) ?? [])]));
  const stories = callers
    .filter((c) => concerned.has(c.appChannel))
    .map(
      (c) =>
        `${c.appChannel}: ${c.history() || 'nothing'}; app log: ${appLog
          .filter((line) => line.call === c.appChannel)
          .map((line) => JSON.stringify(line))
          .join(' ')}`,
    );
  const bridges = differing.map((id) => `${id} holds [${(seen.get(id) ?? []).join(' ')}], expected [${(want.get(id) ?? []).join(' ')}]`);
  return `${bridges.join('; ')}; seen of those callers: ${stories.join('; ')}`;
}
