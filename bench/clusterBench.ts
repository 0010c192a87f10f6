/**
 * `make bench-cluster`: what a caller costs when it lands on another node than its room's
 * (docs/PERFORMANCE.md). Two nodes of a cluster on loopback (harness/clusterBed.ts, the apps as
 * built); SIPp callers as the demo trunk with G.711 audio, PINs as RFC 4733 events. At each size the
 * same callers run twice, the sides taking turns: all on the room's node, and all but each room's
 * first relayed from the other node. Then a tone-burst probe times the audio delay of the hop, and
 * the capacity model turns the CPU figures and `make bench-sip`'s capacity into nodes per load.
 *
 *   BENCH_CLUSTER_SIZES="40,120"   callers per run, in order
 *   BENCH_CLUSTER_RATE=8           callers arriving per second
 *   BENCH_CLUSTER_BURSTS=30        tone bursts the probe times
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterBed } from '../harness/clusterBed';
import { TestDriver } from '../harness/testDriver';
import { ROOT } from '../harness/testEnv';
import { wholeNumber } from './envNumber';
import { machineFacts } from './machine';
import { progress } from './stormDriver';
import { CallWatch } from './sip/callWatch';
import { BenchNode, ClusterContext, clusterRun, hopProbe } from './cluster/clusterRun';
import { capacityModel, capacityTable, ClusterRunResult, HopDelay, Mode, nodesFor, runsTable } from './cluster/clusterSummary';

const MODES: readonly Mode[] = ['home', 'relayed'];
const TUNING = ['BENCH_CLUSTER_SIZES', 'BENCH_CLUSTER_RATE', 'BENCH_CLUSTER_BURSTS'];
const WARM_CALLERS = 10;
const SEED = 2025;
/** The loads the capacity model is asked about, and the cluster sizes it tries. */
const LOADS = [500, 1000, 2000];
const MODEL_NODES = [1, 2, 3, 4, 6, 8, 12, 16];

/** Two nodes on ports of their own, clear of the test clusters' and of `make bench-sip`'s. */
const bed = new ClusterBed({
  instance: 'bench-cluster',
  nodes: 2,
  ports: { ari: 48188, sip: 46160, api: 48190, rtpStart: 46500, valkey: 46380, kamailio: 46070 },
  app: 'node dist/src/main.js',
});

function options(): { sizes: number[]; rate: number; bursts: number } {
  const sizes = (process.env.BENCH_CLUSTER_SIZES ?? '40,120').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 4 || n > 400))
    throw new Error(`BENCH_CLUSTER_SIZES must list whole numbers from 4 to 400, not "${process.env.BENCH_CLUSTER_SIZES}"`);
  return { sizes, rate: wholeNumber('BENCH_CLUSTER_RATE', 8, 1), bursts: wholeNumber('BENCH_CLUSTER_BURSTS', 30, 5) };
}

/** One node's capacity per core where its audio degraded, from `make bench-sip`'s latest full run. */
function oneNodePerCore(): { perCore: number; from: string } | undefined {
  const path = join(ROOT, 'bench', 'results', 'sip-latest.json');
  if (!existsSync(path)) return undefined;
  const sip = JSON.parse(readFileSync(path, 'utf8')) as {
    machine: { cpus: number; date: string };
    capacities: Record<string, { participants: number; reached: boolean }>;
  };
  const app = sip.capacities.app;
  if (!app?.reached) return undefined;
  return {
    perCore: app.participants / sip.machine.cpus,
    from: `make bench-sip of ${sip.machine.date.slice(0, 10)}: ${app.participants} participants on ${sip.machine.cpus} cores`,
  };
}

function report(runs: readonly ClusterRunResult[], hop: HopDelay, opts: ReturnType<typeof options>): void {
  const machine = machineFacts(() => bed.asterisk(0, ['cli', 'core show version']));
  const largest = Math.max(...runs.map((r) => r.callers));
  const at = (mode: Mode): ClusterRunResult | undefined => runs.find((r) => r.mode === mode && r.callers === largest);
  const home = at('home');
  const relayed = at('relayed');
  const oneNode = oneNodePerCore();
  let model = '';
  let rows: ReturnType<typeof capacityModel> = [];
  if (home && relayed && oneNode) {
    const cost = { home: home.cpuMsPerParticipantSecond.total, relayed: relayed.cpuMsPerParticipantSecond.total };
    rows = capacityModel(cost.home, cost.relayed, oneNode.perCore, machine.cpus, MODEL_NODES);
    const needs = LOADS.map((load) => `${load} participants: ${nodesFor(load, rows) ?? `more than ${MODEL_NODES.at(-1)}`} nodes`).join(
      '; ',
    );
    model = [
      `Capacity model (${largest} callers: ${cost.home} ms of CPU per participant-second on the room's node, ${cost.relayed} relayed; one node's capacity from ${oneNode.from}):`,
      '',
      capacityTable(rows, machine.cpus),
      '',
      `Nodes of ${machine.cpus} cores needed for ${needs}.`,
    ].join('\n');
  } else model = 'Capacity model: needs both sides at the largest size and a make bench-sip capacity (bench/results/sip-latest.json).';
  const hopLine = `Audio delay the hop adds (tone bursts from a speaker on the room's node, heard there and on the other node): median ${hop.delayMs.p50} ms, p95 ${hop.delayMs.p95} ms, max ${hop.delayMs.max} ms (${hop.bursts} bursts sent, ${hop.heardHome} heard on the room's node, ${hop.heardOther} on the other).`;
  const tuned = TUNING.filter((name) => process.env[name] !== undefined);
  const name = tuned.length === 0 ? 'cluster-latest' : 'cluster-partial';
  const output = `${runsTable(runs)}\n\n${hopLine}\n\n${model}\n\nmachine: ${JSON.stringify(machine)}${
    tuned.length ? `\ntuned by: ${tuned.map((n) => `${n}=${process.env[n]}`).join(' ')}` : ''
  }\n`;
  console.log(`\n${output}`);
  const dir = join(ROOT, 'bench', 'results');
  writeFileSync(join(dir, `${name}.md`), output);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ machine, tuned, rate: opts.rate, runs, hop, capacity: rows }, null, 2));
  console.log(`written: bench/results/${name}.md and .json`);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('make bench-cluster needs root: SIPp sends each caller’s audio through a raw socket, tcpdump captures loopback');
  const opts = options();
  const drivers: TestDriver[] = [];
  try {
    progress('starting a cluster of two nodes (scripts/cluster.sh, instance bench-cluster)');
    // Rooms stay where their first caller is: the runs decide which node is the room's.
    const cluster = bed.start({ store: { busyParticipants: 0 } });
    const nodes = await Promise.all(
      cluster.nodes.map(async (node, n): Promise<BenchNode> => {
        const driver = await TestDriver.connect(16, node.ari);
        drivers.push(driver);
        await driver.onlyEvents(CallWatch.EVENTS);
        return {
          name: node.name,
          driver,
          sipPort: Number(node.sipPort),
          asteriskPid: Number(bed.asterisk(n, ['pid']).trim()),
          appPid: bed.appPid(node),
        };
      }),
    );
    const context: ClusterContext = { nodes: [nodes[0]!, nodes[1]!], password: cluster.front.password };
    progress(`warming up: ${WARM_CALLERS} callers each way, not counted`);
    for (const mode of MODES) await clusterRun(context, { mode, callers: WARM_CALLERS, callsPerSecond: opts.rate, seed: SEED });
    const runs: ClusterRunResult[] = [];
    for (const [turn, callers] of opts.sizes.entries()) {
      // Which side goes first alternates from size to size.
      for (const mode of turn % 2 === 0 ? MODES : [...MODES].reverse()) {
        const started = Date.now();
        const result = await clusterRun(context, { mode, callers, callsPerSecond: opts.rate, seed: SEED + callers });
        runs.push(result);
        progress(
          `${mode} ${callers}: ${result.joined}/${callers} in a room, join p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} ms, CPU ${result.cpuMsPerParticipantSecond.total} ms per participant-second [${Math.round((Date.now() - started) / 1000)} s]`,
        );
      }
    }
    progress(`timing the hop's audio delay with ${opts.bursts} tone bursts`);
    const hop = await hopProbe(context, opts.bursts);
    report(runs, hop, opts);
  } finally {
    await Promise.all(drivers.map((driver) => driver.close()));
    bed.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
