/**
 * `make bench-sip`: a meeting start over real SIP, through the app and through native ConfBridge
 * on the same Asterisk (docs/PERFORMANCE.md). SIPp places the callers as the demo trunk
 * (digest-authenticated), each sending G.711 audio for the whole call with its PIN keyed in it as
 * RFC 4733 events; Asterisk's own stamps give the join latency from the PIN's '#' to the room, its
 * RTP statistics the audio quality while everyone is in. The sides take turns at each size, and
 * the size grows until a side's audio degrades or callers fail to get in: its capacity.
 *
 *   BENCH_SIP_SIZES="50,100,200,300"   callers per run, in order (every side)
 *   BENCH_SIP_STEP=100                 then larger by this much, while a side is within capacity...
 *   BENCH_SIP_MAX=800                  ...up to this many callers
 *   BENCH_SIP_RATE=8                   callers arriving per second
 *   BENCH_SIP_SIDES="native,sketch,app"  the sides to run (sketch: the floor of any ARI app, bench/ariSketch.ts)
 *   BENCH_SIP_BASELINE=main            also the app built from this git revision, side "app-baseline"
 *                                      beside "app": a change's before and after in one run
 *   BENCH_SIP_SETTINGS='{"limits":{"maxRooms":1000}}'  settings for the app under test
 *   BENCH_SIP_APP_LOG=/tmp/app.jsonl   the app's whole log, written there when the bench ends
 *   BENCH_SIP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"  extra flags for the app's node
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppProcess } from '../harness/appProcess';
import { TestDriver } from '../harness/testDriver';
import { asteriskEnv, asteriskScript, ROOT } from '../harness/testEnv';
import { BaselineBuild, buildBaseline, withBaselineSide } from './baselineBuild';
import { wholeNumber } from './envNumber';
import { machineFacts } from './machine';
import { SideProcess, startSketch } from './sides';
import { progress } from './stormDriver';
import { chartSvg } from './sip/chart';
import { CallWatch } from './sip/callWatch';
import { AriSide, sipRun, RunContext, RunPlan } from './sip/sipRun';
import { baselineTable, capacity, RunResult, runsTable, Side } from './sip/sipSummary';
import { sipChart } from './sip/sipChart';

const SIDES: readonly Side[] = ['native', 'sketch', 'app', 'app-baseline'];
/** Settings that make a run other than `make bench-sip`'s: its figures do not replace those the docs quote. */
const TUNING = [
  'BENCH_SIP_SIZES',
  'BENCH_SIP_STEP',
  'BENCH_SIP_MAX',
  'BENCH_SIP_RATE',
  'BENCH_SIP_SIDES',
  'BENCH_SIP_SETTINGS',
  'BENCH_SIP_NODE_ARGS',
  'BENCH_SIP_BASELINE',
];
/** Callers of a run not counted, before the counted ones: JIT, connection pools and Asterisk's caches warm. */
const WARM_CALLERS = 10;
/** The same rooms and arrival order for every run of a size, on both sides. */
const SEED = 2024;

function options(): { sizes: number[]; step: number; max: number; rate: number; sides: Side[] } {
  const sizes = (process.env.BENCH_SIP_SIZES ?? '50,100,200,300').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 2))
    throw new Error(`BENCH_SIP_SIZES must list whole numbers of 2 or more, not "${process.env.BENCH_SIP_SIZES}"`);
  const named = (process.env.BENCH_SIP_SIDES ?? 'native,sketch,app').split(',') as Side[];
  const unknown = named.filter((s) => !SIDES.includes(s));
  if (unknown.length) throw new Error(`BENCH_SIP_SIDES names ${unknown.join(', ')}: the sides are ${SIDES.join(', ')}`);
  const sides = withBaselineSide(named, process.env.BENCH_SIP_BASELINE !== undefined, {
    sides: 'BENCH_SIP_SIDES',
    baseline: 'BENCH_SIP_BASELINE',
  });
  return {
    sizes,
    step: wholeNumber('BENCH_SIP_STEP', 100, 1),
    max: wholeNumber('BENCH_SIP_MAX', 800, 2),
    rate: wholeNumber('BENCH_SIP_RATE', 8, 1),
    sides,
  };
}

/**
 * The processes that answer the ARI sides' calls: the app of this checkout and the baseline's,
 * and the sketch, up for the whole bench (its 32 connections and the app's fit in Asterisk's
 * sessionlimit of 100 beside the driver's 16).
 */
interface SideProcesses {
  readonly apps: ReadonlyMap<Side, AppProcess>;
  readonly sketch?: SideProcess;
}

function ariSide(processes: SideProcesses, side: Side): AriSide | undefined {
  if (side === 'sketch') return { pid: processes.sketch!.pid };
  const app = processes.apps.get(side);
  return app ? { pid: app.pid!, app } : undefined;
}

/**
 * One run of a side. One app alone runs as production runs it, one process for the whole bench.
 * Two builds of the app cannot be up at once (bench/sides.ts): each then runs in a fresh process
 * for each of its runs, warmed first.
 */
async function sideRun(context: RunContext, processes: SideProcesses, plan: RunPlan): Promise<RunResult> {
  const app = processes.apps.get(plan.side);
  if (!app || processes.apps.size === 1) return sipRun(context, plan, ariSide(processes, plan.side));
  await app.start();
  try {
    const ari = ariSide(processes, plan.side);
    await sipRun(context, { ...plan, callers: WARM_CALLERS, seed: SEED }, ari);
    return await sipRun(context, plan, ari);
  } finally {
    await app.kill('SIGTERM');
  }
}

/** The sizes listed, then larger ones while a side is within its capacity; each side stops at its first degraded run. */
async function runAll(context: RunContext, processes: SideProcesses, opts: ReturnType<typeof options>): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const past = new Set<Side>();
  const runSize = async (callers: number, turn: number): Promise<void> => {
    // Which side goes first alternates from size to size: neither always meets the machine as the other left it.
    const order = turn % 2 === 0 ? opts.sides : [...opts.sides].reverse();
    for (const side of order.filter((s) => !past.has(s))) {
      const started = Date.now();
      const result = await sideRun(context, processes, { side, callers, callsPerSecond: opts.rate, seed: SEED + callers });
      results.push(result);
      if (result.degraded) past.add(side);
      const q = result.quality;
      console.log(
        `${side} ${callers}: got in ${result.joined}/${callers}, join p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} ms, loss median ${q.lossPct.median} %, jitter median ${q.jitterMs.median} ms${result.degraded ? ` (past capacity: ${result.degraded})` : ''} [${Math.round((Date.now() - started) / 1000)} s]`,
      );
    }
  };
  let turn = 0;
  for (const callers of opts.sizes) await runSize(callers, turn++);
  for (let callers = Math.max(...opts.sizes) + opts.step; callers <= opts.max; callers += opts.step) {
    if (opts.sides.every((s) => past.has(s))) break;
    await runSize(callers, turn++);
  }
  return results;
}

function report(results: readonly RunResult[], opts: ReturnType<typeof options>, baseline: BaselineBuild | undefined): void {
  const machine = { ...machineFacts(), ...(baseline ? { baseline: baseline.commit } : {}) };
  const capacities = Object.fromEntries(opts.sides.map((side) => [side, capacity(results, side)]));
  const capacityLines = opts.sides.map((side) => {
    const { participants, reached } = capacities[side]!;
    const perCore = Math.round(participants / machine.cpus);
    return reached
      ? `${side}: capacity ${participants} participants (about ${perCore} per core of this kind)`
      : `${side}: within capacity at every size run, up to ${participants} participants (${perCore} per core); not reached`;
  });
  const tuned = TUNING.filter((name) => process.env[name] !== undefined);
  const name = tuned.length === 0 ? 'sip-latest' : 'sip-partial';
  const against = baseline
    ? `\n\nThe app against its baseline (${process.env.BENCH_SIP_BASELINE}, ${baseline.commit.slice(0, 12)}); lower is better:\n\n${baselineTable(results)}`
    : '';
  const output = `${runsTable(results)}${against}\n\n${capacityLines.join('\n')}\n\nmachine: ${JSON.stringify(machine)}${
    tuned.length ? `\ntuned by: ${tuned.map((n) => `${n}=${process.env[n]}`).join(' ')}` : ''
  }\n`;
  console.log(`\n${output}`);
  const dir = join(ROOT, 'bench', 'results');
  writeFileSync(join(dir, `${name}.md`), output);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ machine, tuned, rate: opts.rate, capacities, runs: results }, null, 2));
  writeFileSync(join(dir, `${name}.svg`), chartSvg(sipChart(results, machine)));
  console.log(`written: bench/results/${name}.md, .json and .svg`);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('make bench-sip needs root: SIPp sends each caller’s audio through a raw socket (play_pcap_audio)');
  const opts = options();
  const settings = process.env.BENCH_SIP_SETTINGS ? (JSON.parse(process.env.BENCH_SIP_SETTINGS) as Record<string, unknown>) : {};
  // Built before Asterisk starts: a revision that does not build stops the bench before any run.
  const baseline =
    process.env.BENCH_SIP_BASELINE === undefined ? undefined : buildBaseline(process.env.BENCH_SIP_BASELINE, 'BENCH_SIP_BASELINE');
  // The app as production runs it: its own process, its build, its default settings (--expose-gc: memory after a collection).
  const nodeArgs = ['--expose-gc', ...(process.env.BENCH_SIP_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const apps = new Map<Side, AppProcess>();
  if (opts.sides.includes('app')) apps.set('app', AppProcess.prepare(settings, { nodeArgs, compiled: true }));
  if (baseline) apps.set('app-baseline', AppProcess.prepare(settings, { nodeArgs, release: baseline.dir }));
  let driver: TestDriver | undefined;
  let sketch: SideProcess | undefined;
  try {
    // A fresh Asterisk: calls left over by an earlier run that failed would load this one.
    asteriskScript(['down'], { inherit: true });
    asteriskScript(['up'], { inherit: true });
    // The demo trunk's calls land in from-external; on this Asterisk alone, 77 and a room reach the native baseline, 66 the sketch.
    asteriskScript(['cli', 'dialplan add extension _77X.,1,Goto(bench-sip-native,${EXTEN},1) into from-external']);
    asteriskScript(['cli', 'dialplan add extension _66X.,1,Goto(bench-sip-sketch,${EXTEN},1) into from-external']);
    const env = asteriskEnv();
    driver = await TestDriver.connect(16);
    await driver.onlyEvents(CallWatch.EVENTS);
    const context: RunContext = {
      driver,
      asteriskPid: Number(asteriskScript(['pid']).trim()),
      asteriskSipPort: Number(env.SIP_PORT),
      user: 'trunk',
      password: env.SIP_PASSWORD,
    };
    // One app runs for the whole bench and is warmed here; two warm their fresh process before each run (sideRun).
    if (apps.size === 1) for (const app of apps.values()) await app.start();
    if (opts.sides.includes('sketch')) sketch = await startSketch();
    const processes: SideProcesses = { apps, ...(sketch ? { sketch } : {}) };
    progress(`warming up: ${WARM_CALLERS} callers on each side, not counted`);
    for (const side of opts.sides.filter((s) => apps.size === 1 || !apps.has(s)))
      await sipRun(context, { side, callers: WARM_CALLERS, callsPerSecond: opts.rate, seed: SEED }, ariSide(processes, side));
    report(await runAll(context, processes, opts), opts, baseline);
  } finally {
    await sketch?.stop();
    for (const app of apps.values()) await app.kill('SIGTERM');
    if (process.env.BENCH_SIP_APP_LOG)
      writeFileSync(process.env.BENCH_SIP_APP_LOG, (apps.get('app')?.logs ?? []).map((line) => JSON.stringify(line)).join('\n') + '\n');
    await driver?.close();
    baseline?.remove();
    asteriskScript(['down'], { inherit: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
