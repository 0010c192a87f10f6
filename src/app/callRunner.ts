import { PinGuard } from '../domain/pinGuard';
import { Settings } from '../config/schema';
import { Logger } from '../logger';
import { CallIO, EntryTimeouts } from './callIO';
import { CallEnded, CallSession } from './callSession';
import { runCallerFlow } from './callerFlow';
import { ConferenceEvents } from './conferenceEvents';
import { listenInConference } from './inConference';
import { ChannelControl } from './ports';
import { JoinsInFlight } from './joinsInFlight';
import { RoomPlacement } from './roomPlacement';
import { RoomRegistry } from './roomRegistry';
import { StoreUnavailable } from './roomStateStore';
import { REFUSAL_SOUND } from './media';
import { Tell } from './leaderActions';
import { RoomRecordings } from './roomRecordings';
import { endConference } from './roomEnd';
import { SpokenNames } from './spokenNames';
import { DialOut } from './dialOut';

/** How the app acts on one call: its prompts, keys and hangup. */
export type OpenCallIO = (session: CallSession, timeouts: EntryTimeouts, sounds: Settings['sounds']) => CallIO;

export interface CallRunnerDeps {
  readonly settings: () => Settings;
  readonly rooms: RoomRegistry;
  readonly guard: PinGuard;
  readonly joins: JoinsInFlight;
  readonly placement: Pick<RoomPlacement, 'elsewhere'>;
  readonly events: ConferenceEvents;
  readonly log: Logger;
  readonly now: () => number;
  readonly openCallIO: OpenCallIO;
  /** What the in-conference keys change on the call (its mute), or a leader's on others' (mute, hangup). */
  readonly channels: ChannelControl;
  /** A prompt to another participant (a leader's action, a raised hand). */
  readonly tell: Tell;
  readonly recordings: RoomRecordings;
  readonly names: SpokenNames;
  readonly dialOut: DialOut;
}

/** One call from its arrival to its end: the caller's way in, then its keys in the room; and what it gives back at the end. */
export class CallRunner {
  constructor(private readonly deps: CallRunnerDeps) {}

  async run(session: CallSession): Promise<void> {
    const { deps } = this;
    const settings = deps.settings();
    const log = deps.log.child({ call: session.id });
    log.info('call', { event: 'call', callerKind: session.info.callerKind, callerId: session.info.callerId, dialled: session.info.suffix });
    const { firstDigitTimeoutSeconds, interDigitTimeoutSeconds } = settings.entry;
    const timeouts = { firstDigitMs: firstDigitTimeoutSeconds * 1000, interDigitMs: interDigitTimeoutSeconds * 1000 };
    const io = deps.openCallIO(session, timeouts, settings.sounds);
    try {
      const { rooms, guard, now, events, joins, placement, names, dialOut } = deps;
      const flow = { settings, rooms, guard, now, log, events, joins, placement, names, dialOut };
      const end = await runCallerFlow(session, io, flow);
      if (end === 'hang-up') await io.hangup();
      else if (session.room !== undefined) {
        const { tell, recordings } = deps;
        listenInConference(session, session.room, io, {
          settings,
          rooms: deps.rooms,
          ari: deps.channels,
          tell,
          events,
          log,
          now,
          recordings,
          dialOut,
        });
      }
    } catch (error) {
      if (error instanceof CallEnded) return;
      if (error instanceof StoreUnavailable) await this.refuseStoreUnavailable(session, io, log, error);
      else log.error('call failed', { event: 'call-failed', error: String(error) });
      await io.hangup().catch(() => undefined);
    }
  }

  /** The shared store did not answer on the caller's way in: they are told, and the refusal counted. */
  private async refuseStoreUnavailable(session: CallSession, io: CallIO, log: Logger, error: StoreUnavailable): Promise<void> {
    const reason = 'store-unavailable';
    log.error('caller refused: the shared store did not answer', { event: 'refused', reason, room: session.room, error: error.message });
    const { id: channel, room } = session;
    this.deps.events.publish({ type: 'refused', at: this.deps.now(), reason, room, channel, callerId: session.info.callerId });
    await io.play(REFUSAL_SOUND[reason]).catch(() => undefined);
  }

  private async endWithLeader(room: string): Promise<void> {
    const { rooms, channels, events, log, now } = this.deps;
    try {
      await endConference({ rooms, ari: channels, events, log, now }, room, 'leader-left');
    } catch (error) {
      log.error('could not end the conference', { event: 'room-end-failed', room, error: String(error) });
    }
  }

  /** The call ended: the room it held (keying its PIN, waiting, or in it) is given back. */
  async leaveRoom(session: CallSession): Promise<void> {
    const room = session.room;
    if (room === undefined) return;
    session.room = undefined;
    try {
      const departed = await this.deps.rooms.depart(room, session.id, session.id);
      if (session.inConference) this.deps.log.info('left', { call: session.id, event: 'left', room });
      if (departed === 'last-leader-left') void this.endWithLeader(room);
      const { via } = session.info;
      if (session.inConference && via.kind === 'link' && via.landed) await this.deps.rooms.forgetAdmitted(via.landed, room);
    } catch (error) {
      this.deps.log.error('room clean-up failed', { call: session.id, event: 'cleanup-failed', room, error: String(error) });
    }
    // After the departure: "NAME has left" is queued by then, and the name outlives it.
    void this.deps.names.release(session.id);
  }
}
