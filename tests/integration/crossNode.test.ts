import { callerPcap } from '../../bench/sip/callPcap';
import { CallWatch } from '../../bench/sip/callWatch';
import { Sound } from '../../src/app/media';
import { AriEvent } from '../../src/ari/eventStream';
import { AriCredentials } from '../../src/tools/asteriskEnv';
import { Caller } from '../../harness/caller';
import { ObservedChannel } from '../../harness/observedChannel';
import { TestDriver } from '../../harness/testDriver';
import { AsteriskEnv, asteriskEnv, asteriskScript, SECOND_INSTANCE, startSecondAsterisk } from '../../harness/testEnv';
import { waitUntil } from '../../harness/waitUntil';
import { AppHarness } from '../helpers/appHarness';
import { expectNothingLeft, expectWrongPinRefused, joinRoom } from '../helpers/scenario';
import { joinRoomByPhone, untilOnlyVoices, usePhones } from '../helpers/sipScenario';
import { callApi } from '../helpers/statusApi';
import { sippThroughTrunk } from '../helpers/sipCallers';
import { tonesHeard } from '../helpers/toneLevel';
import { testValkey } from '../helpers/valkeyServer';

// Two Asterisks starting, then phones joining and listening: room for a slow machine.
const CLUSTER_START_MS = 180000;
const AUDIO_TEST_TIMEOUT_MS = 60000;
/** The channel a caller passed on by the other node comes in on (pjsip.conf, endpoint "cluster"). */
const LINKED = 'PJSIP/cluster-';
const TOKEN = 'cross-node-test-token-0123456789';

const credentials = (env: AsteriskEnv): AriCredentials => ({ url: env.ARI_URL, username: env.ARI_USER, password: env.ARI_PASSWORD });

/**
 * Two nodes of a cluster on one Valkey: node-a (the test Asterisk and its app) and node-b (a
 * second Asterisk with its app). A caller who lands on node-b for a room node-a mixes is passed
 * on to node-a over SIP: node-a's prompts, node-a's PIN check, node-a's bridge.
 */
describe('a caller who lands on another node than the room', () => {
  const valkey = testValkey();
  const phones = usePhones();
  let second: AsteriskEnv;
  let nodeA: AppHarness;
  let nodeB: AppHarness;
  let driverA: TestDriver;
  let driverB: TestDriver;

  const storeOf = (node: string, asterisk: AsteriskEnv): Record<string, unknown> => ({
    api: { port: 0, token: TOKEN },
    // The default lease (15 s): a node whose Asterisk is gone lets its rooms go at once.
    store: { url: valkey.url, password: valkey.password, node, sipAddress: `127.0.0.1:${asterisk.SIP_PORT}` },
  });

  beforeAll(async () => {
    second = startSecondAsterisk();
    await valkey.client().flushdb();
    nodeA = await AppHarness.start(storeOf('node-a', asteriskEnv()));
    nodeB = await AppHarness.start(storeOf('node-b', second), second);
    driverA = await TestDriver.connect();
    driverB = await TestDriver.connect(64, credentials(second));
  }, CLUSTER_START_MS);

  afterEach(async () => {
    await Promise.all([driverA.hangupAll(), driverB.hangupAll()]);
    await expectNothingLeft({ driver: driverA, harness: nodeA });
    await expectNothingLeft({ driver: driverB, harness: nodeB });
  });

  afterAll(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    await Promise.all([driverA?.close(), driverB?.close()]);
  });

  /** Dials on one node; resolves with the channel the call comes in on at the other, once there. */
  async function callPassedOn(
    from: TestDriver,
    to: TestDriver,
    dialled: string,
    callerId: string,
  ): Promise<{ landed: Caller; there: ObservedChannel }> {
    const isLinked = (e: AriEvent): boolean => e.type === 'ChannelCreated' && (e.channel as { name: string }).name.startsWith(LINKED);
    const earlier = new Set(to.events.filter(isLinked));
    const landed = await from.call(dialled, { callerId });
    const created = await to.waitFor((e) => isLinked(e) && !earlier.has(e), 10000, `the call of ${callerId} passed on`);
    return { landed, there: new ObservedChannel(to, (created.channel as { id: string }).id) };
  }

  it('keys the PIN on the room node, joins its bridge with its own number, and the landing node keeps nothing', async () => {
    const host = await joinRoom(driverA, '88610', { pin: '2468' });
    await host.entersBridge('conference-610');

    const { landed, there: atA } = await callPassedOn(driverB, driverA, '88610', '0207');
    // A caller slow to key: no media flows while the PIN prompt is over, and the link must hold.
    await atA.heardToEnd('sound:conf-getpin');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await landed.dtmf('2468#');
    await atA.entersBridge('conference-610');
    await atA.hears(Sound.entering);

    const room = await callApi(nodeA, 'GET', '/rooms/610', TOKEN);
    expect(room.status).toBe(200);
    const callers = (room.json as { participants: Array<{ callerId: string }> }).participants.map((p) => p.callerId);
    expect(callers.sort()).toEqual(['0207', '201']);
    // node-b only relays the call: no room, no conference bridge there.
    expect(nodeB.app.stats()).toMatchObject({ rooms: 0 });
    expect((await driverB.conferenceBridges()).size).toBe(0);
    const passedOn = nodeB.logs.find((l) => l.event === 'passed-on');
    expect(passedOn).toMatchObject({ room: '610', home: 'node-a', address: `127.0.0.1:${asteriskEnv().SIP_PORT}` });

    // The room node ends the call (a kick): so does the node it landed on.
    const kicked = await callApi(nodeA, 'POST', `/rooms/610/kick/${atA.appChannel}`, TOKEN);
    expect(kicked.status).toBe(200);
    await landed.hungUp();
  });

  it('a wrong PIN keyed through the other node is refused by the room node, and the caller stays out', async () => {
    const host = await joinRoom(driverA, '88611', { pin: '1357' });
    await host.entersBridge('conference-611');

    const { landed, there: atA } = await callPassedOn(driverB, driverA, '88611', '0208');
    await atA.hears('sound:conf-getpin');
    await landed.dtmf('9999#');
    await atA.hears('sound:conf-invalidpin');
    expect(await atA.bridge()).toBeUndefined();
    expect(nodeA.logs.find((l) => l.call === atA.appChannel && l.event === 'wrong-pin')).toMatchObject({ room: '611', callerId: '0208' });
  });

  it('a room started on node-b is mixed there: a caller of node-a is passed the other way', async () => {
    const host = await joinRoom(driverB, '88612', { pin: '55' });
    await host.entersBridge('conference-612');
    expect(await valkey.client().hget('conference:room:612', 'home')).toBe('node-b');

    const { landed: guest, there: atB } = await callPassedOn(driverA, driverB, '88612', '0209');
    await atB.hears('sound:conf-getpin');
    await guest.dtmf('55#');
    await atB.entersBridge('conference-612');
    expect(nodeA.app.stats()).toMatchObject({ rooms: 0 });
  });

  it(
    'a caller passed on who puts the call on hold is muted in the room on the other node, the hold told across (no music from the landing node)',
    async () => {
      const [listener, other] = await Promise.all([
        phones.start({ user: '202', asterisk: second }),
        phones.start({ user: '204', asterisk: second }),
      ]);
      const atB: ObservedChannel[] = [];
      for (const phone of [listener, other]) {
        atB.push(await joinRoomByPhone(driverB, phone, '88614', { pin: '77' }));
        await atB.at(-1)!.entersBridge('conference-614');
      }
      // Through node-a's trunk: the PIN once the leg to node-b is up, a tone from 6 s, on hold from 20 s to 28 s.
      const landed = new CallWatch(driverA);
      const sipp = sippThroughTrunk({
        pcap: callerPcap({
          durationMs: 42000,
          digits: '77#',
          digitsAtMs: 4000,
          audio: { hz: 1000, fromMs: 6000, everyMs: 40000, lengthMs: 35000, count: 1 },
        }),
        holdMs: 40000,
        onHold: { atMs: 20000, forMs: 8000 },
        callsPerSecond: 1,
        arrivals: [{ number: '88614', room: '614' }],
      });
      const passedOn = async (): Promise<{ channel: string; onHold: boolean } | undefined> => {
        const view = (await callApi(nodeB, 'GET', '/rooms/614', TOKEN)).json as {
          participants?: Array<{ channel: string; callerId: string; onHold: boolean }>;
        };
        return view.participants?.find((p) => p.callerId === 'trunk');
      };
      try {
        await waitUntil(async () => (await passedOn()) !== undefined, 20000, "the trunk's caller in room 614 on node-b");
        const holder = (await passedOn())!.channel;
        await untilOnlyVoices(driverB, 'conference-614', [...atB, new ObservedChannel(driverB, holder)]);
        expect(tonesHeard(await listener.listen(2000), [1000])).toEqual({ 1000: 'heard' });

        await waitUntil(async () => (await passedOn())?.onHold === true, 20000, 'node-b to learn of the hold');
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(tonesHeard(await listener.listen(3000), [1000])).toEqual({ 1000: 'not heard' });
        await waitUntil(async () => (await passedOn())?.onHold === false, 20000, 'node-b to learn the caller is back');
      } finally {
        await sipp.kill();
        // SIPp killed sends no BYE: its call ends here, not at Asterisk's RTP timeout.
        for (const call of landed.all()) await driverA.rest.delete(`/channels/${call.id}`).catch(() => undefined);
        landed.stop();
      }
    },
    AUDIO_TEST_TIMEOUT_MS + 30000,
  );

  it("either node's API shows the rooms of both, each with its node, and acts on a room where it is held", async () => {
    const onA = await joinRoom(driverA, '88640', { pin: '11' });
    await onA.entersBridge('conference-640');
    const onB = await joinRoom(driverB, '88641', { pin: '22' });
    await onB.entersBridge('conference-641');

    // A node lists a participant once its app has taken in the join, a moment after the bridge's event.
    const expected = [
      ['640', 'node-a', 1],
      ['641', 'node-b', 1],
    ];
    for (const node of [nodeA, nodeB]) {
      let list: { nodes: string[]; rooms: Array<{ room: string; node: string; participants: unknown[] }> } = { nodes: [], rooms: [] };
      const rooms = (): unknown[] => list.rooms.map((r) => [r.room, r.node, r.participants.length]);
      await waitUntil(
        async () => {
          list = (await callApi(node, 'GET', '/rooms', TOKEN)).json;
          return JSON.stringify(rooms()) === JSON.stringify(expected);
        },
        5000,
        () => `both rooms with their participant in the API, saw ${JSON.stringify(rooms())}`,
      ).catch(() => undefined);
      expect(list.nodes).toEqual(['node-a', 'node-b']);
      expect(rooms()).toEqual(expected);
    }
    const room = await callApi(nodeA, 'GET', '/rooms/641', TOKEN);
    expect(room.json).toMatchObject({ room: '641', node: 'node-b', participants: [{ channel: onB.appChannel, muted: false }] });
    expect((await callApi(nodeA, 'GET', '/rooms/642', TOKEN)).status).toBe(404);

    // Admin actions on node-a's API reach the participant on node-b: muted (and told), then kicked.
    expect((await callApi(nodeA, 'POST', `/rooms/641/mute/${onB.appChannel}`, TOKEN)).status).toBe(200);
    await onB.hears(Sound.muted);
    expect((await callApi(nodeA, 'GET', '/rooms/641', TOKEN)).json.participants[0].muted).toBe(true);
    expect((await callApi(nodeA, 'POST', `/rooms/641/kick/${onB.appChannel}`, TOKEN)).status).toBe(200);
    await onB.hungUp();
    expect(nodeB.logs.find((l) => l.event === 'admin' && l.action === 'kick')).toMatchObject({ room: '641', call: onB.appChannel });

    // Each node's metrics carry its name.
    const metrics = (await callApi(nodeB, 'GET', '/metrics', null)).text;
    expect(metrics).toMatch(/^conference_joins_total\{node="node-b"\} [1-9]/m);
  });

  // The leg between the nodes carries the relayed phone's own codec: node-b passes its media on
  // at the RTP level (pjsip.conf, endpoint "cluster"); node-a mixes it with a PCMU phone.
  it.each(['PCMU', 'G722'] as const)(
    'phones on two nodes in one room hear each other, each not itself; node-b relays the %s phone at the RTP level',
    async (codec) => {
      const [a, b] = await Promise.all([
        phones.start({ user: '201', toneHz: 1000 }),
        phones.start({ user: '202', toneHz: 2000, codec, asterisk: second }),
      ]);
      const onA = await joinRoomByPhone(driverA, a, '88620', { pin: '8642' });
      await onA.entersBridge('conference-620');
      const fromB = await joinRoomByPhone(driverA, b, '88620', { pin: '8642' }, LINKED);
      await fromB.entersBridge('conference-620');
      await untilOnlyVoices(driverA, 'conference-620', [onA, fromB]);

      const relays = async (): Promise<string[]> =>
        (await driverB.rest.get<Array<{ id: string; technology: string }>>('/bridges'))
          .filter((bridge) => bridge.id.startsWith('relay-'))
          .map((bridge) => bridge.technology);
      await waitUntil(async () => (await relays()).join() === 'native_rtp', 5000, "node-b's relay bridge at the RTP level");

      const [heardByA, heardByB] = await Promise.all([a.listen(2000), b.listen(2000)]);
      expect(tonesHeard(heardByA, [1000, 2000])).toEqual({ 1000: 'not heard', 2000: 'heard' });
      expect(tonesHeard(heardByB, [1000, 2000])).toEqual({ 1000: 'heard', 2000: 'not heard' });
    },
    AUDIO_TEST_TIMEOUT_MS,
  );

  // Last: it stops node-b's Asterisk, and starts it again at the end.
  it(
    "the room node's Asterisk dies: the callers passed on to it are in the room again on their own node within 10 s, hear each other, and newcomers join with the same PIN",
    async () => {
      const [a, c] = await Promise.all([phones.start({ user: '201', toneHz: 1000 }), phones.start({ user: '203', toneHz: 2000 })]);
      const host = await joinRoom(driverB, '88630', { pin: '2580' });
      await host.entersBridge('conference-630');
      for (const phone of [a, c]) {
        const atB = await joinRoomByPhone(driverB, phone, '88630', { pin: '2580' }, LINKED);
        await atB.entersBridge('conference-630');
      }

      // node-b recorded that it let both in, under their calls' ids on node-a.
      expect(await valkey.client().keys('conference:admitted:*')).toHaveLength(2);
      const lostAt = Date.now();
      asteriskScript(['down'], { instance: SECOND_INSTANCE });
      let inRoom: string[] = [];
      await waitUntil(
        async () => (inRoom = (await driverA.conferenceBridges()).get('conference-630') ?? []).length === 2,
        20000,
        "both phones' calls in conference-630 on node-a",
      );
      expect(Date.now() - lostAt).toBeLessThan(10000);
      // Each hears that it is back, to the end; then only the other.
      for (const channel of inRoom) await new ObservedChannel(driverA, channel).heardToEnd(Sound.reconnected);
      expect((await valkey.client().hget('conference:room:630', 'home')) ?? '').toBe('node-a');

      // Media moves from the relay bridges (RTP passed on) back into the mix: within a few seconds.
      const heard = async (): Promise<unknown[]> => {
        const [heardByA, heardByC] = await Promise.all([a.listen(2000), c.listen(2000)]);
        return [tonesHeard(heardByA, [1000, 2000]), tonesHeard(heardByC, [1000, 2000])];
      };
      const expected = [
        { 1000: 'not heard', 2000: 'heard' },
        { 1000: 'heard', 2000: 'not heard' },
      ];
      let tones = await heard();
      for (let listens = 1; listens < 3 && JSON.stringify(tones) !== JSON.stringify(expected); listens++) tones = await heard();
      expect(tones).toEqual(expected);

      const newcomer = await joinRoom(driverA, '88630', { pin: '2580' });
      await newcomer.entersBridge('conference-630');
      await expectWrongPinRefused(driverA, '88630', '1111');

      startSecondAsterisk();
      await driverB.whenConnected();
      await waitUntil(() => nodeB.app.events.connected, 20000, 'node-b to be connected to its Asterisk again');
      // node-b, back, does not take the room again: one home.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await valkey.client().hget('conference:room:630', 'home')).toBe('node-a');
      expect(nodeB.app.stats().rooms).toBe(0);
    },
    AUDIO_TEST_TIMEOUT_MS + 30000,
  );
});
