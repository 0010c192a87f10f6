import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import winston from 'winston';
import { AppEvent } from '../../src/app/appEvents';
import { CallIO, EntryOutcome } from '../../src/app/callIO';
import { CallSession, endedBy } from '../../src/app/callSession';
import { AppPorts, ConferenceApp } from '../../src/app/conferenceApp';
import { ConferenceEvent, ConferenceEvents } from '../../src/app/conferenceEvents';
import { JoinsInFlight } from '../../src/app/joinsInFlight';
import { LegEnd, LinkLegs } from '../../src/app/linkLegs';
import { AsteriskState } from '../../src/app/rebuild';
import { BridgeOps, BridgePlayback, RecordingControl } from '../../src/app/ports';
import { RoomRecordings } from '../../src/app/roomRecordings';
import { RoomRegistry } from '../../src/app/roomRegistry';
import { SpokenNames } from '../../src/app/spokenNames';
import { DialOut } from '../../src/app/dialOut';
import { NameRecordings } from '../../src/ari/nameRecordings';
import { EmbeddedRoomState } from '../../src/app/roomStateStore';
import { validateSettings } from '../../src/config/loadSettings';
import { Role } from '../../src/domain/permanentRooms';
import { PinGuard } from '../../src/domain/pinGuard';
import { bridgeIdFor } from '../../src/domain/roomNumber';

type AddOutcome = Awaited<ReturnType<BridgeOps['addChannel']>>;

/** The ARI connection as the app sees it, driven by the test in whatever order it chooses. */
export class FakeEventSource extends EventEmitter<{ event: [AppEvent]; connected: [] }> {
  call(channelId: string, dialled: string, callerNumber = '201'): void {
    this.emit('event', { type: 'StasisStart', channel: { id: channelId, callerNumber, answered: false }, args: [dialled, 'internal'] });
  }

  /** Each key as its own event, one after the other, as Asterisk sends them. */
  keys(channelId: string, digits: string): void {
    for (const digit of digits) this.emit('event', { type: 'ChannelDtmfReceived', channel: { id: channelId }, digit });
  }

  stasisEnd(channelId: string): void {
    this.emit('event', { type: 'StasisEnd', channel: { id: channelId } });
  }

  hangupRequest(channelId: string): void {
    this.emit('event', { type: 'ChannelHangupRequest', channel: { id: channelId }, cause: 16 });
  }

  connected(): void {
    this.emit('connected');
  }
}

/**
 * Asterisk's bridges as the room registry sees them: what lives in each bridge, every request
 * recorded; addChannel answers at once, or when the test says for the channels it holds back.
 */
export class FakeBridges implements BridgeOps {
  readonly requests: string[] = [];
  readonly channels = new Map<string, string[]>();
  private readonly heldBack = new Set<string>();
  private readonly pending = new Map<string, { bridgeId: string; resolve: (outcome: AddOutcome) => void }>();

  async create(room: string): Promise<string> {
    const bridgeId = bridgeIdFor(room);
    this.requests.push(`create ${bridgeId}`);
    this.channels.set(bridgeId, []);
    return bridgeId;
  }
  async destroy(bridgeId: string): Promise<void> {
    this.requests.push(`destroy ${bridgeId}`);
    this.channels.delete(bridgeId);
  }
  addChannel(bridgeId: string, channelId: string): Promise<AddOutcome> {
    this.requests.push(`add ${channelId}`);
    if (!this.heldBack.has(channelId)) return Promise.resolve(this.add(bridgeId, channelId, 'added'));
    return new Promise((resolve) => this.pending.set(channelId, { bridgeId, resolve }));
  }
  async startMoh(): Promise<void> {}
  async stopMoh(): Promise<void> {}
  async playToBridge(): Promise<void> {}
  announce(bridgeId: string, media: readonly string[]): BridgePlayback {
    this.requests.push(`announce ${bridgeId} ${media.join(',')}`);
    return { answered: Promise.resolve(), finished: Promise.resolve() };
  }

  /** This channel's addChannel waits for answerAdd. */
  holdBack(channelId: string): void {
    this.heldBack.add(channelId);
  }

  isAdding(channelId: string): boolean {
    return this.pending.has(channelId);
  }

  /** Asterisk answers the held-back addChannel of this channel. */
  answerAdd(channelId: string, outcome: AddOutcome): void {
    const add = this.pending.get(channelId);
    if (!add) throw new Error(`no addChannel in flight for ${channelId}`);
    this.pending.delete(channelId);
    add.resolve(this.add(add.bridgeId, channelId, outcome));
  }

  private add(bridgeId: string, channelId: string, outcome: AddOutcome): AddOutcome {
    if (outcome === 'added') this.channels.get(bridgeId)?.push(channelId);
    return outcome;
  }
}

/**
 * Asterisk's recordings: each request recorded; a recording is live from its start until it is
 * stopped or `end` ends it, then stored until deleted.
 */
export class FakeRecordingControl implements RecordingControl {
  readonly requests: string[] = [];
  readonly live = new Set<string>();
  readonly stored = new Set<string>();
  async recordBridge(bridgeId: string, name: string, format: string, maxSeconds: number): Promise<boolean> {
    this.requests.push(`record ${bridgeId} ${name} ${format} ${maxSeconds}`);
    this.live.add(name);
    this.stored.add(name);
    return true;
  }
  async stopRecording(name: string): Promise<boolean> {
    this.requests.push(`stop ${name}`);
    return this.live.delete(name);
  }
  async isLive(name: string): Promise<boolean> {
    return this.live.has(name);
  }
  async storedRecordings(): Promise<string[]> {
    return [...this.stored];
  }
  async saveStored(name: string): Promise<number> {
    this.requests.push(`save ${name}`);
    return 44 + 16000 * 5;
  }
  async deleteStored(name: string): Promise<boolean> {
    this.requests.push(`delete ${name}`);
    return this.stored.delete(name);
  }
}

/** What the rebuild after a reconnect reads from Asterisk: set by the test to what Asterisk holds then. */
export class FakeAsterisk implements AsteriskState {
  appChannels: string[] = [];
  readonly released: string[] = [];
  readonly filtered: string[][] = [];

  constructor(private readonly bridges: FakeBridges) {}

  async applicationChannels(): Promise<readonly string[]> {
    return this.appChannels;
  }
  async listBridges(): Promise<ReadonlyArray<{ id: string; channels: readonly string[] }>> {
    return [...this.bridges.channels].map(([id, channels]) => ({ id, channels: [...channels] }));
  }
  async callerNumber(): Promise<string> {
    return '201';
  }
  async roleOf(): Promise<Role> {
    return 'participant';
  }
  async destroyBridge(bridgeId: string): Promise<boolean> {
    return this.bridges.channels.delete(bridgeId);
  }
  async release(channelId: string): Promise<boolean> {
    this.released.push(channelId);
    return true;
  }
  async filterEvents(_app: string, types: readonly string[]): Promise<void> {
    this.filtered.push([...types]);
  }
}

/** A call as the caller flow drives it: prompts take the keys up to '#'; everything else is done at once. */
export class FakeCallIO implements CallIO {
  readonly heard: string[][] = [];
  hungUp = false;
  /** `<room>@<home address>` once passed on to another node. */
  relayedTo: string | undefined;

  constructor(private readonly session: CallSession) {}

  async answer(): Promise<void> {
    this.throwIfEnded();
  }
  async play(media: readonly string[]): Promise<void> {
    this.throwIfEnded();
    this.heard.push([...media]);
  }
  prompt(media: readonly string[]): Promise<EntryOutcome> {
    const { signal } = this.session;
    if (signal.aborted) return Promise.reject(endedBy(signal));
    this.heard.push([...media]);
    return new Promise((resolve, reject) => {
      let keyed = '';
      const settle = (finish: () => void): void => {
        stopListening();
        signal.removeEventListener('abort', onAbort);
        finish();
      };
      const onAbort = (): void => settle(() => reject(endedBy(signal)));
      signal.addEventListener('abort', onAbort, { once: true });
      const stopListening = this.session.listen((key) => {
        if (key === '#') settle(() => resolve({ type: 'complete', value: keyed }));
        else keyed += key;
      });
      this.session.replayTypeahead();
    });
  }
  async hold(): Promise<void> {
    this.throwIfEnded();
  }
  async mute(): Promise<void> {
    this.throwIfEnded();
  }
  async markRole(): Promise<void> {
    this.throwIfEnded();
  }
  async detectTalking(): Promise<void> {
    this.throwIfEnded();
  }
  async recordName(): Promise<boolean> {
    this.throwIfEnded();
    return true;
  }
  async sleep(): Promise<void> {
    this.throwIfEnded();
  }
  async hangup(): Promise<void> {
    this.hungUp = true;
  }
  async relay(room: string, homeAddress: string): Promise<LegEnd> {
    this.relayedTo = `${room}@${homeAddress}`;
    return 'ended';
  }

  private throwIfEnded(): void {
    if (this.session.signal.aborted) throw endedBy(this.session.signal);
  }
}

/** The app core on fakes of its edge: events in, room and session state out, log lines captured. */
export interface FakeWorld {
  readonly app: ConferenceApp;
  readonly source: FakeEventSource;
  readonly bridges: FakeBridges;
  readonly asterisk: FakeAsterisk;
  readonly rooms: RoomRegistry;
  /** The call IO of each call, by channel id, in the order the calls were opened. */
  readonly calls: Map<string, FakeCallIO>;
  readonly published: ConferenceEvent[];
  readonly logs: Array<Record<string, unknown>>;
}

export function fakeWorld(): FakeWorld {
  const loaded = validateSettings({}, 'test', { ARI_PASSWORD: 'secret' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const settings = loaded.settings;
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const transports = [new winston.transports.Stream({ stream: sink })];
  const log = winston.createLogger({ level: 'debug', format: winston.format.json(), transports });
  const source = new FakeEventSource();
  const bridges = new FakeBridges();
  const asterisk = new FakeAsterisk(bridges);
  const conferenceEvents = new ConferenceEvents();
  const published: ConferenceEvent[] = [];
  conferenceEvents.on('event', (event) => published.push(event));
  const joins = new JoinsInFlight(0, 0);
  const sounds = { joinTone: undefined, leaveTone: undefined };
  const pins = { set: async () => undefined, delete: () => undefined };
  const names = new SpokenNames(new FakeRecordingControl(), log);
  const rooms = new RoomRegistry(new EmbeddedRoomState(pins), bridges, () => 0, Date.now, sounds, conferenceEvents, joins, names);
  const calls = new Map<string, FakeCallIO>();
  const app = new ConferenceApp(
    {
      source,
      asterisk,
      playbacks: {
        onEvent: () => undefined,
        forgetChannel: () => undefined,
        play: () => ({ id: 'told', finished: Promise.resolve(), pause: () => undefined, stop: async () => undefined }),
      },
      dialplan: { claim: () => false, store: async () => undefined },
      isCall: () => true,
      openCallIO: (session) => {
        const io = new FakeCallIO(session);
        calls.set(session.id, io);
        return io;
      },
      // The in-conference keys (mute) are not driven in these tests.
      channels: { muteChannel: async () => true } as unknown as AppPorts['channels'],
      links: new LinkLegs(),
      nameRecordings: new NameRecordings(),
    },
    {
      settings: () => settings,
      log,
      rooms,
      guard: new PinGuard(settings.bruteForce),
      joins,
      placement: { elsewhere: async () => undefined },
      conferenceEvents,
      pins,
      now: Date.now,
      recordings: new RoomRecordings({
        bridgeOf: (room) => rooms.snapshotOfRoom(room)?.bridgeId,
        control: new FakeRecordingControl(),
        folder: { freeMb: async () => 1e6, fileFor: (folder, name) => `${folder}/${name}.wav`, save: async () => 0 },
        announce: () => undefined,
        settings: () => settings.recording,
        events: conferenceEvents,
        log,
        now: Date.now,
        uniqueId: () => '0badcafe',
      }),
      names,
      dialOut: new DialOut({
        callOut: async () => undefined,
        settings: () => settings.dialOut,
        serverNumber: () => settings.number,
        holds: (room) => rooms.holds(room),
        tell: async () => undefined,
        events: conferenceEvents,
        log,
        now: Date.now,
        uniqueId: () => 'cafe',
      }),
    },
  );
  return { app, source, bridges, asterisk, rooms, calls, published, logs };
}

/** Lets every promise chain and short timer run: the app has done all it can until Asterisk answers. */
export async function settled(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}
