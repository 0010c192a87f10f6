import { parseRecordingName, RecordingFormat, recordingName, recordingSeconds } from '../domain/recordingName';
import { RoomNumber } from '../domain/types';
import { Logger } from '../logger';
import { KeyedSerialQueue } from '../util/keyedSerialQueue';
import { ConferenceEvent, ConferenceEvents, RecordingStartedBy, RecordingStopReason } from './conferenceEvents';
import { RecordingControl } from './ports';

/** The recording settings (`recording` in the settings file). */
export interface RecordingSettings {
  readonly folder: string;
  readonly minFreeMb: number;
  readonly maxMinutes: number;
  readonly format: RecordingFormat;
}

/** A room's recording under way: its name in Asterisk, and the file it will be in the folder. */
export interface ActiveRecording {
  readonly name: string;
  readonly file: string;
  readonly startedAt: number;
  readonly format: RecordingFormat;
}

/** Where finished recordings go: the folder's free space, and a stored recording saved into it. */
export interface RecordingFolder {
  /** The folder's free space in MB (the folder made first); rejects when it cannot be made or read. */
  freeMb(folder: string): Promise<number>;
  fileFor(folder: string, name: string): string;
  /** Writes the file through `write` (given a temporary path beside it), then puts it in place; resolves with its bytes. */
  save(file: string, write: (to: string) => Promise<number>): Promise<number>;
}

export type RecordingStartOutcome =
  { kind: 'started'; recording: ActiveRecording } | { kind: 'already' } | { kind: 'unknown-room' } | { kind: 'failed' } | NoRoom;
/** Why no recording may start: the folder's free space below recording.minFreeMb, or a folder that cannot be made or read. */
export type NoRoom =
  { kind: 'disk-low'; folder: string; freeMb: number; minFreeMb: number } | { kind: 'folder-unusable'; folder: string; error: string };
export type RecordingStopOutcome = { kind: 'stopped'; recording: ActiveRecording } | { kind: 'not-recording' };

export interface RoomRecordingsDeps {
  /** The room's bridge while the app holds the room. */
  readonly bridgeOf: (room: RoomNumber) => string | undefined;
  readonly control: RecordingControl;
  readonly folder: RecordingFolder;
  /** A prompt or tone for everyone in the room. */
  readonly announce: (room: RoomNumber, media: string) => void;
  readonly settings: () => RecordingSettings;
  readonly events: ConferenceEvents;
  readonly log: Logger;
  readonly now: () => number;
  readonly uniqueId: () => string;
}

export const RECORDING_STARTED_SOUND = 'sound:conf-now-recording';
export const RECORDING_STOPPED_SOUND = 'sound:beep';
/** How often the folder's free space is read while a recording runs. */
const DISK_CHECK_MS = 30_000;
/** A recording ended this close to recording.maxMinutes ended there. */
const MAX_LENGTH_SLACK_MS = 2_000;
/** How long a stopped recording may take to be closed by Asterisk before it is saved anyway. */
const CLOSE_WAIT_MS = 10_000;

/**
 * Each room's recording: started and stopped by a leader's key, the admin API or a permanent
 * room's `record` option; one file a recording, saved from Asterisk into the folder once it ends.
 * A recording goes on in Asterisk while the app is away; the next app finds it again (recover).
 */
export class RoomRecordings {
  private readonly active = new Map<RoomNumber, ActiveRecording>();
  /** Starts and stops of one room, one at a time. */
  private readonly turns = new KeyedSerialQueue();
  private diskTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RoomRecordingsDeps) {}

  of(room: RoomNumber): ActiveRecording | undefined {
    return this.active.get(room);
  }

  get count(): number {
    return this.active.size;
  }

  start(room: RoomNumber, by: RecordingStartedBy, channel?: string): Promise<RecordingStartOutcome> {
    return this.turns.run(room, () => this.startNow(room, by, channel));
  }

  stop(room: RoomNumber, reason: RecordingStopReason = 'stopped', channel?: string): Promise<RecordingStopOutcome> {
    return this.turns.run(room, () => this.stopNow(room, reason, channel));
  }

  /** A conference event: a permanent room with `record` starts recording at its first join; a room's end ends its recording. */
  onConferenceEvent(event: ConferenceEvent, recordsFromStart: (room: RoomNumber) => boolean): void {
    if (event.type === 'room-created' && recordsFromStart(event.room)) void this.start(event.room, 'room-option');
    if (event.type === 'room-destroyed' && this.active.has(event.room)) void this.stop(event.room, 'room-ended');
  }

  /**
   * Asterisk ended a recording itself: at its longest length, with its bridge (the room ended, its
   * event sometimes ahead of the app's own), or failed. Saved as it is.
   */
  onRecordingEnded(name: string, failed: boolean): void {
    const room = parseRecordingName(name)?.room;
    const recording = room === undefined ? undefined : this.active.get(room);
    if (room === undefined || recording?.name !== name) return;
    const longest = this.deps.now() - recording.startedAt >= this.deps.settings().maxMinutes * 60_000 - MAX_LENGTH_SLACK_MS;
    void this.stop(room, failed ? 'failed' : longest ? 'max-duration' : 'room-ended');
  }

  /**
   * After a (re)connect: a recording still live in a room the app holds is that room's again; one
   * that ended while the app was away, or whose room is not held, is saved into the folder.
   */
  async recover(holds: (room: RoomNumber) => boolean): Promise<void> {
    const { control, log } = this.deps;
    const stored = await control.storedRecordings();
    for (const name of stored) {
      const parsed = parseRecordingName(name);
      if (!parsed || this.active.get(parsed.room)?.name === name) continue;
      const recording = this.describe(name, parsed.startedAt);
      if ((await control.isLive(name)) && holds(parsed.room) && !this.active.has(parsed.room)) {
        this.active.set(parsed.room, recording);
        log.info('recording found again', { event: 'recording-recovered', room: parsed.room, recording: name });
        this.watchDisk();
        continue;
      }
      await control.stopRecording(name);
      void this.save(parsed.room, recording, 'recovered', undefined);
    }
  }

  /** Stops the timer (the app stops; recordings go on in Asterisk for the next app). */
  close(): void {
    clearInterval(this.diskTimer);
    this.diskTimer = undefined;
  }

  private async startNow(room: RoomNumber, by: RecordingStartedBy, channel: string | undefined): Promise<RecordingStartOutcome> {
    const { deps } = this;
    const bridgeId = deps.bridgeOf(room);
    if (bridgeId === undefined) return { kind: 'unknown-room' };
    if (this.active.has(room)) return { kind: 'already' };
    const noRoom = await this.noRoom();
    if (noRoom) {
      const { kind: reason, ...detail } = noRoom;
      deps.log.warn('recording refused', { event: 'recording-refused', room, call: channel, reason, ...detail });
      return noRoom;
    }
    const settings = deps.settings();
    const recording = this.describe(recordingName(room, deps.now(), deps.uniqueId()), deps.now());
    this.active.set(room, recording);
    try {
      if (!(await deps.control.recordBridge(bridgeId, recording.name, recording.format, settings.maxMinutes * 60))) {
        this.active.delete(room);
        return { kind: 'unknown-room' };
      }
    } catch (error) {
      this.active.delete(room);
      deps.log.error('recording could not start', { event: 'recording-failed', room, call: channel, error: String(error) });
      return { kind: 'failed' };
    }
    deps.announce(room, RECORDING_STARTED_SOUND);
    deps.log.info('recording started', { event: 'recording-started', room, call: channel, by, recording: recording.name });
    deps.events.publish({
      type: 'recording-started',
      at: recording.startedAt,
      room,
      name: recording.name,
      file: recording.file,
      by,
      channel,
    });
    this.watchDisk();
    return { kind: 'started', recording };
  }

  private async stopNow(room: RoomNumber, reason: RecordingStopReason, channel: string | undefined): Promise<RecordingStopOutcome> {
    const recording = this.active.get(room);
    if (!recording) return { kind: 'not-recording' };
    this.active.delete(room);
    if (this.active.size === 0) this.close();
    try {
      await this.deps.control.stopRecording(recording.name);
    } catch (error) {
      this.deps.log.error('recording could not be stopped', {
        event: 'recording-failed',
        room,
        recording: recording.name,
        error: String(error),
      });
    }
    if (reason !== 'room-ended') this.deps.announce(room, RECORDING_STOPPED_SOUND);
    void this.save(room, recording, reason, channel);
    return { kind: 'stopped', recording };
  }

  /**
   * Into the folder once Asterisk has closed it; then gone from Asterisk. Kept there when it
   * cannot be saved: the next start of the app tries again.
   */
  private async save(
    room: RoomNumber,
    recording: ActiveRecording,
    reason: RecordingStopReason,
    channel: string | undefined,
  ): Promise<void> {
    const { control, folder, log, events, now } = this.deps;
    try {
      const deadline = now() + CLOSE_WAIT_MS;
      while ((await control.isLive(recording.name)) && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      const bytes = await folder.save(recording.file, (to) => control.saveStored(recording.name, to));
      await control.deleteStored(recording.name);
      const durationSeconds = recordingSeconds(recording.format, bytes);
      log.info('recording saved', {
        event: 'recording-stopped',
        room,
        call: channel,
        reason,
        recording: recording.name,
        file: recording.file,
        durationSeconds,
      });
      events.publish({
        type: 'recording-stopped',
        at: now(),
        room,
        name: recording.name,
        file: recording.file,
        durationSeconds,
        reason,
        channel,
      });
    } catch (error) {
      log.error('recording not saved: it stays in Asterisk, and the next start of the app tries again', {
        event: 'recording-not-saved',
        room,
        recording: recording.name,
        file: recording.file,
        error: String(error),
      });
    }
  }

  private describe(name: string, startedAt: number): ActiveRecording {
    const { folder, format } = this.deps.settings();
    return { name, file: this.deps.folder.fileFor(folder, name), startedAt, format };
  }

  private async noRoom(): Promise<NoRoom | undefined> {
    const { folder, minFreeMb } = this.deps.settings();
    try {
      const freeMb = await this.deps.folder.freeMb(folder);
      return freeMb < minFreeMb ? { kind: 'disk-low', folder, freeMb, minFreeMb } : undefined;
    } catch (error) {
      return { kind: 'folder-unusable', folder, error: String(error) };
    }
  }

  /** While a recording runs: below the floor (or the folder gone), every recording stops, saved as it is, and the log says why. */
  private watchDisk(): void {
    this.diskTimer ??= setInterval(() => void this.checkDisk(), DISK_CHECK_MS);
    this.diskTimer.unref();
  }

  private async checkDisk(): Promise<void> {
    const noRoom = await this.noRoom();
    if (!noRoom) return;
    const { kind: reason, ...detail } = noRoom;
    for (const room of [...this.active.keys()]) {
      this.deps.log.error('recording stopped: no room for it in the folder', { event: 'recording-refused', room, reason, ...detail });
      await this.stop(room, 'disk-low');
    }
  }
}
