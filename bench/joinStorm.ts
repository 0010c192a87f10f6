/**
 * `make bench`, part 1: a join storm on the real Asterisk, through our Stasis app and through
 * a native baseline (asterisk-conf/extensions.conf [bench-native]: Read() room, Read() PIN,
 * ConfBridge() with its default sounds, as the app has its own; side native-quiet: every
 * ConfBridge sound off). Every caller dials, keys its room, keys its PIN digits; then all callers key
 * the final `#` at once. Join latency is measured from Asterisk's own event timestamps: the
 * caller's final `#` (ChannelDtmfReceived, stamped when the key is released) to its
 * ChannelEnteredBridge. Native Read() may act on the key's press, before that stamp: such a
 * join counts as 0 ms. A join before the final '#' was sent (Read timing out) is a failure.
 * A third side, the sketch (bench/ariSketch.ts), is the floor of any ARI app here: prompts, stop
 * the prompt, add to a bridge, nothing else. CPU per join over the storm is counted for Asterisk
 * (every side) and for the app or the sketch process.
 *
 *   BENCH_RUNS="10/2,100/25,400/100"   callers/rooms per storm (every side, same session)
 *   BENCH_ROUNDS=5                     storms of each size per side, the sides taking turns; read together
 *   BENCH_SCALING=1                    also N=100 over 1, 10 and 100 rooms (default on)
 *   BENCH_WARM=1                       also N=10 over 2 rooms again at the end, the app's code warm (default on)
 *   BENCH_NODE_ARGS="--cpu-prof"       extra flags for the app's node (profiling)
 *   BENCH_APP_LOG=/tmp/app.jsonl       the app's whole log, written there when the bench ends
 *   BENCH_MODES=app                    some sides only, while working on it (default "native,native-quiet,sketch,app")
 *   BENCH_BASELINE=main                also the app built from this git revision, side "app-baseline" beside "app"
 *   BENCH_SETTINGS='{"ari":{"maxConnections":64}}'  settings for the app under test
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, asteriskScript } from '../harness/testEnv';
import { BaselineBuild, buildBaseline, withBaselineSide } from './baselineBuild';
import { machineFacts } from './machine';
import { AppLaunch, Sides } from './sides';
import { StormDriver } from './stormDriver';
import { Mode, ratiosTo, ratioTable, sidesTable, StormResult, summarize } from './stormSummary';

const MODES: readonly Mode[] = ['native', 'native-quiet', 'sketch', 'app', 'app-baseline'];
/** Settings that make a run other than `make bench`'s: its figures do not replace those the docs quote. */
const TUNING = [
  'BENCH_RUNS',
  'BENCH_ROUNDS',
  'BENCH_SCALING',
  'BENCH_WARM',
  'BENCH_MODES',
  'BENCH_SETTINGS',
  'BENCH_NODE_ARGS',
  'BENCH_BASELINE',
];

/** The storm sizes, in order: callers, rooms, and whether it is the size run again at the end. */
function stormSizes(): Array<[number, number, boolean?]> {
  const runs: Array<[number, number, boolean?]> = (process.env.BENCH_RUNS ?? '10/2,100/25,400/100')
    .split(',')
    .map((run) => run.split('/').map(Number) as [number, number]);
  if (process.env.BENCH_SCALING !== '0') runs.push([100, 1], [100, 10], [100, 100]);
  // The first 10-caller storms meet the app's code cold (10 to 50 calls in, too few for V8 to
  // compile it): the same size again at the end shows it warm, as a server under load runs.
  if (process.env.BENCH_WARM !== '0') runs.push([10, 2, true]);
  return runs;
}

/** The sides that take turns: BENCH_MODES's, and app-baseline right after app when BENCH_BASELINE is set. */
function sideModes(): Mode[] {
  const named = (process.env.BENCH_MODES ?? 'native,native-quiet,sketch,app')
    .split(',')
    .filter((mode): mode is Mode => MODES.includes(mode as Mode));
  return withBaselineSide(named, process.env.BENCH_BASELINE !== undefined, { sides: 'BENCH_MODES', baseline: 'BENCH_BASELINE' });
}

/** The app's settings and node flags, as BENCH_SETTINGS and BENCH_NODE_ARGS change them. */
function appLaunch(baseline: BaselineBuild | undefined): AppLaunch {
  // BENCH_NODE_ARGS adds flags to the app's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // Native ConfBridge takes everyone into one room: so does the app here (its default limit is 50).
  // Keys wait for the slowest of up to 400 callers: entry timeouts of 60 s, as native Read() has here.
  const settings = {
    limits: { maxParticipantsPerRoom: 1000 },
    entry: { firstDigitTimeoutSeconds: 60, interDigitTimeoutSeconds: 60 },
    ...(process.env.BENCH_SETTINGS ? (JSON.parse(process.env.BENCH_SETTINGS) as Record<string, unknown>) : {}),
  };
  return { settings, nodeArgs, ...(baseline ? { baselineDir: baseline.dir } : {}) };
}

/** Every storm: one of each side first, not counted; then each size, the sides taking turns, BENCH_ROUNDS times. */
async function runStorms(sides: Sides, modes: readonly Mode[]): Promise<StormResult[]> {
  // Each size this many times, the sides taking turns: read together, not one storm each.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`BENCH_ROUNDS must be a whole number of 1 or more, not "${process.env.BENCH_ROUNDS}"`);
  const results: StormResult[] = [];
  // A storm of each kind first, not counted: JIT, connection pools and Asterisk's caches warm.
  for (const mode of modes) await sides.storm(mode, 10, 2);
  for (const [callers, rooms, warm] of stormSizes()) {
    for (let round = 1; round <= rounds; round++) {
      for (const mode of modes) {
        const result = await sides.storm(mode, callers, rooms);
        if (warm) result.warm = true;
        results.push(result);
        const sketch = result.sketchCpuMsPerJoin === undefined ? '' : `, sketch CPU ms/join ${result.sketchCpuMsPerJoin}`;
        console.log(
          `${mode} ${callers}/${rooms}${warm ? ' warm' : ''} (${round} of ${rounds}): p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, joined ${result.joined}, failed ${result.failed}, lost ${result.lost}, Asterisk CPU ms/join ${result.asteriskCpuMsPerJoin}${sketch}${result.app ? `, ${JSON.stringify(result.app)}` : ''}`,
        );
      }
    }
  }
  return results;
}

/** The tables on stdout, and in bench/results: latest.* for a run as `make bench` makes it, partial.* for any other. */
function report(results: readonly StormResult[], baseline: BaselineBuild | undefined): void {
  const machine = { ...machineFacts(), ...(baseline ? { baseline: baseline.commit } : {}) };
  const sides = summarize(results);
  const ratios = ratiosTo(sides, 'native');
  const toBaseline = ratiosTo(sides, 'app-baseline', (mode) => mode === 'app');
  const baselineTable =
    toBaseline.length === 0
      ? ''
      : `\nThe app against its baseline (${process.env.BENCH_BASELINE}, ${baseline?.commit.slice(0, 12)}):\n\n${ratioTable(toBaseline, 'app-baseline')}\n`;
  const output = `${sidesTable(sides)}\n\nRatios to native (lower is better; the sketch is the floor of an ARI app here):\n\n${ratioTable(ratios, 'native')}\n${baselineTable}`;
  console.log(`\n${output}\nmachine: ${JSON.stringify(machine)}`);
  const tuned = TUNING.filter((name) => process.env[name] !== undefined);
  const name = tuned.length === 0 ? 'latest' : 'partial';
  const json = {
    machine,
    tuned,
    sides,
    ratios,
    ...(toBaseline.length ? { ratiosToBaseline: toBaseline } : {}),
    storms: results.map(({ latenciesMs: _, ...storm }) => storm),
  };
  writeFileSync(join(ROOT, 'bench', 'results', `${name}.json`), JSON.stringify(json, null, 2));
  writeFileSync(
    join(ROOT, 'bench', 'results', `${name}.md`),
    `${output}\nmachine: ${JSON.stringify(machine)}${tuned.length ? `\ntuned by: ${tuned.map((n) => `${n}=${process.env[n]}`).join(' ')}` : ''}\n`,
  );
}

async function main(): Promise<void> {
  const modes = sideModes();
  const baseline = process.env.BENCH_BASELINE === undefined ? undefined : buildBaseline(process.env.BENCH_BASELINE, 'BENCH_BASELINE');
  try {
    // A fresh Asterisk: calls left over by an earlier run that failed would load this one.
    asteriskScript(['down'], { inherit: true });
    asteriskScript(['up'], { inherit: true });
    const asteriskPid = Number(asteriskScript(['pid']).trim());
    const driver = await StormDriver.connect();
    let results: StormResult[];
    // The app as it runs in production (its own process, the build in dist/), with logging at info.
    const sides = await Sides.start(driver, asteriskPid, modes, appLaunch(baseline));
    try {
      results = await runStorms(sides, modes);
    } finally {
      await sides.stop();
      if (process.env.BENCH_APP_LOG)
        writeFileSync(
          process.env.BENCH_APP_LOG,
          sides
            .appLog()
            .map((line) => JSON.stringify(line))
            .join('\n') + '\n',
        );
      await driver.close();
    }
    report(results, baseline);
  } finally {
    baseline?.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
