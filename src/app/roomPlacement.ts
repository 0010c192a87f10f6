import { chooseHome, mayGiveAway, NEW_ROOM_MS, NodeLoad } from '../domain/placement';
import { RoomHome, RoomStateStore } from './roomStateStore';
import { RoomTable } from './roomTable';

/**
 * The others see a node's load within a second, and a publication lost (the store not connected
 * yet) costs no more than that; a lease is 3 s at least.
 */
const PUBLISH_EVERY_MS = 1000;

export interface PlacementDeps {
  readonly node: string;
  readonly sipAddress: string;
  readonly state: RoomStateStore;
  readonly rooms: RoomTable;
  /** store.busyParticipants, as the settings say now. */
  readonly busyAt: () => number;
  readonly now: () => number;
}

/**
 * Where the rooms started by callers who land on this node go: here, unless this node is busy or
 * draining and another takes them (domain/placement). Publishes this node's load for the others
 * every second, so that a node that stops publishing (its app or its Asterisk away) drops out of
 * their choice within a lease.
 */
export class RoomPlacement {
  private draining = false;
  /** Published from the time this node's Asterisk is connected: before, no room can start here. */
  private held = true;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: PlacementDeps) {
    this.timer = setInterval(() => void this.publish(), PUBLISH_EVERY_MS).unref();
  }

  /** The node a new room whose first caller landed here starts on, when not here. */
  async elsewhere(): Promise<RoomHome | undefined> {
    const here = this.here();
    const busyAt = this.deps.busyAt();
    if (!mayGiveAway(here, busyAt)) return undefined;
    const home = chooseHome(here, await this.deps.state.nodeLoads(), busyAt);
    return home.node === here.node ? undefined : { node: home.node, sipAddress: home.sipAddress };
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** A draining node gives its new rooms to the others and keeps its rooms until they end; false when unchanged. */
  async setDraining(draining: boolean): Promise<boolean> {
    if (this.draining === draining) return false;
    this.draining = draining;
    await this.publish();
    return true;
  }

  /**
   * While this node's Asterisk is away, the others stop placing rooms here once its load runs
   * out; once it is back, they know at once.
   */
  hold(away: boolean): void {
    this.held = away;
    if (!away) void this.publish();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private here(): NodeLoad {
    const { node, sipAddress, rooms, now } = this.deps;
    const { participants } = rooms.liveCounts();
    return { node, sipAddress, participants, newRooms: rooms.roomsStartedSince(now() - NEW_ROOM_MS), draining: this.draining };
  }

  private async publish(): Promise<void> {
    if (this.held) return;
    const { participants, draining } = this.here();
    try {
      await this.deps.state.publishLoad({ participants, draining });
    } catch {
      // The store is away: the next publication tries again, and calls meanwhile say it is unavailable.
    }
  }
}
