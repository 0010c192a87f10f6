import { PinGuard } from '../domain/pinGuard';
import { PinHash } from '../domain/pinHash';
import { RoomNumber } from '../domain/types';
import { Settings } from '../config/schema';
import { Logger } from '../logger';
import { AppEventSource, APP_EVENT_TYPES, PlaybackEvent } from './appEvents';
import { CallRunner, OpenCallIO } from './callRunner';
import { ConferenceEvents } from './conferenceEvents';
import { EventTargets, routeEvent } from './eventRouting';
import { ChannelControl, PromptPlayer } from './ports';
import { JoinsInFlight } from './joinsInFlight';
import { RoomPlacement } from './roomPlacement';
import { LinkLegs } from './linkLegs';
import { ParticipantStates } from './participantStates';
import { AsteriskState, StateRebuild } from './rebuild';
import { RoomRecordings } from './roomRecordings';
import { RoomRegistry } from './roomRegistry';
import { SessionTable } from './sessionTable';
import { SpokenNames } from './spokenNames';
import { DialOut } from './dialOut';

/** What the app needs from Asterisk: the edge implements it over ARI, unit tests with fakes. */
export interface AppPorts {
  readonly source: AppEventSource;
  readonly asterisk: AsteriskState & {
    /** Lets only these event types through to the app. */
    filterEvents(app: string, types: readonly string[]): Promise<unknown>;
  };
  readonly playbacks: Pick<PromptPlayer, 'play' | 'forgetChannel'> & { onEvent(event: PlaybackEvent): void };
  /** The server number and app name stored where the dialplan reads them; its channels are the app's own. */
  readonly dialplan: { claim(channelId: string, args: readonly string[]): boolean; store(): Promise<void> };
  /** False for a channel the app made for itself rather than a caller's. */
  readonly isCall: (channelId: string) => boolean;
  readonly openCallIO: OpenCallIO;
  readonly channels: ChannelControl;
  /** Legs to other nodes for callers passed on: their answers and ends come as events. */
  readonly links: LinkLegs;
  /** Callers' names being recorded: their ends come as events. */
  readonly nameRecordings: EventTargets['nameRecordings'];
}

/** The parts of the app the composition root shares with the admin side and the metrics. */
export interface AppParts {
  readonly settings: () => Settings;
  readonly log: Logger;
  readonly rooms: RoomRegistry;
  readonly guard: PinGuard;
  readonly joins: JoinsInFlight;
  readonly placement: Pick<RoomPlacement, 'elsewhere'>;
  readonly conferenceEvents: ConferenceEvents;
  /** The room state file. */
  readonly pins: { delete(room: RoomNumber): void };
  readonly now: () => number;
  /** Each room's recording: a leader's key starts and stops it; found again at every (re)connect. */
  readonly recordings: RoomRecordings;
  /** Callers' recorded names, deleted as their calls end; found again at every (re)connect. */
  readonly names: SpokenNames;
  /** Calls out of rooms: their unanswered ends come as events. */
  readonly dialOut: DialOut;
}

/**
 * The conference application: one Stasis app, one session per call (registered synchronously
 * at StasisStart, ended at StasisEnd), rooms in the registry, and the state rebuilt from Asterisk
 * at every (re)connect. Driven by its event source alone.
 */
export class ConferenceApp {
  private readonly sessions: SessionTable;
  private readonly rebuild: StateRebuild;

  constructor(
    private readonly ports: AppPorts,
    private readonly parts: AppParts,
  ) {
    const { log, now } = parts;
    const tell = (channelId: string, media: readonly string[]): Promise<void> =>
      ports.playbacks.play(channelId, media, parts.settings().sounds.language).finished;
    const runner = new CallRunner({
      ...parts,
      events: parts.conferenceEvents,
      openCallIO: ports.openCallIO,
      channels: ports.channels,
      tell,
    });
    this.sessions = new SessionTable({
      log,
      events: parts.conferenceEvents,
      now,
      runCall: (session) => runner.run(session),
      leaveRoom: (session) => runner.leaveRoom(session),
      release: (channelId) => ports.asterisk.release(channelId),
      forgetPlaybacks: (channelId) => ports.playbacks.forgetChannel(channelId),
    });
    const app = (): string => parts.settings().ari.app;
    this.rebuild = new StateRebuild({ ...parts, asterisk: ports.asterisk, app, isCall: ports.isCall, sessions: this.sessions });
    const claim = (channelId: string, args: readonly string[]): boolean => ports.dialplan.claim(channelId, args);
    const participants = new ParticipantStates({ rooms: parts.rooms, ari: ports.channels, events: parts.conferenceEvents, log, now });
    const { recordings } = parts;
    const { links, nameRecordings } = ports;
    const { dialOut: invites } = parts;
    const { sessions } = this;
    const targets = { sessions, claim, playbacks: ports.playbacks, links, participants, recordings, nameRecordings, invites };
    ports.source.on('event', (event) => routeEvent(event, targets));
    ports.source.on('connected', () => void this.onConnected());
  }

  /** The PINs of the state file, for the rooms the first rebuild takes over. */
  start(storedPins: ReadonlyMap<RoomNumber, PinHash>): void {
    this.rebuild.takeStoredPins(storedPins);
  }

  /** Lets go of every call without hanging it up: calls in rooms stay up in Asterisk for a restarted app to take over. */
  stop(): void {
    this.sessions.letGoAll();
  }

  /** Calls held now: 0 when idle. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private async onConnected(): Promise<void> {
    const { log } = this.parts;
    await Promise.all([this.ports.dialplan.store(), this.filterEvents(this.parts.settings().ari.app)]);
    await this.rebuild
      .run()
      .catch((error: unknown) => log.error('could not rebuild state from Asterisk', { event: 'reconcile-failed', error: String(error) }));
    const { rooms, recordings, names } = this.parts;
    await recordings
      .recover((room) => rooms.holds(room))
      .catch((error: unknown) =>
        log.error('could not look for recordings in Asterisk', { event: 'recordings-recover-failed', error: String(error) }),
      );
    await names
      .recover((channelId, name) => this.keepName(channelId, name))
      .catch((error: unknown) =>
        log.error("could not look for callers' recorded names in Asterisk", { event: 'names-recover-failed', error: String(error) }),
      );
  }

  /** A recorded name is kept while its call is held; a participant's is theirs again, for "NAME has left". */
  private keepName(channelId: string, name: string): boolean {
    if (!this.sessions.has(channelId)) return false;
    const room = this.sessions.roomIn(channelId);
    if (room !== undefined) this.parts.rooms.setSpokenName(room, channelId, name);
    return true;
  }

  /**
   * Asterisk sends an app every event of its channels and bridges (caller id, dialplan, variable
   * changes, each member's BRIDGEPEER on every join...); it is asked for only the ones the app acts on.
   */
  private async filterEvents(app: string): Promise<void> {
    try {
      await this.ports.asterisk.filterEvents(app, APP_EVENT_TYPES);
    } catch (error) {
      this.parts.log.warn('could not filter ARI events; all are received', { event: 'event-filter-failed', error: String(error) });
    }
  }
}
