import { randomBytes, randomInt } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { answerPeers, clusterHandler, Handler, Holds, LocalHandler } from './api/clusterHandler';
import { createHandler } from './api/handlers';
import { StatusServer } from './api/statusServer';
import { AriAppEvents } from './ari/appEventSource';
import { AriCallIO } from './ari/ariCallIO';
import { AriCalls } from './ari/ariCalls';
import { AriRecordings } from './ari/ariRecordings';
import { createBridgeOps } from './ari/bridgeOps';
import { AriDialplanStore } from './ari/dialplanStore';
import { EventStream } from './ari/eventStream';
import { Playbacks } from './ari/playbacks';
import { NameRecordings } from './ari/nameRecordings';
import { RestClient } from './ari/restClient';
import { ConferenceAdmin } from './app/conferenceAdmin';
import { ConferenceApp } from './app/conferenceApp';
import { ConferenceEvents } from './app/conferenceEvents';
import { ConferenceMetrics } from './app/conferenceMetrics';
import { DialplanSettings, isDialplanSettingsChannel } from './app/dialplanSettings';
import { EventsLog } from './store/eventsLog';
import { JoinsInFlight } from './app/joinsInFlight';
import { isLinkLeg, LinkLegs } from './app/linkLegs';
import { logRequestFailed } from './app/requestFailed';
import { SpokenNames } from './app/spokenNames';
import { DialOut } from './app/dialOut';
import { RoomRecordings } from './app/roomRecordings';
import { RoomRegistry } from './app/roomRegistry';
import { recordingFolder } from './store/recordingFolder';
import { RoomPlacement } from './app/roomPlacement';
import { EmbeddedRoomState } from './app/roomStateStore';
import { RoomStore } from './store/roomStore';
import { openSharedStore, SharedStore } from './store/sharedStore';
import { ValkeyRoomState } from './store/valkeyRoomState';
import { fanOutSettings, roomSounds } from './app/settingsFanOut';
import { WriteHealth } from './app/writeHealth';
import { SettingsStore } from './config/settingsStore';
import { EmbeddedGuardCounts } from './domain/guardCounts';
import { PinGuard } from './domain/pinGuard';
import { Logger } from './logger';

/** How long a stop waits for Asterisk to see the event stream close: well within the stop budget (main.ts). */
const ARI_CLOSE_WAIT_MS = 1000;
/** The longest a newcomer's announcement, or a room's tone, waits for other callers' joins to go through. */
const JOIN_BURST_MAX_WAIT_MS = 1000;
/** A burst of joins is over once none has been under way for this long. */
const JOIN_BURST_QUIET_MS = 50;
/** How often brute-force counts older than their window are forgotten. */
const GUARD_SWEEP_MS = 60_000;

/** Counts of what the server holds, for tests, soak runs and the status API: all 0 when idle. */
export interface AppStats {
  sessions: number;
  rooms: number;
  playbacks: number;
  roomQueues: number;
  guardEntries: number;
}

/**
 * The composition root: builds the ARI edge, the room state file, the registry, the app, the
 * admin side, the metrics and the status API, and hands them to each other. main.ts runs it as a
 * process; the test harness builds it the same way.
 */
export class ConferenceServer {
  /** The ARI event stream as it comes off the socket. */
  readonly events: EventStream;
  readonly rooms: RoomRegistry;
  readonly admin: ConferenceAdmin;
  readonly metrics: ConferenceMetrics;
  /** Each room's recording (exposed for tests, as rooms is). */
  readonly recordings: RoomRecordings;
  /** Where the status API listens, once started (when api.enabled). */
  apiAddress: AddressInfo | undefined;
  private readonly rest: RestClient;
  private readonly app: ConferenceApp;
  private readonly api: StatusServer | undefined;
  private readonly playbacks: Playbacks;
  private readonly guard: PinGuard;
  private readonly roomStore: RoomStore;
  private readonly eventsLog: EventsLog;
  private readonly dialplanSettings: DialplanSettings;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly placement: RoomPlacement;
  /** The cluster's store (store.url); none for an app alone. */
  private readonly shared: SharedStore | undefined;

  constructor(
    private readonly store: SettingsStore,
    private readonly log: Logger,
  ) {
    const settings = store.current;
    const current = (): typeof settings => store.current;
    const ariFailed = (error: unknown, where: string): void => logRequestFailed(log, error, where);
    this.rest = new RestClient({ ...settings.ari, timeoutMs: settings.ari.requestTimeoutMs });
    const ari = new AriCalls(this.rest);
    this.events = new EventStream(settings.ari);
    const source = new AriAppEvents(this.events, settings.ari, log);
    const connected = (): boolean => this.events.connected;
    this.playbacks = new Playbacks(ari, ariFailed);
    this.shared = settings.store.url ? openSharedStore(settings.store, log) : undefined;
    // Rooms whose Asterisk is away are not renewed: past a lease, another node starts them again.
    const rooms = this.shared?.rooms;
    if (rooms) {
      this.events.on('disconnected', () => {
        rooms.holdRenewals(true);
        this.placement.hold(true);
      });
      this.events.on('connected', () => {
        rooms.holdRenewals(false);
        this.placement.hold(false);
      });
      // Nothing listens where Asterisk was: it is gone with its calls, so its rooms go at once.
      this.events.on('unreachable', (problem) => {
        if (problem.cause === 'refused') void this.letGoOfRooms(rooms);
      });
    }
    this.guard = new PinGuard(settings.bruteForce, this.shared?.counts ?? new EmbeddedGuardCounts());

    const conferenceEvents = new ConferenceEvents();
    const links = new LinkLegs();
    const joins = new JoinsInFlight(JOIN_BURST_QUIET_MS, JOIN_BURST_MAX_WAIT_MS);
    this.roomStore = new RoomStore(settings.stateFile, new WriteHealth('stateFile', Date.now), (error) =>
      log.error('room state file unreadable', { event: 'state-error', error: String(error) }),
    );
    this.logWrites(this.roomStore.health, 'room state file cannot be written: tried again every 5 s');
    const bridges = createBridgeOps(ari, this.playbacks, current, log, ariFailed);
    const roomState = this.shared?.rooms ?? new EmbeddedRoomState(this.roomStore);
    const recordingControl = new AriRecordings(this.rest);
    const names = new SpokenNames(recordingControl, log);
    this.rooms = new RoomRegistry(roomState, bridges, randomInt, Date.now, roomSounds(settings), conferenceEvents, joins, names);
    this.rooms.updatePermanentRooms(settings.permanentRooms);
    this.placement = new RoomPlacement({
      node: this.shared?.node ?? '',
      sipAddress: settings.store.sipAddress,
      state: roomState,
      rooms: this.rooms,
      busyAt: () => store.current.store.busyParticipants,
      now: Date.now,
    });
    this.eventsLog = new EventsLog(conferenceEvents, new WriteHealth('eventsLog.path', Date.now));
    this.logWrites(this.eventsLog.health, 'events log cannot be written: its lines are held until it can');
    this.eventsLog.open(settings.eventsLog.path);
    const numberHealth = new WriteHealth('number', Date.now);
    this.dialplanSettings = new DialplanSettings(
      new AriDialplanStore(ari, log),
      settings.ari.app,
      () => store.current.number,
      connected,
      numberHealth,
      log,
    );
    this.logWrites(numberHealth, 'could not store the server number and app name in Asterisk: calls to the number may not reach the app');
    const bridgeOf = (room: string): string | undefined => this.rooms.snapshotOfRoom(room)?.bridgeId;
    this.recordings = new RoomRecordings({
      bridgeOf,
      control: recordingControl,
      folder: recordingFolder,
      announce: (room, media) => {
        const bridgeId = bridgeOf(room);
        if (bridgeId !== undefined) void bridges.playToBridge(bridgeId, media);
      },
      settings: () => store.current.recording,
      events: conferenceEvents,
      log,
      now: Date.now,
      uniqueId: () => randomBytes(4).toString('hex'),
    });
    conferenceEvents.on('event', (event) =>
      this.recordings.onConferenceEvent(event, (room) => this.rooms.permanentOf(room)?.record === true),
    );
    const nameRecordings = new NameRecordings();
    const dialOut = new DialOut({
      callOut: (invite) => ari.callOut({ ...invite, app: store.current.ari.app }),
      settings: () => store.current.dialOut,
      serverNumber: () => store.current.number,
      holds: (room) => this.rooms.holds(room),
      tell: (channelId, media) => this.playbacks.play(channelId, media, store.current.sounds.language).finished,
      events: conferenceEvents,
      log,
      now: Date.now,
      uniqueId: () => randomBytes(8).toString('hex'),
    });

    this.app = new ConferenceApp(
      {
        source,
        asterisk: ari,
        playbacks: this.playbacks,
        dialplan: this.dialplanSettings,
        isCall: (channelId) => !isDialplanSettingsChannel(channelId) && !isLinkLeg(channelId),
        openCallIO: (session, timeouts, sounds) =>
          new AriCallIO(session, ari, this.playbacks, timeouts, sounds, links, nameRecordings, store.current.ari.app),
        channels: ari,
        links,
        nameRecordings,
      },
      {
        settings: current,
        log,
        rooms: this.rooms,
        guard: this.guard,
        joins,
        placement: this.placement,
        conferenceEvents,
        pins: this.roomStore,
        now: Date.now,
        recordings: this.recordings,
        names,
        dialOut,
      },
    );
    const writes = [this.eventsLog.health, this.roomStore.health, numberHealth];
    this.metrics = new ConferenceMetrics(
      conferenceEvents,
      () => ({ ...this.rooms.liveCounts(), recordings: this.recordings.count }),
      { eventsLog: this.eventsLog, writes },
      connected,
      this.shared?.node,
    );
    this.admin = new ConferenceAdmin({
      rooms: this.rooms,
      guard: this.guard,
      ari,
      playbacks: this.playbacks,
      events: conferenceEvents,
      log,
      ariConnected: connected,
      writeFailures: () => [this.eventsLog.failure, this.roomStore.health.failure, numberHealth.failure].filter((f) => f !== undefined),
      ariProblem: () => this.events.problem?.text,
      store: () => this.shared?.health(),
      placement: this.placement,
      settingsFile: () => ({ file: store.path, sha256: store.fileSha256 }),
      language: () => store.current.sounds.language,
      keys: () => store.current.conferenceKeys,
      now: Date.now,
      recordings: this.recordings,
      dialOut,
    });
    const { host, port } = settings.api;
    const handle = this.apiHandler(createHandler(this.admin, this.metrics, this.shared?.node));
    this.api = settings.api.enabled ? new StatusServer({ host, port, token: () => store.current.api.token, handle, log }) : undefined;
    const storeNumber = (): Promise<void> => this.dialplanSettings.store();
    fanOutSettings(store, { log, eventsLog: this.eventsLog, guard: this.guard, rooms: this.rooms, storeNumber });
    this.sweepTimer = setInterval(() => void this.sweepGuard(), GUARD_SWEEP_MS);
    this.sweepTimer.unref();
  }

  /**
   * Reads the stored PINs (a state file of an unknown format rejects: nothing is written over it),
   * serves the status API (it reports the ARI connection), then connects to ARI.
   */
  async start(): Promise<void> {
    this.app.start(this.roomStore.load());
    if (this.api) {
      this.apiAddress = await this.api.listen();
      this.log.info('status API listening', { event: 'api-listening', host: this.apiAddress.address, port: this.apiAddress.port });
    }
    this.events.start();
    await this.events.whenConnected();
  }

  /** Lets go of Asterisk; calls in rooms stay up there, and a restarted app takes them over. */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.placement.close();
    this.recordings.close();
    this.dialplanSettings.stop();
    await this.api?.close();
    await this.events.stop(ARI_CLOSE_WAIT_MS);
    this.app.stop();
    this.rest.close();
    const [unwritten] = await Promise.all([this.eventsLog.close(), this.roomStore.close(), this.shared?.close()]);
    if (unwritten > 0) {
      this.log.error('events log lines lost at the stop: the file could not be written', { event: 'events-log-lost', lines: unwritten });
    }
  }

  /** logrotate renamed the events log and sent a signal: the file is opened anew at its path. */
  async reopenEventsLog(): Promise<void> {
    const path = this.store.current.eventsLog.path;
    if (path === '') return;
    await this.eventsLog.reopen();
    // A reopen that failed is in the log already, as write-failed.
    if (!this.eventsLog.health.failure) this.log.info('events log reopened', { event: 'events-log-reopened', path });
  }

  /** Forgets brute-force counts older than their window (every minute, and on demand for soak runs). */
  async sweepGuard(): Promise<void> {
    await this.guard
      .sweep(Date.now())
      .catch((error: unknown) => this.log.warn('brute-force counts could not be swept', { event: 'sweep-failed', error: String(error) }));
  }

  stats(): AppStats {
    return {
      sessions: this.app.sessionCount,
      rooms: this.rooms.roomCount,
      playbacks: this.playbacks.size,
      roomQueues: this.rooms.pendingOperations,
      guardEntries: this.guard.size,
    };
  }

  /** Alone, the API answers of this node; in a cluster, of all nodes (and answers theirs). */
  private apiHandler(local: LocalHandler): Handler {
    const { shared } = this;
    if (!shared) return (route) => local(route);
    const { bus, rooms } = shared;
    const holds: Holds = (room) => rooms.holds(room);
    bus.serve(answerPeers(local, holds));
    return clusterHandler(local, holds, {
      node: bus.node,
      answerMs: bus.answerMs,
      homeOf: async (room) => (await rooms.homeOf(room))?.node,
      ask: (node, request) => bus.ask(node, request),
      askAll: (request) => bus.askAll(request),
    });
  }

  private async letGoOfRooms(rooms: ValkeyRoomState): Promise<void> {
    try {
      const gone = await rooms.letGo();
      if (gone.length > 0)
        this.log.warn('Asterisk is gone: its rooms are let go for the other nodes', { event: 'rooms-let-go', rooms: gone });
    } catch (error) {
      this.log.warn('could not let go of the rooms: they run out with their leases', {
        event: 'rooms-let-go-failed',
        error: String(error),
      });
    }
  }

  /** A file's failed writes in the log: once per cause, and once when it is written again. */
  private logWrites(health: WriteHealth, failingMessage: string): void {
    const { log } = this;
    health.on('failing', ({ setting, path, cause }) => log.error(failingMessage, { event: 'write-failed', setting, path, error: cause }));
    health.on('recovered', ({ setting, path, since }, detail) =>
      log.info('written again', { event: 'write-recovered', setting, path, failingSince: new Date(since).toISOString(), ...detail }),
    );
  }
}
