import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AriCalls } from '../src/ari/ariCalls';
import { AriEvent, EventStream } from '../src/ari/eventStream';
import { RestClient } from '../src/ari/restClient';
import { AriCredentials } from '../src/tools/asteriskEnv';
import { sendSilence, watchEverything } from '../src/tools/callerApp';
import { asteriskEnv } from './testEnv';
import { Caller } from './caller';
import { waitForEvent } from './eventWait';

export const DRIVER_APP = 'conference-test';

function testAsteriskAri(): AriCredentials {
  const env = asteriskEnv();
  return { url: env.ARI_URL, username: env.ARI_USER, password: env.ARI_PASSWORD };
}

/**
 * The test's own view of Asterisk: a separate ARI app on its own WebSocket, subscribed to
 * every channel and bridge, so it sees what callers hear (playbacks) and where they are
 * (bridges) without touching the app under test.
 */
export class TestDriver {
  readonly rest: RestClient;
  private readonly calls: AriCalls;
  private readonly stream: EventStream;
  private readonly ready: () => Promise<void>;
  readonly events: AriEvent[] = [];
  readonly bus = new EventEmitter();
  private readonly callers = new Set<Caller>();
  /** Driver channels to send audio from, as soon as they are up in the driver's app. */
  private readonly audioPending = new Set<string>();

  private constructor(maxConnections: number, ari: AriCredentials) {
    this.rest = new RestClient({ ...ari, maxConnections, timeoutMs: 15000 });
    this.stream = new EventStream({ ...ari, app: DRIVER_APP, pingIntervalMs: 5000, backoffInitialMs: 200, backoffMaxMs: 2000 });
    this.calls = new AriCalls(this.rest);
    this.ready = watchEverything(this.stream, this.rest, DRIVER_APP);
    this.bus.setMaxListeners(0);
    this.stream.on('event', (event) => {
      this.events.push(event);
      this.sendAudioOnceUp(event);
      this.bus.emit('event', event);
    });
  }

  /** Connects to the test Asterisk, or to another one given by its ARI credentials. */
  static async connect(maxConnections = 64, ari: AriCredentials = testAsteriskAri()): Promise<TestDriver> {
    const driver = new TestDriver(maxConnections, ari);
    driver.stream.start();
    await driver.ready();
    return driver;
  }

  /** Resolves once the driver's WebSocket is up and subscribed (again, after an Asterisk restart). */
  whenConnected(): Promise<void> {
    return this.ready();
  }

  /** Has Asterisk send the driver only these event types (the benchmark: every event of 800 channels costs Asterisk). */
  async onlyEvents(types: readonly string[]): Promise<void> {
    await this.calls.filterEvents(DRIVER_APP, types);
  }

  /**
   * Places a call through the real dialplan: Local/<number>@<context>. Like a phone's RTP, the
   * caller sends audio (silence) all the time unless `sendsAudio` is false: on a channel that
   * receives no frames, Asterisk can hold a key's end in its read queue until the next frame
   * comes (main/channel.c skips a DTMF frame read within 45 ms of the last and waits for a
   * wake-up), which a caller keying "1#" and then nothing never sends
   * (docs/DECISIONS.md, "Test callers send audio, as phones do").
   */
  async call(
    number: string,
    options: { context?: string; callerId?: string; formats?: string; sendsAudio?: boolean } = {},
  ): Promise<Caller> {
    const context = options.context ?? 'from-internal';
    const caller = new Caller(this, `drv-${randomUUID()}`, `app-${randomUUID()}`);
    this.callers.add(caller);
    if (options.sendsAudio ?? true) this.audioPending.add(caller.driverChannel);
    await this.rest.post('/channels', {
      endpoint: `Local/${number}@${context}`,
      app: DRIVER_APP,
      channelId: caller.driverChannel,
      otherChannelId: caller.appChannel,
      callerId: options.callerId ?? '201',
      timeout: 30,
      formats: options.formats,
    });
    return caller;
  }

  /** The driver's half of a call entered the driver's app (it was answered): silence from it from now on. */
  private sendAudioOnceUp(event: AriEvent): void {
    const id = (event.channel as { id?: string } | undefined)?.id;
    if (event.type !== 'StasisStart' || id === undefined || !this.audioPending.delete(id)) return;
    sendSilence(this.rest, id);
  }

  /** Resolves with the first event (seen since the mark `since`, or to come) that matches. */
  waitFor(match: (event: AriEvent) => boolean, timeoutMs = 10000, what = 'event', since = 0): Promise<AriEvent> {
    return waitForEvent(since === 0 ? this.events : this.events.slice(since), this.bus, match, timeoutMs, what);
  }

  /** A mark in the events seen so far: waits since it see only what comes after. */
  mark(): number {
    return this.events.length;
  }

  /** Bridges whose id starts with conference-, with their channels. */
  async conferenceBridges(): Promise<Map<string, string[]>> {
    const bridges = await this.rest.get<Array<{ id: string; channels: string[] }>>('/bridges');
    return new Map(bridges.filter((b) => b.id.startsWith('conference-')).map((b) => [b.id, b.channels]));
  }

  async hangupAll(): Promise<void> {
    await Promise.all([...this.callers].map((caller) => caller.hangup()));
    this.callers.clear();
    this.audioPending.clear();
  }

  async close(): Promise<void> {
    await this.hangupAll();
    await this.stream.stop();
    this.rest.close();
  }
}
