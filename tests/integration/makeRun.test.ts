import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitUntil } from '../helpers/appHarness';
import { joinRoom } from '../helpers/scenario';
import { TestDriver } from '../helpers/testDriver';
import { ROOT, TEST_INSTANCE } from '../helpers/testEnv';

/**
 * `make run` as an admin starts it, against the running test Asterisk: its instance and ports
 * come from the environment, as for scripts/asterisk.sh (README). Its own process group, so
 * that the test stops make and the app it started, and nothing else.
 */
class MakeRun {
  /** Every line it printed: the app's JSON lines parsed, the others as { text }. */
  readonly lines: Array<Record<string, unknown>> = [];
  private readonly child: ChildProcess;
  private readonly closed: Promise<void>;

  constructor(extraEnv: NodeJS.ProcessEnv) {
    // No ARI credentials, settings path or make state of this process: make run finds its own.
    const { ARI_URL: _u, ARI_USER: _n, ARI_PASSWORD: _p, CONFERENCE_CONFIG: _c, MAKEFLAGS: _f, MFLAGS: _m, MAKELEVEL: _l, ...env } = process.env;
    // -o node_modules: make run installs the npm packages when package.json is newer; here that
    // would replace the very packages the running test uses.
    this.child = spawn('make', ['--no-print-directory', '-o', 'node_modules', 'run'], { cwd: ROOT, env: { ...env, ...TEST_INSTANCE, ...extraEnv }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ text: line });
        }
      });
    }
    // Both pipes close once make and the app it started have both exited.
    this.closed = Promise.all([this.child.stdout!, this.child.stderr!].map((s) => new Promise((resolve) => s.once('close', resolve)))).then(() => undefined);
  }

  line(event: string): Record<string, unknown> | undefined {
    return this.lines.find((l) => l.event === event);
  }

  async waitFor(event: string, timeoutMs: number): Promise<Record<string, unknown>> {
    await waitUntil(() => this.line(event) !== undefined, timeoutMs, () => `make run to log ${event}; it printed: ${this.lines.map((l) => l.text ?? JSON.stringify(l)).join(' | ')}`);
    return this.line(event)!;
  }

  /** SIGTERM to make and the app (its process group), as Ctrl-C would; resolves once both are gone. */
  async stop(): Promise<void> {
    try {
      process.kill(-this.child.pid!, 'SIGTERM');
    } catch {
      // gone already
    }
    await this.closed;
  }
}

/** README, "Settings": the file is config/conference.json, or the path in CONFERENCE_CONFIG; `make run` honours both. */
describe('make run', () => {
  let driver: TestDriver;
  let run: MakeRun | undefined;

  beforeAll(async () => {
    driver = await TestDriver.connect();
  });
  afterEach(async () => {
    await driver.hangupAll();
    await run?.stop();
    run = undefined;
  });
  afterAll(async () => {
    await driver.close();
  });

  it('takes its settings from the file CONFERENCE_CONFIG names: its server number reaches a room', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conference-make-run-'));
    const path = join(dir, 'conference.json');
    writeFileSync(path, JSON.stringify({ number: '65', api: { port: 0 }, stateFile: join(dir, 'rooms.json') }));
    run = new MakeRun({ CONFERENCE_CONFIG: path });
    // make run builds first (tsc): minutes on a busy machine.
    expect(await run.waitFor('starting', 240000)).toMatchObject({ config: path });
    expect(await run.waitFor('dialplan-settings-stored', 30000)).toMatchObject({ number: '65' });
    expect(run.lines.some((l) => String(l.text).includes(`settings in ${path}`))).toBe(true);
    const caller = await joinRoom(driver, '65123');
    await caller.entersBridge('conference-123');
  }, 300000);

  it('without CONFERENCE_CONFIG, takes config/conference.json', async () => {
    run = new MakeRun({});
    expect(await run.waitFor('starting', 240000)).toMatchObject({ config: 'config/conference.json' });
    expect(run.lines.some((l) => String(l.text).includes('settings in config/conference.json'))).toBe(true);
  }, 300000);
});
