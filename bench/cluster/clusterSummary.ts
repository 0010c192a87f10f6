/**
 * The figures of `make bench-cluster`: what a caller pays for landing on another node than its
 * room's (join latency, audio delay, CPU), and the capacity model built on them.
 */
import { percentile, percentiles, Percentiles, round } from '../stormSummary';
import { SipCall } from '../sip/callWatch';
import { audioQuality, cell, joinLatencies, markdownTable, participantSeconds, RunResult } from '../sip/sipSummary';
import { SippOutcome } from '../sip/sippRun';

/** home: every caller on the room's node; relayed: each room's first caller there, the others landing on the other node. */
export type Mode = 'home' | 'relayed';

/** CPU in ms of the four processes: each node's Asterisk and app. */
export interface ClusterCpu {
  asteriskHome: number;
  asteriskOther: number;
  appHome: number;
  appOther: number;
}

export interface ClusterRunRecord {
  plan: { mode: Mode; callers: number; callsPerSecond: number };
  sipp: readonly SippOutcome[];
  /** The room node's calls: callers on it and, relayed, the legs from the other node. */
  homeCalls: readonly SipCall[];
  /** The callers who landed on the other node. */
  otherCalls: readonly SipCall[];
  /** Calls that joined after this stamp are the measured ones (the rooms' first callers joined before it). */
  measuredFrom: number;
  samples: Parameters<typeof audioQuality>[0];
  window: { start: number; end: number };
  cpu: { window: ClusterCpu; windowEnd: ClusterCpu };
}

export interface ClusterRunResult {
  mode: Mode;
  callers: number;
  callsPerSecond: number;
  /** Participants in a room on the room's node (a relayed caller counts by its leg there). */
  joined: number;
  sipp: { successful: number; failed: number; errors: string[] };
  /** From the PIN's '#' (on the node the caller landed on) to the room (on the room's node), for the callers after the first of each room. */
  latencyMs: Percentiles;
  /** Relayed: how long the '#' took to reach the room's node over the leg, median; none where the landing node did not read it. */
  keyHopMs?: number;
  /** What the room's node receives: each caller's audio, or the leg's that carries it. */
  quality: RunResult['quality'];
  /** CPU per participant-second over the window, each process and all four. */
  cpuMsPerParticipantSecond: ClusterCpu & { total: number };
}

/**
 * The relayed joins: a leg on the room's node dialled `room*kind*callId` (extensions_conference.conf,
 * conference-link), callId the caller's channel on the landing node; from that caller's '#' to the
 * leg's entering the room, and the '#''s own crossing. A landing node that bridges the caller and
 * the leg at the RTP level passes the keys on without reading them: the '#' is then timed where the
 * room's node reads it, and its crossing is the audio's (the hop probe).
 */
export function relayedJoins(legs: readonly SipCall[], landings: readonly SipCall[]): { latencies: number[]; keyHops: number[] } {
  const byId = new Map(landings.map((call) => [call.id, call]));
  const latencies: number[] = [];
  const keyHops: number[] = [];
  for (const leg of legs) {
    const landing = byId.get(leg.dialled.split('*')[2] ?? '');
    const hashAt = landing?.hashAt ?? leg.hashAt;
    if (landing === undefined || hashAt === undefined || leg.enteredAt === undefined) continue;
    latencies.push(Math.max(0, leg.enteredAt - hashAt));
    if (landing.hashAt !== undefined && leg.hashAt !== undefined) keyHops.push(leg.hashAt - landing.hashAt);
  }
  return { latencies: latencies.sort((a, b) => a - b), keyHops: keyHops.sort((a, b) => a - b) };
}

const LEG_DIALLED = /^\d+\*\w+\*/;

export function clusterRunResult(record: ClusterRunRecord): ClusterRunResult {
  const { plan, homeCalls, otherCalls, window, cpu } = record;
  const measured = (call: SipCall): boolean => call.createdAt >= record.measuredFrom;
  const legs = homeCalls.filter((c) => LEG_DIALLED.test(c.dialled));
  const joins =
    plan.mode === 'relayed'
      ? relayedJoins(legs.filter(measured), otherCalls.filter(measured))
      : { latencies: joinLatencies(homeCalls.filter((c) => measured(c) && !LEG_DIALLED.test(c.dialled))), keyHops: [] };
  const seconds = Math.max(participantSeconds(homeCalls, window), 1e-9);
  const perSecond = (name: keyof ClusterCpu): number => round((cpu.windowEnd[name] - cpu.window[name]) / seconds, 3);
  const each: ClusterCpu = {
    asteriskHome: perSecond('asteriskHome'),
    asteriskOther: perSecond('asteriskOther'),
    appHome: perSecond('appHome'),
    appOther: perSecond('appOther'),
  };
  return {
    mode: plan.mode,
    callers: plan.callers,
    callsPerSecond: plan.callsPerSecond,
    joined: homeCalls.filter((c) => c.enteredAt !== undefined).length,
    sipp: {
      successful: record.sipp.reduce((sum, s) => sum + s.successful, 0),
      failed: record.sipp.reduce((sum, s) => sum + s.failed, 0),
      errors: record.sipp.flatMap((s) => s.errors),
    },
    latencyMs: percentiles(joins.latencies),
    ...(plan.mode === 'relayed' ? { keyHopMs: percentile(joins.keyHops, 50) } : {}),
    quality: audioQuality(record.samples),
    cpuMsPerParticipantSecond: { ...each, total: round(each.asteriskHome + each.asteriskOther + each.appHome + each.appOther, 3) },
  };
}

/** The audio delay the hop adds: each tone burst heard on the other node later than on the room's node. */
export interface HopDelay {
  bursts: number;
  heardHome: number;
  heardOther: number;
  delayMs: { p50: number; p95: number; max: number };
}

export function hopDelay(
  bursts: number,
  homeOnsets: readonly number[],
  otherOnsets: readonly number[],
  delays: readonly number[],
): HopDelay {
  const sorted = [...delays].sort((a, b) => a - b);
  return {
    bursts,
    heardHome: homeOnsets.length,
    heardOther: otherOnsets.length,
    delayMs: { p50: round(percentile(sorted, 50), 2), p95: round(percentile(sorted, 95), 2), max: round(sorted.at(-1) ?? NaN, 2) },
  };
}

/**
 * How many participants a core holds in a cluster of N nodes. Kamailio spreads calls evenly, so a
 * caller lands on its room's node one time in N and is relayed otherwise: each participant costs
 * the home cost plus (N-1)/N of what relaying adds. One node's capacity per core (make bench-sip's,
 * where audio degraded) shrinks by that factor.
 */
export interface CapacityRow {
  nodes: number;
  relayedShare: number;
  /** A participant's CPU against one on its room's node. */
  costFactor: number;
  perCore: number;
  perNode: number;
}

export function capacityModel(
  homeCpu: number,
  relayedCpu: number,
  perCoreOneNode: number,
  cores: number,
  nodes: readonly number[],
): CapacityRow[] {
  const extra = relayedCpu / homeCpu - 1;
  return nodes.map((n) => {
    const relayedShare = (n - 1) / n;
    const costFactor = 1 + relayedShare * extra;
    const perCore = perCoreOneNode / costFactor;
    return {
      nodes: n,
      relayedShare: round(relayedShare, 2),
      costFactor: round(costFactor, 2),
      perCore: Math.floor(perCore),
      perNode: Math.floor(perCore * cores),
    };
  });
}

/** The fewest nodes of `cores` cores that hold `participants`, by the model; undefined past the rows given. */
export function nodesFor(participants: number, rows: readonly CapacityRow[]): number | undefined {
  return rows.find((row) => row.nodes * row.perNode >= participants)?.nodes;
}

export function runsTable(runs: readonly ClusterRunResult[]): string {
  const header = [
    'callers landing',
    'callers',
    'in a room',
    "join p50 / p99 / max (ms, '#' to the room)",
    "'#' crossing the hop, median (ms)",
    'audio at the room node: loss median / worst (%), jitter median / worst (ms)',
    'CPU ms per participant-second: Asterisk room node + other node',
    'app room node + other node',
    'all four',
    'SIPp failed',
  ];
  const rows = [...runs]
    .sort((a, b) => a.callers - b.callers || a.mode.localeCompare(b.mode))
    .map((r) => {
      const c = r.cpuMsPerParticipantSecond;
      return [
        r.mode === 'home' ? 'on the room node' : 'on the other node',
        String(r.callers),
        `${r.joined} (${round((100 * r.joined) / r.callers, 1)} %)`,
        `${cell(r.latencyMs.p50)} / ${cell(r.latencyMs.p99)} / ${cell(r.latencyMs.max)}`,
        cell(r.keyHopMs),
        `${cell(r.quality.lossPct.median)} / ${cell(r.quality.lossPct.worst)}, ${cell(r.quality.jitterMs.median)} / ${cell(r.quality.jitterMs.worst)}`,
        `${c.asteriskHome} + ${c.asteriskOther}`,
        `${c.appHome} + ${c.appOther}`,
        String(c.total),
        String(r.sipp.failed),
      ];
    });
  return markdownTable(header, rows);
}

export function capacityTable(rows: readonly CapacityRow[], cores: number): string {
  return markdownTable(
    [
      'nodes',
      'callers relayed',
      'CPU per participant (x room node)',
      'participants per core',
      `participants per node (${cores} cores)`,
      'cluster total',
    ],
    rows.map((r) => [
      String(r.nodes),
      `${Math.round(100 * r.relayedShare)} %`,
      String(r.costFactor),
      String(r.perCore),
      String(r.perNode),
      String(r.nodes * r.perNode),
    ]),
  );
}
