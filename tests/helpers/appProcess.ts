import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { defaultSettingsFile, SettingsFile, waitUntil } from './appHarness';
import { ROOT, withAriCredentials } from './testEnv';

export interface LaunchOptions {
  readonly nodeArgs?: readonly string[];
  /** Run the build (dist/, `make build`) as production does, instead of the sources through ts-node. */
  readonly compiled?: boolean;
}

/**
 * The conference app as its own process (src/main.ts), as `make run` starts it: the way to
 * test what only a real process can show, such as a SIGKILL in the middle of live rooms.
 */
export class AppProcess {
  readonly logs: Array<Record<string, unknown>> = [];
  private child: ChildProcess | undefined;

  private constructor(
    readonly settingsPath: string,
    private readonly launch: LaunchOptions,
  ) {}

  /** A settings file (with its own state file) that later starts of the app share. */
  static prepare(overrides: SettingsFile = {}, launch: LaunchOptions = {}): AppProcess {
    const dir = mkdtempSync(join(tmpdir(), 'conference-process-'));
    const path = join(dir, 'conference.json');
    writeFileSync(path, JSON.stringify({ ...defaultSettingsFile(), stateFile: join(dir, 'rooms.json'), api: { port: 0 }, ...overrides }, null, 2));
    return new AppProcess(path, launch);
  }

  /** Starts the app and resolves once it has connected to ARI and rebuilt its state. */
  async start(): Promise<void> {
    const from = this.logs.length;
    const entry = this.launch.compiled ? [join(ROOT, 'dist', 'src', 'main.js')] : ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')];
    const child = spawn(process.execPath, [...(this.launch.nodeArgs ?? []), ...entry], {
      cwd: ROOT,
      env: withAriCredentials({ CONFERENCE_CONFIG: this.settingsPath }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.logs.push({ text: line });
      }
    });
    try {
      await waitUntil(() => this.logs.slice(from).some((l) => l.event === 'ari-connected'), 30000, 'the app process to connect to ARI');
      // Reconcile runs right after connecting; give it its round trips.
      await waitUntil(() => this.logs.slice(from).some((l) => l.event === 'reconciled'), 10000, 'the app process to rebuild its state');
    } catch (error) {
      // A start that failed leaves no process behind (one left running would take the next run's calls).
      await this.kill('SIGKILL');
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The app's own CPU, memory and event-loop figures (SIGUSR2 makes it log them). */
  async runtimeStats(): Promise<Record<string, number>> {
    const from = this.logs.length;
    this.child?.kill('SIGUSR2');
    await waitUntil(() => this.logs.slice(from).some((l) => l.event === 'runtime-stats'), 5000, 'runtime stats from the app process');
    return this.logs.slice(from).find((l) => l.event === 'runtime-stats') as Record<string, number>;
  }

  /**
   * The event loop's delay p99 since the previous call, from the app's Prometheus metrics (each
   * scrape restarts prom-client's histogram). Unlike runtimeStats(), nothing is collected: under
   * --expose-gc a full GC there drops V8's optimized code that holds objects which have died.
   */
  async eventLoopDelayP99Ms(): Promise<number> {
    // The latest start's: a restarted app listens on another port.
    const listening = [...this.logs].reverse().find((l) => l.event === 'api-listening');
    if (!listening) throw new Error('the app process has not said where its status API listens');
    const host = String(listening.host);
    const response = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${String(listening.port)}/metrics`);
    const line = (await response.text()).split('\n').find((l) => l.startsWith('conference_process_nodejs_eventloop_lag_p99_seconds '));
    if (!line) throw new Error('no event-loop delay in the app\'s metrics');
    return Number(line.split(' ')[1]) * 1000;
  }

  /** Sends the process a signal (SIGHUP, SIGUSR1...), as an admin's `kill -HUP` would, and goes on. */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** Kills the process without warning (no clean-up of any kind), and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }
}
