import { PinHash } from '../domain/pinHash';
import { roomFromBridgeId } from '../domain/roomNumber';
import { Role } from '../domain/permanentRooms';
import { RoomNumber } from '../domain/types';
import { Logger } from '../logger';
import { logRequestFailed } from './requestFailed';
import { RoomRegistry } from './roomRegistry';
import { SessionTable } from './sessionTable';

/** How long a channel found in the app without a session may still be announced by its StasisStart. */
const STRANDED_GRACE_MS = 1000;

/** What the rebuild reads from Asterisk, and the two things it may do there. */
export interface AsteriskState {
  /** The channels in Stasis under the app's name. */
  applicationChannels(app: string): Promise<readonly string[]>;
  listBridges(): Promise<ReadonlyArray<{ readonly id: string; readonly channels: readonly string[] }>>;
  /** '' when the channel has no caller id or is gone. */
  callerNumber(channelId: string): Promise<string>;
  /** The caller's role as written on the channel when they joined (a participant's when none was). */
  roleOf(channelId: string): Promise<Role>;
  destroyBridge(bridgeId: string): Promise<boolean>;
  /** Hangs the call up and lets it out of Stasis; false when it was gone already. */
  release(channelId: string): Promise<boolean>;
}

export interface RebuildDeps {
  readonly asterisk: AsteriskState;
  readonly app: () => string;
  /** False for a channel the app made for itself rather than a caller's (the dialplan settings' store). */
  readonly isCall: (channelId: string) => boolean;
  readonly sessions: SessionTable;
  readonly rooms: RoomRegistry;
  /** The room state file: PINs of rooms that emptied while the app was away are deleted from it. */
  readonly pins: { delete(room: RoomNumber): void };
  readonly log: Logger;
  readonly now: () => number;
}

/**
 * Asterisk keeps channels and bridges while the app is away but resends nothing, so on every
 * (re)connect the app compares what it holds with what Asterisk has: calls that ended meanwhile
 * are ended here, rooms whose bridges still hold callers are taken over (PINs from the store),
 * empty bridges are removed, and callers stranded mid-entry are hung up.
 */
export class StateRebuild {
  /** The PINs read from the state file at the start, until the first rebuild takes their rooms over. */
  private storedPins: ReadonlyMap<RoomNumber, PinHash> = new Map();

  constructor(private readonly deps: RebuildDeps) {}

  /** The PINs of the state file: they count at the first rebuild only; later, the app saw every change itself. */
  takeStoredPins(pins: ReadonlyMap<RoomNumber, PinHash>): void {
    this.storedPins = pins;
  }

  async run(): Promise<void> {
    const { asterisk, sessions, rooms, log } = this.deps;
    // Calls keep arriving while the snapshot is taken: only what the app held before it is judged by it.
    const known = sessions.channelIds();
    const channels = await asterisk.applicationChannels(this.deps.app());
    // All bridges, not the app's: a bridge made for a first caller still keying the PIN holds no
    // channel of the app yet, so Asterisk does not list it under the app.
    const bridges = await asterisk.listBridges();
    const live = new Set(channels.filter((id) => this.deps.isCall(id)));
    const counts = { ended: 0, adopted: 0, emptied: 0, stranded: 0 };
    for (const channelId of known) {
      if (live.has(channelId) || !sessions.has(channelId)) continue;
      sessions.end(channelId);
      counts.ended++;
    }

    const pins = this.storedPins;
    this.storedPins = new Map();
    const bridged = new Set<string>();
    for (const bridge of bridges) {
      const bridgeId = bridge.id;
      const room = roomFromBridgeId(bridgeId);
      if (room === undefined) continue;
      const present = bridge.channels.filter((id) => live.has(id));
      present.forEach((id) => bridged.add(id));
      if (rooms.holds(room)) {
        // A member whose call ended unseen; one that joined after the snapshot is live, and stays.
        for (const channelId of rooms.membersOf(room)) {
          if (live.has(channelId)) continue;
          rooms.depart(room, channelId, channelId).catch((error: unknown) => logRequestFailed(log, error, bridgeId));
        }
        continue;
      }
      if (present.length === 0) {
        await asterisk.destroyBridge(bridgeId);
        counts.emptied++;
        continue;
      }
      const members = await Promise.all(
        present.map(async (channelId) => {
          const [callerId, role] = await Promise.all([this.callerNumber(channelId), this.roleOf(channelId)]);
          return { channelId, callerId, role, joinedAt: this.deps.now() };
        }),
      );
      const adopted = await rooms.adopt(room, bridgeId, pins.get(room), members);
      if (adopted === 'held') continue;
      for (const member of members) sessions.adopt(member.channelId, member.callerId, room);
      counts.adopted++;
      if (adopted === 'closed') log.warn('no stored PIN for a live room: closed to newcomers', { event: 'room-closed', room });
    }
    // PINs of rooms that emptied while the app was away: those numbers are free again.
    for (const room of [...pins.keys()]) if (!rooms.holds(room)) this.deps.pins.delete(room);
    counts.stranded = await this.releaseStranded([...live].filter((channelId) => !sessions.has(channelId) && !bridged.has(channelId)));
    log.info('state rebuilt from Asterisk', { event: 'reconciled', ...counts });
  }

  /** Callers in the app, in no room and without a session: hung up, as a dropped participant is. Resolves with how many. */
  private async releaseStranded(unclaimed: readonly string[]): Promise<number> {
    // A caller who dialled in as the snapshot was taken may have its StasisStart still on the way.
    if (unclaimed.length > 0) await new Promise((resolve) => setTimeout(resolve, STRANDED_GRACE_MS));
    let stranded = 0;
    for (const channelId of unclaimed) {
      // Claimed since (its StasisStart came), or ended by itself meanwhile: not stranded.
      if (this.deps.sessions.has(channelId) || !(await this.deps.asterisk.release(channelId))) continue;
      this.deps.log.warn('caller stranded mid-entry while the app was away: hung up', { call: channelId, event: 'stranded' });
      stranded++;
    }
    return stranded;
  }

  /** A role that cannot be read leaves the caller a participant rather than the room untaken. */
  private roleOf(channelId: string): Promise<Role> {
    return this.deps.asterisk.roleOf(channelId).catch(() => 'participant' as const);
  }

  /** A caller number is for display: one that cannot be read leaves it empty rather than the room untaken. */
  private callerNumber(channelId: string): Promise<string> {
    return this.deps.asterisk.callerNumber(channelId).catch(() => '');
  }
}
