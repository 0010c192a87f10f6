/**
 * The processes that answer each side's calls: none for the native sides (Asterisk's dialplan),
 * the sketch's (bench/ariSketch.ts), the app's (its build in dist/), and with BENCH_BASELINE the
 * app built from another revision (app-baseline).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { AppProcess } from '../harness/appProcess';
import { SettingsFile } from '../harness/settingsFile';
import { ROOT, withAriCredentials } from '../harness/testEnv';
import { storm, StormTarget } from './storm';
import { progress, StormDriver } from './stormDriver';
import { Mode, StormResult } from './stormSummary';

/** How the app sides run: the settings the bench writes, the node flags, and the baseline's build. */
export interface AppLaunch {
  readonly settings: SettingsFile;
  readonly nodeArgs: readonly string[];
  /** The folder of the baseline's build (its dist/src/main.js), when BENCH_BASELINE is set. */
  readonly baselineDir?: string;
}

/** A process started for a side's storms, and how to end it. */
export interface SideProcess {
  readonly pid: number;
  stop(): Promise<void>;
}

export class Sides {
  private constructor(
    private readonly driver: StormDriver,
    private readonly asteriskPid: number,
    private readonly apps: ReadonlyMap<Mode, AppProcess>,
  ) {}

  /**
   * One app alone runs as production runs it: one process for the whole bench. Two builds of the
   * app cannot be up at once (both keep the server number and the app's name in AstDB, and their
   * idle connections would count against Asterisk's sessionlimit): each then runs in a fresh
   * process for each of its storms, warmed first, as the sketch does.
   */
  static async start(driver: StormDriver, asteriskPid: number, modes: readonly Mode[], launch: AppLaunch): Promise<Sides> {
    const apps = new Map<Mode, AppProcess>();
    const nodeArgs = ['--expose-gc', ...launch.nodeArgs];
    if (modes.includes('app')) apps.set('app', AppProcess.prepare(launch.settings, { nodeArgs, compiled: true }));
    if (modes.includes('app-baseline') && launch.baselineDir)
      apps.set('app-baseline', AppProcess.prepare(launch.settings, { nodeArgs, release: launch.baselineDir }));
    const sides = new Sides(driver, asteriskPid, apps);
    if (!sides.takeTurns) for (const [mode, app] of apps) await startApp(mode, app);
    return sides;
  }

  private get takeTurns(): boolean {
    return this.apps.size > 1;
  }

  /** One storm of a side, its process started first where it needs a fresh one. */
  async storm(mode: Mode, callers: number, rooms: number): Promise<StormResult> {
    const app = this.apps.get(mode);
    if (mode === 'sketch')
      return this.inFreshProcess(startSketch, (pid) => ({ mode, asteriskPid: this.asteriskPid, sketchPid: pid }), callers, rooms);
    const target: StormTarget = { mode, asteriskPid: this.asteriskPid, ...(app ? { app } : {}) };
    if (app && this.takeTurns)
      return this.inFreshProcess(
        () => startApp(mode, app),
        () => target,
        callers,
        rooms,
      );
    return storm(this.driver, target, callers, rooms);
  }

  /** A fresh process each time: warmed by a small storm first, as the app is once. */
  private async inFreshProcess(
    start: () => Promise<SideProcess>,
    target: (pid: number) => StormTarget,
    callers: number,
    rooms: number,
  ): Promise<StormResult> {
    const side = await start();
    try {
      await storm(this.driver, target(side.pid), 10, 2);
      return await storm(this.driver, target(side.pid), callers, rooms);
    } finally {
      await side.stop();
    }
  }

  /** The app's whole log (BENCH_APP_LOG), every start of it. */
  appLog(): ReadonlyArray<Record<string, unknown>> {
    return this.apps.get('app')?.logs ?? [];
  }

  async stop(): Promise<void> {
    for (const app of this.apps.values()) await app.kill('SIGTERM');
  }
}

/** Starts an app side's process, and says which build it runs. */
async function startApp(mode: Mode, app: AppProcess): Promise<SideProcess> {
  await app.start();
  progress(`${mode}: version ${String([...app.logs].reverse().find((l) => l.event === 'starting')?.version)} started, pid ${app.pid}`);
  return { pid: app.pid!, stop: () => app.kill('SIGTERM') };
}

/**
 * The sketch in its own process, as the app runs; resolves once it is connected. In `make bench`
 * it runs for its own storms only: its idle connections would count against Asterisk's
 * sessionlimit during the app's (driver 32 + app 32 + sketch 32 + 3 WebSockets). `make bench-sip`'s
 * driver holds 16, so there it stays up for the whole bench.
 */
export async function startSketch(): Promise<SideProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'ariSketch.ts')], {
    cwd: ROOT,
    env: withAriCredentials(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`the sketch exited (${code}) before it connected`)));
  });
  const stop = async (): Promise<void> => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return { pid: child.pid!, stop };
}
