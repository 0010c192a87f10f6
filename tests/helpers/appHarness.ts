import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { loadSettings } from '../../src/config/loadSettings';
import { SettingsStore } from '../../src/config/settingsStore';
import { ConferenceServer } from '../../src/server';
import { defaultSettingsFile, SettingsFile } from '../../harness/settingsFile';
import { AsteriskEnv, asteriskEnv, asteriskScript } from '../../harness/testEnv';
import { waitUntil } from '../../harness/waitUntil';

/**
 * The conference app under test, in this process, against the test Asterisk, with its own
 * settings file (so a test can rewrite it live) and its log lines captured.
 */
export class AppHarness {
  private constructor(
    /** Every log line the app wrote, parsed, and as written. */
    readonly logs: Array<Record<string, unknown>>,
    readonly logText: string[],
    /** The app as the composition root built it: its room registry, event stream, stats. */
    readonly app: ConferenceServer,
    readonly store: SettingsStore,
    readonly path: string,
    private readonly logger: winston.Logger,
  ) {}

  /** Against the test Asterisk, or another one (`asterisk`: a second node's, from startSecondAsterisk). */
  static async start(overrides: SettingsFile = {}, asterisk: AsteriskEnv = asteriskEnv()): Promise<AppHarness> {
    const env = asterisk;
    const dir = mkdtempSync(join(tmpdir(), 'conference-test-'));
    const path = join(dir, 'conference.json');
    // The status API on a free port, so test runs never fight over one.
    const ari = { ...(overrides.ari as SettingsFile | undefined), url: env.ARI_URL, username: env.ARI_USER, password: env.ARI_PASSWORD };
    const file = { ...defaultSettingsFile(), stateFile: join(dir, 'rooms.json'), api: { port: 0 }, ...overrides, ari };
    writeFileSync(path, JSON.stringify(file, null, 2));
    const loaded = loadSettings(path);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const logs: Array<Record<string, unknown>> = [];
    const logText: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          logText.push(line);
          logs.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    const logger = winston.createLogger({
      level: 'debug',
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream: sink })],
    });
    const store = new SettingsStore(path, loaded, 200);
    store.on('rejected', (errors) =>
      logger.error('settings file refused; the settings in force stay', { event: 'settings-rejected', errors }),
    );
    store.watch();
    const app = new ConferenceServer(store, logger);
    await app.start();
    // Calls follow the number and app name this app stored, not those a previous test left in Asterisk.
    await waitUntil(
      () => logs.some((l) => l.event === 'dialplan-settings-stored'),
      10000,
      'the app to store its number and name in Asterisk',
    );
    return new AppHarness(logs, logText, app, store, path, logger);
  }

  /** The status API's base URL (http://127.0.0.1:<free port>). */
  get apiUrl(): string {
    const address = this.app.apiAddress;
    if (!address) throw new Error('the status API is not enabled');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Has Asterisk close the app's event WebSocket, as a connection that drops: the app must reconnect. */
  dropAriConnection(): void {
    const app = this.store.current.ari.app;
    const sessions = asteriskScript(['cli', 'ari show websocket sessions']);
    // Columns: connection id, type, remote address, state, apps.
    const ids = sessions
      .split('\n')
      .filter((line) => line.trim().split(/\s+/).at(-1) === app)
      .map((line) => line.trim().split(/\s+/)[0]);
    if (ids.length !== 1) throw new Error(`expected one ARI WebSocket of app ${app}, found:\n${sessions}`);
    asteriskScript(['cli', `ari shutdown websocket session ${ids[0]}`]);
  }

  /** Rewrites the settings file as an admin would (whole file, atomically); resolves once the app took it. */
  async writeSettings(changes: SettingsFile): Promise<void> {
    const current = JSON.parse(readFileSync(this.path, 'utf8')) as SettingsFile;
    const taken = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the app did not take the new settings within 2 s')), 2000);
      this.store.once('changed', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.writeRaw(JSON.stringify({ ...current, ...changes }, null, 2));
    await taken;
  }

  writeRaw(text: string): void {
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, this.path);
  }

  /** Waits until the app holds nothing but what live calls need (no queued bridge work). */
  async settled(timeoutMs = 5000): Promise<void> {
    await waitUntil(() => this.app.stats().roomQueues === 0, timeoutMs);
  }

  async stop(): Promise<void> {
    this.store.unwatch();
    await this.app.stop();
    this.logger.close();
  }
}
