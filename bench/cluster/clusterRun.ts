/**
 * One run of `make bench-cluster` on two nodes: the rooms' first callers dial the first node (the
 * rooms' node); then the other callers dial it too (`home`) or dial the second node, which relays
 * each of them to the room (`relayed`). What it measured is read from both Asterisks' stamps
 * (one machine, one clock), the room node's RTP statistics and the four processes' CPU clocks.
 * And the hop's audio delay: a tone burst from a speaker on the room's node, timed at a listener
 * there and at one on the other node.
 */
import { TestDriver } from '../../harness/testDriver';
import { waitUntil } from '../../harness/waitUntil';
import { processCpuMs, threadsCpuMs } from '../processCpu';
import { progress } from '../stormDriver';
import { callerPcap, ToneBursts } from '../sip/callPcap';
import { CallWatch } from '../sip/callWatch';
import { Arrival, arrivals } from '../sip/scenario';
import { SAMPLE_WINDOW_MS, sampleWindow } from '../sip/sipRun';
import { SippOutcome, SippRun } from '../sip/sippRun';
import { ClusterCpu, clusterRunResult, ClusterRunResult, HopDelay, hopDelay, Mode } from './clusterSummary';
import { burstOnsets, hopDelays, RtpCapture } from './rtpCapture';

/** A node as the bench sees it: its driver (ARI, every channel's events), SIP port and processes. */
export interface BenchNode {
  readonly name: string;
  readonly driver: TestDriver;
  readonly sipPort: number;
  readonly asteriskPid: number;
  readonly appPid: number;
}

export interface ClusterContext {
  /** The room node, then the other. */
  readonly nodes: readonly [BenchNode, BenchNode];
  /** The demo trunk's password, which SIPp's callers authenticate with. */
  readonly password: string;
}

const PIN_KEYS = '1234#';
/** After the answer: a relayed caller's leg is up long before (tens of ms), so the PIN reaches the room. */
const PIN_AT_MS = 2000;
/** From the last arrival until every caller is in. */
const SETTLE_MS = 6000;
const MARGIN_MS = 4000;
/** The longest the rooms' first callers may take to be in before the others call. */
const FIRST_CALLERS_MS = 15000;

/** SIPp's SIP ports and its callers' first media ports (4 a call), clear of the nodes' RTP (bench/clusterBench.ts). */
const SIPP = {
  first: { sipPort: 49070, mediaPort: 51000 },
  others: { sipPort: 49071, mediaPort: 53000 },
  speaker: { sipPort: 49072, mediaPort: 55400 },
  listenerHome: { sipPort: 49073, mediaPort: 55000 },
  listenerOther: { sipPort: 49074, mediaPort: 55200 },
} as const;

/** The room node's watch takes its callers and the legs relayed callers come in on (endpoint `cluster`). */
const ROOM_NODE_CHANNELS = /^PJSIP\/(trunk|cluster)-/;

const arrivalMs = (count: number, callsPerSecond: number): number => (Math.max(count - 1, 0) * 1000) / callsPerSecond;

function cpuNow({ nodes: [home, other] }: ClusterContext): ClusterCpu {
  return {
    asteriskHome: processCpuMs(home.asteriskPid),
    asteriskOther: processCpuMs(other.asteriskPid),
    appHome: threadsCpuMs(home.appPid),
    appOther: threadsCpuMs(other.appPid),
  };
}

function sipp(
  context: ClusterContext,
  to: BenchNode,
  ports: { sipPort: number; mediaPort: number },
  list: readonly Arrival[],
  holdMs: number,
  callsPerSecond: number,
  audio?: ToneBursts | 'silence',
): SippRun {
  const hold = Math.ceil(holdMs / 20) * 20;
  return SippRun.start({
    asteriskSipPort: to.sipPort,
    ...ports,
    user: 'trunk',
    password: context.password,
    pcap: callerPcap({ durationMs: hold + 2000, digits: PIN_KEYS, digitsAtMs: PIN_AT_MS, ...(audio ? { audio } : {}) }),
    holdMs: hold,
    callsPerSecond,
    arrivals: list,
  });
}

/** The rooms' first callers (in arrival order), then the others. */
function firstOfEachRoom(list: readonly Arrival[]): { first: Arrival[]; others: Arrival[] } {
  const seen = new Set<string>();
  const first: Arrival[] = [];
  const others: Arrival[] = [];
  for (const arrival of list) {
    if (seen.has(arrival.room)) others.push(arrival);
    else {
      seen.add(arrival.room);
      first.push(arrival);
    }
  }
  return { first, others };
}

export async function clusterRun(
  context: ClusterContext,
  plan: { mode: Mode; callers: number; callsPerSecond: number; seed: number },
): Promise<ClusterRunResult> {
  const [home, other] = context.nodes;
  const { mode, callers, callsPerSecond } = plan;
  const { first, others } = firstOfEachRoom(arrivals(callers, '88', plan.seed));
  const homeWatch = new CallWatch(home.driver, ROOM_NODE_CHANNELS);
  const otherWatch = new CallWatch(other.driver);
  const label = `${mode} ${callers}`;
  const ticker = setInterval(() => {
    const h = homeWatch.counts();
    const o = otherWatch.counts();
    progress(`${label}: room node ${h.arrived} calls, ${h.joined} in a room; other node ${o.arrived} calls`);
  }, 3000);
  const runs: SippRun[] = [];
  try {
    const othersMs = arrivalMs(others.length, callsPerSecond);
    const tailMs = othersMs + SETTLE_MS + SAMPLE_WINDOW_MS + MARGIN_MS;
    const firstArrivedMs = arrivalMs(first.length, callsPerSecond);
    runs.push(sipp(context, home, SIPP.first, first, firstArrivedMs + FIRST_CALLERS_MS + tailMs, callsPerSecond));
    await waitUntil(
      () => homeWatch.all().filter((c) => c.enteredAt !== undefined).length >= first.length,
      firstArrivedMs + FIRST_CALLERS_MS,
      "the rooms' first callers to be in",
    );
    const measuredFrom = Date.now();
    runs.push(sipp(context, mode === 'home' ? home : other, SIPP.others, others, tailMs, callsPerSecond));
    const { samples, window, cpu } = await sampleWindow(homeWatch, measuredFrom + othersMs + SETTLE_MS, () => cpuNow(context));
    progress(`${label}: sampled; waiting for the hangups`);
    const outcomes: SippOutcome[] = [];
    for (const run of runs) outcomes.push(await run.finished());
    await waitUntil(
      () => [...homeWatch.all(), ...otherWatch.all()].every((c) => c.endedAt !== undefined),
      60000,
      'every call to end',
    ).catch(() => progress(`${label}: calls still up after SIPp ended`));
    return clusterRunResult({
      plan: { mode, callers, callsPerSecond },
      sipp: outcomes,
      homeCalls: homeWatch.all(),
      otherCalls: otherWatch.all(),
      measuredFrom,
      samples,
      window,
      cpu: { window: cpu.start, windowEnd: cpu.end },
    });
  } catch (error) {
    await Promise.all(runs.map((run) => run.kill()));
    throw error;
  } finally {
    clearInterval(ticker);
    homeWatch.stop();
    otherWatch.stop();
  }
}

/** The hop probe's room: clear of the runs' rooms (100 on). */
const PROBE_ROOM = '999';
const BURSTS = { hz: 1000, everyMs: 500, lengthMs: 100 } as const;
/** The listeners dial once the speaker is in; the bursts start once they are in too. */
const LISTENERS_IN_MS = 6000;

/**
 * A speaker on the room node sends tone bursts; a listener on the room node and one on the other
 * node hear them. tcpdump stamps each packet Asterisk sends them: the other listener's burst
 * arrives later by what the hop adds (the leg's RTP to the other node, and that node passing it on).
 */
export async function hopProbe(context: ClusterContext, bursts: number): Promise<HopDelay> {
  const [home, other] = context.nodes;
  const homeWatch = new CallWatch(home.driver, ROOM_NODE_CHANNELS);
  const call = [{ number: `88${PROBE_ROOM}`, room: PROBE_ROOM }];
  const listenMs = LISTENERS_IN_MS + bursts * BURSTS.everyMs + 2000;
  const runs: SippRun[] = [];
  const inRoom = (): number => homeWatch.all().filter((c) => c.enteredAt !== undefined && c.endedAt === undefined).length;
  let capture: RtpCapture | undefined;
  try {
    const range = (ports: { mediaPort: number }): readonly [number, number] => [ports.mediaPort, ports.mediaPort + 3];
    capture = await RtpCapture.start([range(SIPP.listenerHome), range(SIPP.listenerOther)]);
    const speakerBursts: ToneBursts = { ...BURSTS, fromMs: PIN_AT_MS + 1000 + LISTENERS_IN_MS, count: bursts };
    runs.push(sipp(context, home, SIPP.speaker, call, speakerBursts.fromMs + listenMs, 1, speakerBursts));
    await waitUntil(() => inRoom() >= 1, 10000, 'the speaker to be in the probe room');
    runs.push(sipp(context, home, SIPP.listenerHome, call, listenMs, 1, 'silence'));
    runs.push(sipp(context, other, SIPP.listenerOther, call, listenMs, 1, 'silence'));
    await waitUntil(() => inRoom() >= 3, LISTENERS_IN_MS, 'both listeners to be in the probe room');
    for (const run of runs) await run.finished();
    const packets = await capture.stop();
    capture = undefined;
    // Only what came after the first burst was sent: the join tones before it are no bursts.
    const burstsFrom = homeWatch.all()[0]!.createdAt + speakerBursts.fromMs - 200;
    const onsets = (ports: { mediaPort: number }): number[] =>
      burstOnsets(packets.filter((p) => p.dstPort >= ports.mediaPort && p.dstPort <= ports.mediaPort + 3)).filter((t) => t >= burstsFrom);
    const homeOnsets = onsets(SIPP.listenerHome);
    const otherOnsets = onsets(SIPP.listenerOther);
    return hopDelay(bursts, homeOnsets, otherOnsets, hopDelays(homeOnsets, otherOnsets));
  } catch (error) {
    await Promise.all(runs.map((run) => run.kill()));
    throw error;
  } finally {
    await capture?.stop().catch(() => undefined);
    homeWatch.stop();
  }
}
