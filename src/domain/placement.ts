/** A node of the cluster as room placement sees it: what it mixes, and whether it takes new rooms. */
export interface NodeLoad {
  readonly node: string;
  /** Where callers are passed on to it; '' when they cannot be. */
  readonly sipAddress: string;
  /** Participants in its rooms. */
  readonly participants: number;
  /** Rooms started on it within the last NEW_ROOM_MS. */
  readonly newRooms: number;
  readonly draining: boolean;
}

/** How long a room counts as new: a meeting's callers arrive within its first minute or so. */
export const NEW_ROOM_MS = 30_000;
/** What a new room counts as until then, so that a burst of room starts does not pile onto one node. */
export const NEW_ROOM_PARTICIPANTS = 4;

/** A node's load in participants, its new rooms counted as what they will soon hold. */
export function loadOf(node: NodeLoad): number {
  return node.participants + NEW_ROOM_PARTICIPANTS * node.newRooms;
}

/** The node is draining or busy: its new rooms may start elsewhere (the others' loads are worth asking for). */
export function mayGiveAway(here: NodeLoad, busyAt: number): boolean {
  return here.draining || (busyAt > 0 && loadOf(here) >= busyAt);
}

/**
 * The node a new room starts on: the one its first caller landed on (`here`), unless that one
 * is draining or busy (its load at `busyAt` or more: 0 means never); then the least loaded other
 * node that takes rooms and can be reached (first by name on a tie), if it is less loaded than
 * `here`. A draining node gives its new rooms away whenever another node takes them.
 */
export function chooseHome(here: NodeLoad, others: readonly NodeLoad[], busyAt: number): NodeLoad {
  if (!mayGiveAway(here, busyAt)) return here;
  let best: NodeLoad | undefined;
  for (const node of others) {
    if (node.node === here.node || node.draining || node.sipAddress === '') continue;
    if (!best || loadOf(node) < loadOf(best) || (loadOf(node) === loadOf(best) && node.node < best.node)) best = node;
  }
  if (!best) return here;
  return here.draining || loadOf(best) < loadOf(here) ? best : here;
}
