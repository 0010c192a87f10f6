import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Sound } from '../../src/app/media';
import { AriEvent } from '../../src/ari/eventStream';
import { ObservedChannel } from '../../harness/observedChannel';
import { TestDriver } from '../../harness/testDriver';
import { waitUntil } from '../../harness/waitUntil';
import { SipPhone } from '../helpers/sipPhone';
import { untilOnlyVoices, usePhones } from '../helpers/sipScenario';
import { callApi } from '../helpers/statusApi';
import { appPid, nodeAsterisk, startTestCluster, stopTestCluster, TestCluster } from '../helpers/testCluster';
import { tonesHeard } from '../helpers/toneLevel';

// Three Asterisks, three apps, Valkey and Kamailio starting; then twelve phones joining one by one.
const CLUSTER_START_MS = 240000;
const TWELVE_PHONES_MS = 180000;
const AUDIO_TEST_MS = 90000;

/** Where a phone's call landed (the node Kamailio gave it) and the channel the room's node handles. */
interface Joined {
  readonly landedOn: number;
  readonly home: number;
  readonly channel: ObservedChannel;
}

/**
 * The cluster as `make run-cluster` starts it (scripts/cluster.sh): phones call Kamailio only,
 * which spreads their calls over three nodes; every node's API shows the whole cluster.
 */
describe('a cluster of three nodes behind Kamailio', () => {
  const phones = usePhones();
  let cluster: TestCluster;
  let drivers: TestDriver[] = [];

  beforeAll(async () => {
    cluster = startTestCluster();
    drivers = await Promise.all(cluster.nodes.map((node) => TestDriver.connect(64, node.ari)));
  }, CLUSTER_START_MS);

  afterAll(async () => {
    await Promise.all(drivers.map((driver) => driver.close()));
    if (cluster) stopTestCluster();
  });

  const phone = (user: string, toneHz: number): Promise<SipPhone> => phones.start({ user, toneHz, front: cluster.front });
  const api = (node: number, method: string, path: string) => callApi({ apiUrl: cluster.nodes[node]!.apiUrl }, method, path, cluster.token);

  /** The first event since `from` (each driver's count) that matches, on whichever node: its node and the event. */
  async function onAnyNode(from: readonly number[], match: (e: AriEvent) => boolean, what: string): Promise<[number, AriEvent]> {
    let found: [number, AriEvent] | undefined;
    await waitUntil(
      () => {
        for (const [node, driver] of drivers.entries()) {
          const event = driver.events.slice(from[node]).find(match);
          if (event) found = [node, event];
        }
        return found !== undefined;
      },
      15000,
      what,
    );
    return found!;
  }

  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
  /** The SHA-256 of the settings file each node runs on, as its /health shows it. */
  const settingsShown = (): Promise<string[]> =>
    Promise.all(
      cluster.nodes.map(
        async (node) => ((await (await fetch(`${node.apiUrl}/health`)).json()) as { settings: { sha256: string } }).settings.sha256,
      ),
    );
  /** Writes the cluster's settings file; resolves once every node runs on it (within 2 s). */
  async function writeSettings(settings: object): Promise<void> {
    const text = JSON.stringify(settings, null, 2);
    writeFileSync(cluster.settingsPath, text);
    let seen: string[] = [];
    await waitUntil(
      async () => (seen = await settingsShown()).every((hash) => hash === sha256(text)),
      2000,
      () => `every node on the new file, saw ${seen.join(' ')}`,
    );
  }

  /** Dials the room through Kamailio and keys its PIN where the room's node asks for it. */
  async function join(caller: SipPhone, room: string, pin: string): Promise<Joined> {
    const from = drivers.map((driver) => driver.events.length);
    await caller.dial(`88${room}`);
    const [landedOn] = await onAnyNode(
      from,
      (e) => e.type === 'ChannelCreated' && (e.channel as { name: string }).name.startsWith(`PJSIP/${caller.user}-`),
      `the channel of ${caller.user}'s call on a node`,
    );
    const [home, prompt] = await onAnyNode(
      from,
      (e) => e.type === 'PlaybackStarted' && (e.playback as { media_uri: string }).media_uri === 'sound:conf-getpin',
      `the PIN prompt of ${caller.user}'s call`,
    );
    const channel = new ObservedChannel(drivers[home]!, (prompt.playback as { target_uri: string }).target_uri.replace(/^channel:/, ''));
    await caller.dtmf(`${pin}#`);
    await channel.entersBridge(`conference-${room}`);
    return { landedOn, home, channel };
  }

  // First, while no room has been started: which node is least loaded is known exactly.
  it(
    'a busy node starts new rooms on the least loaded nodes, its callers passed on there; a drained node starts none',
    async () => {
      const settings = JSON.parse(readFileSync(cluster.settingsPath, 'utf8')) as { store?: object };
      // One participant, or one room started in the last 30 s, makes a node busy.
      await writeSettings({ ...settings, store: { ...settings.store, busyParticipants: 2 } });
      const direct = (node: number, user: string, toneHz: number): Promise<SipPhone> =>
        phones.start({ user, toneHz, front: { port: cluster.nodes[node]!.sipPort, password: cluster.front.password } });
      try {
        // Room 741 starts on node 1, where its caller landed: node 1 was idle.
        const first = await join(await direct(0, '201', 1000), '741', '1111');
        expect([first.landedOn, first.home]).toEqual([0, 0]);
        // Node 1 is busy now: room 742 starts on node 2 (idle, first by name), then 743 on node 3 (742 counts on node 2).
        const placedPhone = await direct(0, '202', 2000);
        const placed = await join(placedPhone, '742', '2222');
        expect([placed.landedOn, placed.home]).toEqual([0, 1]);
        expect((await join(await direct(0, '203', 1500), '743', '3333')).home).toBe(2);
        // A caller of 742 landing on node 1 is passed on to node 2 as well: the two hear each other.
        const secondPhone = await direct(0, '204', 2500);
        const second = await join(secondPhone, '742', '2222');
        expect(second.home).toBe(1);
        await untilOnlyVoices(drivers[1]!, 'conference-742', [placed.channel, second.channel]);
        const [heardByPlaced, heardBySecond] = await Promise.all([placedPhone.listen(2000), secondPhone.listen(2000)]);
        expect(tonesHeard(heardByPlaced, [2000, 2500])).toEqual({ 2000: 'not heard', 2500: 'heard' });
        expect(tonesHeard(heardBySecond, [2000, 2500])).toEqual({ 2000: 'heard', 2500: 'not heard' });

        const drain = await api(1, 'POST', '/drain');
        expect([drain.status, drain.json]).toEqual([200, { node: cluster.nodes[1]!.name, draining: true }]);
        expect((await api(1, 'POST', '/drain')).status).toBe(409);
        expect((await callApi({ apiUrl: cluster.nodes[1]!.apiUrl }, 'GET', '/health', null)).json.draining).toBe(true);
        // Node 2 draining: a room whose first caller lands there starts on another node.
        const onDrained = await join(await direct(1, '202', 1000), '744', '4444');
        expect(onDrained.landedOn).toBe(1);
        expect(onDrained.home).not.toBe(1);
        expect((await api(1, 'DELETE', '/drain')).status).toBe(200);
      } finally {
        await writeSettings(settings);
      }
    },
    TWELVE_PHONES_MS,
  );

  it(
    'twelve callers of three rooms, spread over the nodes, each hear the others of their room and no one else',
    async () => {
      const rooms = ['701', '702', '703'];
      // Chosen so that no third-order product of the other three tones of a room (3a, 2a±b, a±b±c:
      // what G.711's odd-symmetric distortion of a mix adds, folded at 4 kHz) falls within 30 Hz of
      // a tone the listener must not hear (its own, another room's): on the 10 Hz grid of the 100 ms
      // blocks of the level measure, a product 30 Hz off lands on a null of the filter.
      const tones = [
        [900, 1160, 1360, 1860],
        [740, 1710, 2290, 2790],
        [500, 1040, 1470, 1970],
      ];
      const everyTone = tones.flat();
      const callers: Array<{ phone: SipPhone; room: number; tone: number; joined: Joined }> = [];
      for (const [r, room] of rooms.entries()) {
        for (const [k, tone] of tones[r]!.entries()) {
          const caller = await phone(String(201 + k), tone);
          callers.push({ phone: caller, room: r, tone, joined: await join(caller, room, `${r + 1}${r + 1}${r + 1}`) });
        }
      }
      for (const [r, room] of rooms.entries()) {
        const members = callers.filter((c) => c.room === r);
        const home = members[0]!.joined.home;
        expect(members.every((m) => m.joined.home === home)).toBe(true);
        await untilOnlyVoices(
          drivers[home]!,
          `conference-${room}`,
          members.map((m) => m.joined.channel),
        );
      }

      const heard = await Promise.all(callers.map((c) => c.phone.listen(2000)));
      for (const [i, caller] of callers.entries()) {
        const expected = Object.fromEntries(
          everyTone.map((hz) => [hz, tones[caller.room]!.includes(hz) && hz !== caller.tone ? 'heard' : 'not heard']),
        );
        expect({ caller: caller.tone, heard: tonesHeard(heard[i]!, everyTone) }).toEqual({ caller: caller.tone, heard: expected });
      }

      // The calls landed on more than one node, and callers of a room on another node were passed on to it.
      const landed = new Set(callers.map((c) => c.joined.landedOn));
      expect(landed.size).toBeGreaterThan(1);
      expect(callers.some((c) => c.joined.landedOn !== c.joined.home)).toBe(true);
      // Every node's API shows the three rooms, each on its node with its four callers.
      const view = rooms.map((room, r) => [room, cluster.nodes[callers[4 * r]!.joined.home]!.name, 4]);
      for (const node of [0, 1, 2]) {
        const { json } = await api(node, 'GET', '/rooms');
        expect(json.nodes).toEqual(cluster.nodes.map((n) => n.name));
        expect(
          json.rooms.map((r: { room: string; node: string; participants: unknown[] }) => [r.room, r.node, r.participants.length]),
        ).toEqual(view);
      }
    },
    TWELVE_PHONES_MS,
  );

  it("a node's API kicks a participant of a room another node holds", async () => {
    const caller = await phone('201', 1000);
    const { home, channel } = await join(caller, '711', '4321');
    const other = (home + 1) % 3;
    const kicked = await api(other, 'POST', `/rooms/711/kick/${channel.appChannel}`);
    expect(kicked.status).toBe(200);
    await caller.callEnded();
    await waitUntil(async () => (await api(other, 'GET', '/rooms/711')).status === 404, 10000, 'room 711 to end');
  });

  it(
    "an app killed on a room's node is started again: the room goes on, its callers hear each other, a newcomer joins with its PIN",
    async () => {
      const [a, b] = await Promise.all([phone('201', 1000), phone('202', 2000)]);
      const first = await join(a, '720', '2468');
      const second = await join(b, '720', '2468');
      const home = first.home;
      const node = cluster.nodes[home]!;
      const killed = appPid(node);
      process.kill(killed, 'SIGKILL');
      await waitUntil(
        async () => {
          const health = await fetch(`${node.apiUrl}/health`).catch(() => undefined);
          return health?.status === 200 && appPid(node) !== killed;
        },
        30000,
        `the app of ${node.name} started again`,
      );
      // The restarted app takes the room back from Asterisk, with both callers in it.
      const both = [first.channel.appChannel, second.channel.appChannel].sort();
      let seen: unknown;
      await waitUntil(
        async () => {
          seen = (await api(home, 'GET', '/rooms/720')).json;
          const participants = (seen as { participants?: Array<{ channel: string }> }).participants ?? [];
          return JSON.stringify(participants.map((p) => p.channel).sort()) === JSON.stringify(both);
        },
        10000,
        () => `room 720 with both callers in the API of ${node.name}, saw ${JSON.stringify(seen)}`,
      );
      await untilOnlyVoices(drivers[home]!, 'conference-720', [first.channel, second.channel]);
      const [heardByA, heardByB] = await Promise.all([a.listen(2000), b.listen(2000)]);
      expect(tonesHeard(heardByA, [1000, 2000])).toEqual({ 1000: 'not heard', 2000: 'heard' });
      expect(tonesHeard(heardByB, [1000, 2000])).toEqual({ 1000: 'heard', 2000: 'not heard' });

      const newcomer = await join(await phone('203', 1500), '720', '2468');
      expect(newcomer.home).toBe(home);
    },
    AUDIO_TEST_MS,
  );

  it('every node reads the one settings file, shows its SHA-256 in /health, and applies a change within 2 s', async () => {
    const text = readFileSync(cluster.settingsPath, 'utf8');
    expect(await settingsShown()).toEqual([sha256(text), sha256(text), sha256(text)]);
    await writeSettings({ ...JSON.parse(text), limits: { maxParticipantsPerRoom: 40 } });
  });

  // Last: it stops a node's Asterisk, and starts it again at the end.
  it(
    "a room's node whose Asterisk dies: its callers on the other nodes are in the room again within 10 s and hear each other, a newcomer joins with the PIN, the room has one node",
    async () => {
      // Callers join until two of them landed on other nodes than the room's (each does, 2 times in 3).
      const callers: Array<{ phone: SipPhone; tone: number; joined: Joined }> = [];
      let home: number | undefined;
      for (const [k, tone] of [700, 1300, 1900, 2500, 1000, 2200, 1600, 400, 2800, 850].entries()) {
        const caller = await phone(String(201 + (k % 4)), tone);
        const joined = await join(caller, '730', '1357');
        home ??= joined.home;
        callers.push({ phone: caller, tone, joined });
        if (callers.filter((c) => c.joined.landedOn !== home).length === 2) break;
      }
      const survivors = callers.filter((c) => c.joined.landedOn !== home);
      expect(survivors).toHaveLength(2);

      const lostAt = Date.now();
      nodeAsterisk(home!, ['down']);
      try {
        let newHome = -1;
        let inRoom: string[] = [];
        await waitUntil(
          async () => {
            for (const [node, driver] of drivers.entries()) {
              if (node === home) continue;
              inRoom = (await driver.conferenceBridges()).get('conference-730') ?? [];
              if (inRoom.length === 2) newHome = node;
              if (newHome >= 0) return true;
            }
            return false;
          },
          20000,
          'the two callers in conference-730 on a surviving node',
        );
        expect(Date.now() - lostAt).toBeLessThan(10000);
        const channels = inRoom.map((id) => new ObservedChannel(drivers[newHome]!, id));
        for (const channel of channels) await channel.heardToEnd(Sound.reconnected);
        await waitUntil(
          async () => {
            const bridge = (await drivers[newHome]!.conferenceBridges()).get('conference-730') ?? [];
            return bridge.length === 2;
          },
          5000,
          'conference-730 to hold the two callers only',
        );
        const [heardByFirst, heardBySecond] = await Promise.all(survivors.map((s) => s.phone.listen(2000)));
        const [first, second] = survivors.map((s) => s.tone) as [number, number];
        expect(tonesHeard(heardByFirst!, [first, second])).toEqual({ [first]: 'not heard', [second]: 'heard' });
        expect(tonesHeard(heardBySecond!, [first, second])).toEqual({ [first]: 'heard', [second]: 'not heard' });

        // One room 730, on its new node, in the API of every surviving node.
        for (const node of [0, 1, 2].filter((n) => n !== home)) {
          const rooms = (await api(node, 'GET', '/rooms')).json.rooms.filter((r: { room: string }) => r.room === '730');
          expect(rooms.map((r: { node: string }) => r.node)).toEqual([cluster.nodes[newHome]!.name]);
        }
        const newcomer = await join(await phone('204', 3000), '730', '1357');
        expect(newcomer.home).toBe(newHome);
      } finally {
        nodeAsterisk(home!, ['up']);
      }
    },
    AUDIO_TEST_MS + 60000,
  );
});
