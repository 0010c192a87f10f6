import { KeyMap } from '../domain/conferenceKeys';
import { GuardCounts, PinGuard } from '../domain/pinGuard';
import { RoomNumber } from '../domain/types';
import { Logger } from '../logger';
import { AdminAction, ConferenceEvents } from './conferenceEvents';
import { setLecture, setMute } from './leaderActions';
import { endConference } from './roomEnd';
import { Sound } from './media';
import { AsteriskStatus, ChannelControl, PromptPlayer } from './ports';
import { RoomPlacement } from './roomPlacement';
import { RoomRegistry } from './roomRegistry';
import { ActiveRecording, NoRoom, RoomRecordings } from './roomRecordings';
import { DialOut, InviteStart } from './dialOut';
import { RoomSnapshot } from './roomTable';
import { WriteFailure } from './writeHealth';

/** Expected refusals of an admin action, as values (the HTTP layer turns them into statuses). */
export type AdminError = 'unknown-room' | 'unknown-channel' | 'unknown-caller' | 'unchanged' | 'not-a-cluster';
export type AdminOutcome = { ok: true } | { ok: false; error: AdminError };
/** A recording started or stopped, or why not: 'no-recording' says what stopped it (disk space, the folder, Asterisk). */
export type RecordingOutcome =
  | { ok: true; recording: ActiveRecording }
  | { ok: false; error: AdminError }
  | { ok: false; error: 'no-recording'; refusal: NoRoom | { kind: 'failed' } };

export interface Health {
  readonly healthy: boolean;
  readonly ariConnected: boolean;
  /** While ARI is not connected: why, in the words of the log (a wrong password, nothing at the URL...). */
  readonly ariError: string | undefined;
  readonly asteriskReachable: boolean;
  readonly asteriskVersion: string | undefined;
  /** What the app cannot write (the events log, the state file, the number in AstDB): the service runs on, degraded. */
  readonly writeFailures: readonly WriteFailure[];
  /** The cluster's shared store (store.url), when set: new callers are refused while it does not answer. */
  readonly store: StoreHealth | undefined;
  /** The settings file in force: its path and the SHA-256 of its bytes (every node of a cluster shows the same). */
  readonly settings: { readonly file: string; readonly sha256: string };
  /** This node of a cluster gives its new rooms to the others (POST /drain). */
  readonly draining: boolean;
}

export interface StoreHealth {
  /** This app instance's name in the cluster (store.node). */
  readonly node: string;
  readonly reachable: boolean;
  /** While it is not reachable: why, as the client last said it. */
  readonly error: string | undefined;
}

export interface AdminDeps {
  readonly rooms: RoomRegistry;
  readonly guard: PinGuard;
  readonly ari: ChannelControl & AsteriskStatus;
  readonly playbacks: PromptPlayer;
  readonly events: ConferenceEvents;
  readonly log: Logger;
  readonly ariConnected: () => boolean;
  readonly writeFailures: () => readonly WriteFailure[];
  /** Why the latest attempt to connect to ARI failed, if it did. */
  readonly ariProblem: () => string | undefined;
  readonly store: () => StoreHealth | undefined;
  readonly placement: Pick<RoomPlacement, 'isDraining' | 'setDraining'>;
  readonly settingsFile: () => Health['settings'];
  readonly language: () => string;
  readonly now: () => number;
  /** The in-conference keys in force (lecture mode tells participants the key to ask to speak). */
  readonly keys: () => KeyMap;
  readonly recordings: RoomRecordings;
  readonly dialOut: Pick<DialOut, 'invite'>;
}

/** A room as the API shows it: the registry's view, and its recording under way. */
export type AdminRoom = RoomSnapshot & { readonly recording: ActiveRecording | undefined };

/** What an operator can see and do while conferences run: the status API's side of the app. */
export class ConferenceAdmin {
  constructor(private readonly deps: AdminDeps) {}

  async health(): Promise<Health> {
    const ariConnected = this.deps.ariConnected();
    const info = await this.deps.ari.asteriskInfo().catch(() => undefined);
    const asteriskReachable = info !== undefined;
    const ariError = ariConnected ? undefined : (this.deps.ariProblem() ?? 'connecting');
    const store = this.deps.store();
    return {
      healthy: ariConnected && asteriskReachable && (store?.reachable ?? true),
      ariConnected,
      ariError,
      asteriskReachable,
      asteriskVersion: info?.system?.version,
      writeFailures: this.deps.writeFailures(),
      store,
      settings: this.deps.settingsFile(),
      draining: this.deps.placement.isDraining,
    };
  }

  rooms(): AdminRoom[] {
    return this.deps.rooms.snapshot().map((room) => this.withRecording(room));
  }

  room(room: RoomNumber): AdminRoom | undefined {
    const snapshot = this.deps.rooms.snapshotOfRoom(room);
    return snapshot && this.withRecording(snapshot);
  }

  /** Starts or stops the room's recording, as a leader's key does: the room hears it. */
  async setRecording(room: RoomNumber, on: boolean): Promise<RecordingOutcome> {
    if (!this.deps.rooms.holds(room)) return { ok: false, error: 'unknown-room' };
    if (!on) {
      const stopped = await this.deps.recordings.stop(room);
      return stopped.kind === 'stopped' ? { ok: true, recording: stopped.recording } : { ok: false, error: 'unchanged' };
    }
    const started = await this.deps.recordings.start(room, 'admin');
    if (started.kind === 'started') return { ok: true, recording: started.recording };
    if (started.kind === 'already') return { ok: false, error: 'unchanged' };
    if (started.kind === 'unknown-room') return { ok: false, error: 'unknown-room' };
    return { ok: false, error: 'no-recording', refusal: started };
  }

  /** Calls the number into the room, as a leader's key does; the outcome is logged and in the events log. */
  dial(room: RoomNumber, number: string): Promise<InviteStart> {
    return this.deps.dialOut.invite(room, number, 'admin');
  }

  private withRecording(room: RoomSnapshot): AdminRoom {
    return { ...room, recording: this.deps.recordings.of(room.room) };
  }

  /** Hangs the participant up; the usual end of call (leave tone, clean-up) follows. */
  async kick(room: RoomNumber, channelId: string): Promise<AdminOutcome> {
    const missing = this.missingMember(room, channelId);
    if (missing) return missing;
    this.audit('kick', room, channelId);
    if (!(await this.deps.ari.hangup(channelId))) return { ok: false, error: 'unknown-channel' };
    return { ok: true };
  }

  /** Mutes or unmutes as the participant's own key would, and tells them so. */
  async setMuted(room: RoomNumber, channelId: string, muted: boolean): Promise<AdminOutcome> {
    const missing = this.missingMember(room, channelId);
    if (missing) return missing;
    if (this.deps.rooms.isMuted(room, channelId) === muted) return { ok: false, error: 'unchanged' };
    if (!(await setMute(this.deps, room, channelId, muted))) return { ok: false, error: 'unknown-channel' };
    this.audit(muted ? 'mute' : 'unmute', room, channelId);
    this.deps.playbacks.play(channelId, [muted ? Sound.muted : Sound.unmuted], this.deps.language());
    return { ok: true };
  }

  async setLocked(room: RoomNumber, locked: boolean): Promise<AdminOutcome> {
    const outcome = await this.deps.rooms.setLocked(room, locked);
    if (outcome !== 'done') return { ok: false, error: outcome === 'unknown-room' ? 'unknown-room' : 'unchanged' };
    this.audit(locked ? 'lock' : 'unlock', room, undefined);
    return { ok: true };
  }

  /** Mutes every participant but the leaders, and keeps newcomers muted (lecture mode); or unmutes them all. */
  async setLecture(room: RoomNumber, on: boolean): Promise<AdminOutcome> {
    const tell = (channelId: string, media: readonly string[]): Promise<void> =>
      this.deps.playbacks.play(channelId, media, this.deps.language()).finished;
    const outcome = await setLecture({ ...this.deps, tell, keys: this.deps.keys() }, room, on);
    if (outcome !== 'done') return { ok: false, error: outcome };
    this.audit(on ? 'mute-all' : 'unmute-all', room, undefined);
    return { ok: true };
  }

  /** Ends the conference for everyone in it: they hear that it has ended, and are hung up. */
  end(room: RoomNumber): AdminOutcome {
    if (!this.deps.rooms.holds(room)) return { ok: false, error: 'unknown-room' };
    this.audit('end', room, undefined);
    // Answered at once: the room hears the end, then everyone is hung up.
    void endConference(this.deps, room, 'ended-by-admin').catch((error: unknown) =>
      this.deps.log.error('could not end the conference', { event: 'room-end-failed', room, error: String(error) }),
    );
    return { ok: true };
  }

  /** Caller numbers and rooms with wrong PINs counted: lockouts and slow-downs in force. */
  lockouts(): Promise<GuardCounts> {
    return this.deps.guard.counts(this.deps.now());
  }

  /** Lets a caller number try PINs again at once: its count and lockout go, for internal and external callers alike. */
  async clearLockout(callerId: string): Promise<AdminOutcome> {
    const cleared = await this.deps.guard.clearCaller(callerId, this.deps.now());
    if (cleared.length === 0) return { ok: false, error: 'unknown-caller' };
    const wasLockedOut = cleared.some((count) => count.lockedUntil !== undefined);
    const failures = cleared.reduce((sum, count) => sum + count.failures, 0);
    this.deps.log.info('admin action', { event: 'admin', action: 'clear-lockout', callerId, wasLockedOut, failures });
    this.deps.events.publish({ type: 'admin', at: this.deps.now(), action: 'clear-lockout', callerId, wasLockedOut });
    return { ok: true };
  }

  /** A draining node's new rooms start on the other nodes; its rooms go on until they end. */
  async setDraining(draining: boolean): Promise<AdminOutcome> {
    const store = this.deps.store();
    if (!store) return { ok: false, error: 'not-a-cluster' };
    if (!(await this.deps.placement.setDraining(draining))) return { ok: false, error: 'unchanged' };
    const action = draining ? 'drain' : 'undrain';
    this.deps.log.info('admin action', { event: 'admin', action, node: store.node });
    this.deps.events.publish({ type: 'admin', at: this.deps.now(), action, node: store.node });
    return { ok: true };
  }

  private missingMember(room: RoomNumber, channelId: string): AdminOutcome | undefined {
    if (!this.deps.rooms.holds(room)) return { ok: false, error: 'unknown-room' };
    if (!this.deps.rooms.isMember(room, channelId)) return { ok: false, error: 'unknown-channel' };
    return undefined;
  }

  private audit(action: AdminAction, room: RoomNumber, channel: string | undefined): void {
    this.deps.log.info('admin action', { event: 'admin', action, room, call: channel });
    this.deps.events.publish({ type: 'admin', at: this.deps.now(), action, room, channel });
  }
}
