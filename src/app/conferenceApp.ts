import { randomInt } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { PinGuard } from '../domain/pinGuard';
import { PinHash } from '../domain/pinHash';
import { isKey, RoomNumber } from '../domain/types';
import { AriCalls } from '../ari/ariCalls';
import { AriEvent, EventStream } from '../ari/eventStream';
import { Playbacks } from '../ari/playbacks';
import { RestClient } from '../ari/restClient';
import { createHandler } from '../api/handlers';
import { StatusServer } from '../api/statusServer';
import { Settings } from '../config/schema';
import { SettingsStore } from '../config/settingsStore';
import { Logger } from '../logger';
import { AriCallIO } from './callIO';
import { CallEnded, CallSession } from './callSession';
import { runCallerFlow } from './callerFlow';
import { listenInConference } from './inConference';
import { createBridgeOps } from './bridgeOps';
import { ConferenceAdmin } from './conferenceAdmin';
import { ConferenceEvents } from './conferenceEvents';
import { ConferenceMetrics } from './conferenceMetrics';
import { DialplanSettings, isDialplanSettingsChannel } from './dialplanSettings';
import { EventsLog } from './eventsLog';
import { JoinsInFlight } from './joinsInFlight';
import { Sound } from './media';
import { RoomRegistry, RoomSounds } from './roomRegistry';
import { RoomStore } from '../store/roomStore';
import { EmbeddedRoomState } from './roomStateStore';
import { WriteHealth } from './writeHealth';
import { roomFromBridgeId } from '../domain/roomNumber';

/** The ARI events the app acts on (onEvent); Asterisk is asked to send no others. */
const HANDLED_EVENTS = ['StasisStart', 'StasisEnd', 'ChannelDtmfReceived', 'ChannelLeftBridge', 'ChannelHangupRequest', 'PlaybackStarted', 'PlaybackFinished'] as const;

/** How long a channel found in the app without a session may still be announced by its StasisStart. */
const STRANDED_GRACE_MS = 1000;

/** How long a stop waits for Asterisk to see the event stream close: well within the stop budget (main.ts). */
const ARI_CLOSE_WAIT_MS = 1000;

/** How long after a hangup request, or after leaving the room's bridge, a call's StasisEnd may take (it takes milliseconds). */
const DROPPED_GRACE_MS = 2000;

/** The longest a newcomer's announcement, or a room's tone, waits for other callers' joins to go through. */
const JOIN_BURST_MAX_WAIT_MS = 1000;
/** A burst of joins is over once none has been under way for this long. */
const JOIN_BURST_QUIET_MS = 50;

interface StasisChannel {
  id: string;
  caller?: { number?: string };
}

/** Counts of what the app holds, for tests, soak runs and the status API: all 0 when idle. */
export interface AppStats {
  sessions: number;
  rooms: number;
  playbacks: number;
  roomQueues: number;
  guardEntries: number;
}

/**
 * The conference application: one Stasis app, one session per call (registered synchronously
 * at StasisStart, ended at StasisEnd), one room registry. Wiring and event routing only.
 */
export class ConferenceApp {
  readonly rest: RestClient;
  readonly ari: AriCalls;
  readonly events: EventStream;
  readonly rooms: RoomRegistry;
  /** Every conference event, for the metrics and the events log. */
  readonly conferenceEvents = new ConferenceEvents();
  readonly metrics: ConferenceMetrics;
  readonly admin: ConferenceAdmin;
  /** Where the status API listens, once started (when api.enabled). */
  apiAddress: AddressInfo | undefined;
  private readonly api: StatusServer | undefined;
  private readonly eventsLog: EventsLog;
  private readonly dialplanSettings: DialplanSettings;
  private readonly playbacks: Playbacks;
  private readonly guard: PinGuard;
  private readonly joins = new JoinsInFlight(JOIN_BURST_QUIET_MS, JOIN_BURST_MAX_WAIT_MS);
  private readonly roomStore: RoomStore;
  private readonly sessions = new Map<string, CallSession>();
  private readonly sweepTimer: NodeJS.Timeout;
  /** The PINs read from the state file at the start, until the first reconcile takes its rooms over. */
  private storedPins: ReadonlyMap<RoomNumber, PinHash> = new Map();

  constructor(
    private readonly store: SettingsStore,
    private readonly log: Logger,
  ) {
    const settings = store.current;
    this.rest = new RestClient({ ...settings.ari, maxConnections: settings.ari.maxConnections, timeoutMs: settings.ari.requestTimeoutMs });
    this.ari = new AriCalls(this.rest);
    this.events = new EventStream({ ...settings.ari, pingIntervalMs: 5000, backoffInitialMs: 250, backoffMaxMs: 10000 });
    this.playbacks = new Playbacks(this.ari, (error, channelId) => this.restFailed(error, channelId));
    this.guard = new PinGuard(settings.bruteForce);
    this.roomStore = new RoomStore(settings.stateFile, new WriteHealth('stateFile', Date.now), (error) => this.log.error('room state file unreadable', { event: 'state-error', error: String(error) }));
    this.logWrites(this.roomStore.health, 'room state file cannot be written: tried again every 5 s');
    this.rooms = new RoomRegistry(
      new EmbeddedRoomState(this.roomStore),
      createBridgeOps(this.ari, () => this.store.current, this.log, (e, where) => this.restFailed(e, where)),
      randomInt,
      Date.now,
      roomSounds(settings),
      this.conferenceEvents,
      this.joins,
    );
    this.eventsLog = new EventsLog(this.conferenceEvents, new WriteHealth('eventsLog.path', Date.now));
    this.logWrites(this.eventsLog.health, 'events log cannot be written: its lines are held until it can');
    this.eventsLog.open(settings.eventsLog.path);
    this.dialplanSettings = new DialplanSettings(this.ari, settings.ari.app, () => this.store.current.number, () => this.events.connected, new WriteHealth('number', Date.now), this.log);
    this.logWrites(this.dialplanSettings.health, 'could not store the server number and app name in Asterisk: calls to the number may not reach the app');
    this.metrics = new ConferenceMetrics(this.conferenceEvents, () => this.rooms.liveCounts(), { eventsLog: this.eventsLog, writes: [this.eventsLog.health, this.roomStore.health, this.dialplanSettings.health] }, () => this.events.connected);
    this.admin = new ConferenceAdmin({
      rooms: this.rooms,
      guard: this.guard,
      ari: this.ari,
      playbacks: this.playbacks,
      events: this.conferenceEvents,
      log: this.log,
      ariConnected: () => this.events.connected,
      writeFailures: () => [this.eventsLog.failure, this.roomStore.health.failure, this.dialplanSettings.health.failure].filter((failure) => failure !== undefined),
      ariProblem: () => this.events.problem?.text,
      language: () => this.store.current.sounds.language,
      now: Date.now,
    });
    this.api = settings.api.enabled
      ? new StatusServer({ host: settings.api.host, port: settings.api.port, token: () => this.store.current.api.token, handle: createHandler(this.admin, this.metrics), log: this.log })
      : undefined;
    this.sweepTimer = setInterval(() => this.sweepGuard(), 60_000);
    this.sweepTimer.unref();

    this.events.on('event', (event) => this.onEvent(event));
    this.events.on('connected', () => void this.onConnected());
    this.events.on('disconnected', (reason, retryInMs) => this.log.warn('ARI disconnected', { event: 'ari-disconnected', reason, retryInMs }));
    this.events.on('unreachable', (problem, retryInMs) => this.log.error(problem.text, { event: 'ari-unreachable', cause: problem.cause, retryInMs }));
    store.on('changed', (next, previous) => this.onSettingsChanged(next, previous));
  }

  /**
   * Reads the stored PINs (a state file of an unknown format rejects: nothing is written over it),
   * serves the status API (it reports the ARI connection), then connects to ARI.
   */
  async start(): Promise<void> {
    this.storedPins = this.roomStore.load();
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
    this.dialplanSettings.stop();
    await this.api?.close();
    await this.events.stop(ARI_CLOSE_WAIT_MS);
    // A stop is not a hangup: callers stay in their rooms in Asterisk, and their rooms' PINs in the
    // state file, for the next app to take over. So the sessions end without leaving their rooms,
    // and the prompts they hear play out (no stop request, which the closed client would fail).
    for (const session of this.sessions.values()) {
      this.playbacks.forgetChannel(session.id);
      session.room = undefined;
      session.end('shutdown');
    }
    this.sessions.clear();
    this.rest.close();
    const [unwritten] = await Promise.all([this.eventsLog.close(), this.roomStore.close()]);
    if (unwritten > 0) this.log.error('events log lines lost at the stop: the file could not be written', { event: 'events-log-lost', lines: unwritten });
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
  sweepGuard(): void {
    this.guard.sweep(Date.now());
  }

  stats(): AppStats {
    return { sessions: this.sessions.size, rooms: this.rooms.roomCount, playbacks: this.playbacks.size, roomQueues: this.rooms.pendingOperations, guardEntries: this.guard.size };
  }

  private async onConnected(): Promise<void> {
    const settings = this.store.current;
    this.log.info('ARI connected', { event: 'ari-connected', url: settings.ari.url, app: settings.ari.app });
    await Promise.all([this.dialplanSettings.store(), this.filterEvents(settings.ari.app)]);
    await this.reconcile().catch((error: unknown) => this.log.error('could not rebuild state from Asterisk', { event: 'reconcile-failed', error: String(error) }));
  }

  /**
   * Asterisk keeps channels and bridges while the app is away but resends nothing, so on every
   * (re)connect the app compares what it holds with what Asterisk has: calls that ended meanwhile
   * are ended here, rooms whose bridges still hold callers are taken over (PINs from the store),
   * empty bridges are removed, and callers stranded mid-entry are hung up.
   */
  private async reconcile(): Promise<void> {
    const settings = this.store.current;
    // Calls keep arriving while the snapshot is taken: only what the app held before it is judged by it.
    const known = new Set(this.sessions.keys());
    const info = await this.rest.get<{ channel_ids: string[] }>(`/applications/${encodeURIComponent(settings.ari.app)}`);
    // All bridges, not the app's: a bridge made for a first caller still keying the PIN holds no
    // channel of the app yet, so Asterisk does not list it under the app.
    const bridges = await this.ari.listBridges();
    const live = new Set(info.channel_ids.filter((id) => !isDialplanSettingsChannel(id)));
    const counts = { ended: 0, adopted: 0, emptied: 0, stranded: 0 };
    for (const channelId of known) {
      if (live.has(channelId) || !this.sessions.has(channelId)) continue;
      this.onStasisEnd(channelId);
      counts.ended++;
    }

    // The stored PINs count at the first connect only: later, the app saw every change itself.
    const pins = this.storedPins;
    this.storedPins = new Map();
    const bridged = new Set<string>();
    for (const bridge of bridges) {
      const bridgeId = bridge.id;
      const room = roomFromBridgeId(bridgeId);
      if (room === undefined) continue;
      const present = bridge.channels.filter((id) => live.has(id));
      present.forEach((id) => bridged.add(id));
      if (this.rooms.exists(room)) {
        // A member whose call ended unseen; one that joined after the snapshot is live, and stays.
        for (const channelId of this.rooms.membersOf(room)) {
          if (!live.has(channelId)) this.rooms.depart(room, channelId, channelId).catch((error: unknown) => this.restFailed(error, bridgeId));
        }
        continue;
      }
      if (present.length === 0) {
        await this.ari.destroyBridge(bridgeId);
        counts.emptied++;
        continue;
      }
      const members = await Promise.all(present.map(async (channelId) => ({ channelId, callerId: await this.callerIdOf(channelId), joinedAt: Date.now() })));
      this.rooms.adopt(room, bridgeId, pins.get(room), members);
      for (const member of members) this.adoptSession(member.channelId, member.callerId, room);
      counts.adopted++;
      if (!pins.has(room)) this.log.warn('no stored PIN for a live room: closed to newcomers', { event: 'room-closed', room });
    }
    // PINs of rooms that emptied while the app was away: those numbers are free again.
    for (const room of [...pins.keys()]) if (!this.rooms.exists(room)) this.roomStore.delete(room);
    const unclaimed = [...live].filter((channelId) => !this.sessions.has(channelId) && !bridged.has(channelId));
    // A caller who dialled in as the snapshot was taken may have its StasisStart still on the way.
    if (unclaimed.length > 0) await new Promise((resolve) => setTimeout(resolve, STRANDED_GRACE_MS));
    for (const channelId of unclaimed) {
      // Claimed since (its StasisStart came), or ended by itself meanwhile: not stranded.
      // Released as a dropped participant is (hangup and leave Stasis).
      if (this.sessions.has(channelId) || !(await this.ari.release(channelId))) continue;
      this.log.warn('caller stranded mid-entry while the app was away: hung up', { call: channelId, event: 'stranded' });
      counts.stranded++;
    }
    this.log.info('state rebuilt from Asterisk', { event: 'reconciled', ...counts });
  }

  private async callerIdOf(channelId: string): Promise<string> {
    const channel = await this.rest.get<StasisChannel>(`/channels/${encodeURIComponent(channelId)}`).catch(() => undefined);
    return channel?.caller?.number ?? '';
  }

  /** A participant found in a bridge after a restart gets a session, so its hangup and keys are handled. */
  private adoptSession(channelId: string, callerId: string, room: string): void {
    const session = new CallSession({ channelId, callerKind: 'internal', callerId, suffix: room });
    session.room = room;
    session.inConference = true;
    this.sessions.set(channelId, session);
    session.signal.addEventListener('abort', () => void this.departRoom(session), { once: true });
  }

  /**
   * Asterisk sends an app every event of its channels and bridges (caller id, dialplan, variable
   * changes, each member's BRIDGEPEER on every join...); it is asked for only the ones handled here.
   */
  private async filterEvents(app: string): Promise<void> {
    try {
      await this.ari.filterEvents(app, HANDLED_EVENTS);
    } catch (error) {
      this.log.warn('could not filter ARI events; all are received', { event: 'event-filter-failed', error: String(error) });
    }
  }

  private onSettingsChanged(next: Settings, previous: Settings): void {
    this.log.info('settings changed', { event: 'settings-changed' });
    if (restartOnly(next) !== restartOnly(previous)) {
      this.log.warn('ari.* and api.* settings (but api.token) take effect at the next restart', { event: 'restart-needed', setting: 'ari, api' });
    }
    this.eventsLog.open(next.eventsLog.path);
    if (next.log.level !== previous.log.level) this.log.level = next.log.level;
    this.guard.update(next.bruteForce);
    this.rooms.updateSounds(roomSounds(next));
    if (next.number !== previous.number) void this.dialplanSettings.store();
  }

  private onEvent(event: AriEvent): void {
    const channel = event.channel as StasisChannel | undefined;
    switch (event.type) {
      case 'StasisStart': {
        const args = (event.args as string[] | undefined) ?? [];
        if (channel && !this.dialplanSettings.claim(channel.id, args)) this.onStasisStart(channel, args);
        return;
      }
      case 'StasisEnd':
        if (channel) this.onStasisEnd(channel.id);
        return;
      case 'ChannelLeftBridge':
        if (channel) this.onLeftBridge(channel.id);
        return;
      case 'ChannelHangupRequest':
        if (channel) this.onHangupRequest(channel.id);
        return;
      case 'ChannelDtmfReceived': {
        const digit = String(event.digit);
        if (channel && isKey(digit)) this.sessions.get(channel.id)?.key(digit);
        return;
      }
      case 'PlaybackStarted':
      case 'PlaybackFinished':
        this.playbacks.onEvent(event);
        return;
      default:
        return;
    }
  }

  private onStasisStart(channel: StasisChannel, args: string[]): void {
    if (this.sessions.has(channel.id)) return;
    const [suffix = '', kind = 'internal'] = args;
    const session = new CallSession({
      channelId: channel.id,
      callerKind: kind === 'external' ? 'external' : 'internal',
      callerId: channel.caller?.number ?? '',
      suffix,
    });
    this.sessions.set(channel.id, session);
    this.conferenceEvents.publish({ type: 'call', at: Date.now(), channel: channel.id, callerId: session.info.callerId, callerKind: session.info.callerKind });
    void this.runSession(session);
  }

  private onStasisEnd(channelId: string): void {
    const session = this.sessions.get(channelId);
    if (!session) return;
    this.sessions.delete(channelId);
    session.end('hangup');
    this.playbacks.forgetChannel(channelId);
  }

  /**
   * A participant out of the room's bridge without its call ending: an operator's `bridge kick`,
   * or Asterisk losing a hangup (22.10.1 has left a caller who hung up waiting in Stasis, out of
   * any bridge, with no StasisEnd).
   */
  private onLeftBridge(channelId: string): void {
    const session = this.sessions.get(channelId);
    if (session?.inConference) this.dropUnlessEnded(session, 'participant taken out of the room\'s bridge: hung up', 'left-bridge');
  }

  /**
   * A call Asterisk says is hanging up leaves Stasis within milliseconds. 22.10.1 has kept such a
   * channel in the room's bridge for good, deaf to any later hangup, when the other participants
   * left at the same moment (docs/DECISIONS.md, "A participant out of the bridge, with the call
   * still up"): its session is ended here, so the room ends and its bridge goes.
   */
  private onHangupRequest(channelId: string): void {
    const session = this.sessions.get(channelId);
    if (!session) return;
    session.hangupRequested = true;
    this.dropUnlessEnded(session, 'call hung up but still in Stasis: ended here', 'hangup-not-done');
  }

  /** Unless the call has ended within the grace time: released (hung up, let out of Stasis), and its session ended here. */
  private dropUnlessEnded(session: CallSession, message: string, reason: string): void {
    const timer = setTimeout(() => {
      if (this.sessions.get(session.id) !== session) return;
      this.log.warn(message, { call: session.id, event: 'dropped', reason, room: session.room });
      this.ari
        .release(session.id)
        .catch((error: unknown) => this.restFailed(error, 'release of a dropped call'))
        .finally(() => this.onStasisEnd(session.id));
    }, DROPPED_GRACE_MS);
    session.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  }

  private async runSession(session: CallSession): Promise<void> {
    const settings = this.store.current;
    const log = this.log.child({ call: session.id });
    log.info('call', { event: 'call', callerKind: session.info.callerKind, callerId: session.info.callerId, dialled: session.info.suffix });
    const io = new AriCallIO(session, this.ari, this.playbacks, {
      firstDigitMs: settings.entry.firstDigitTimeoutSeconds * 1000,
      interDigitMs: settings.entry.interDigitTimeoutSeconds * 1000,
    }, settings.sounds);
    // Whenever the call ends (in a prompt, waiting, or in the room), what it held is given back.
    session.signal.addEventListener('abort', () => void this.departRoom(session), { once: true });
    try {
      const end = await runCallerFlow(session, io, { settings, rooms: this.rooms, guard: this.guard, now: Date.now, log, events: this.conferenceEvents, joins: this.joins });
      if (end === 'hang-up') await io.hangup();
      else if (session.room !== undefined) listenInConference(session, session.room, io, { settings, rooms: this.rooms, ari: this.ari, log });
    } catch (error) {
      if (error instanceof CallEnded) return;
      log.error('call failed', { event: 'call-failed', error: String(error) });
      await io.hangup().catch(() => undefined);
    }
  }

  private async departRoom(session: CallSession): Promise<void> {
    const room = session.room;
    if (room === undefined) return;
    session.room = undefined;
    try {
      await this.rooms.depart(room, session.id, session.id);
      if (session.inConference) this.log.info('left', { call: session.id, event: 'left', room });
    } catch (error) {
      this.log.error('room clean-up failed', { call: session.id, event: 'cleanup-failed', room, error: String(error) });
    }
  }

  /** A file's failed writes in the log: once per cause, and once when it is written again. */
  private logWrites(health: WriteHealth, failingMessage: string): void {
    health.on('failing', (failure) => this.log.error(failingMessage, { event: 'write-failed', setting: failure.setting, path: failure.path, error: failure.cause }));
    health.on('recovered', (failure, detail) =>
      this.log.info('written again', { event: 'write-recovered', setting: failure.setting, path: failure.path, failingSince: new Date(failure.since).toISOString(), ...detail }),
    );
  }

  private restFailed(error: unknown, where: string): void {
    this.log.error('ARI request failed', { event: 'ari-error', where, error: String(error) });
  }
}

/** Settings read once at start; api.token is read per request, so it is left out. */
function restartOnly(settings: Settings): string {
  return JSON.stringify([settings.ari, { ...settings.api, token: '' }]);
}

function roomSounds(settings: Settings): RoomSounds {
  return {
    joinTone: settings.sounds.joinTone ? Sound.joinTone : undefined,
    leaveTone: settings.sounds.leaveTone ? Sound.leaveTone : undefined,
  };
}
