import { ClusterPeers, NodeUnreachable, PeerAnswer, PeerRequest, Unreachable } from '../app/clusterPeers';
import { RoomNumber } from '../domain/types';
import { ApiResponse } from './handlers';
import { matchRoute, Route } from './routes';

export type LocalHandler = (route: Route) => Promise<ApiResponse>;
export type Handler = (route: Route, request: PeerRequest) => Promise<ApiResponse>;

/** This node holds the room's lease in the shared store (no longer once its Asterisk is gone and its rooms let go). */
export type Holds = (room: RoomNumber) => boolean;

/**
 * The status API of one node of a cluster, showing the whole cluster: the room list gathers every
 * node's rooms, and a room's routes (its view, kick, mute, lock, lecture, end, recording, dial) go to the node that holds it.
 * Everything else (health, metrics, lockouts kept in the shared store) is this node's answer.
 */
export function clusterHandler(local: LocalHandler, holds: Holds, peers: ClusterPeers): Handler {
  return async (route, request) => {
    switch (route.name) {
      case 'rooms':
        return everyNodesRooms(heldOnly(await local(route), holds), request, peers);
      case 'room':
      case 'kick':
      case 'mute':
      case 'lock':
      case 'lecture':
      case 'end':
      case 'recording':
      case 'dial':
        return holds(route.room) ? local(route) : atHome(route, route.room, request, local, peers);
      default:
        return local(route);
    }
  };
}

/** What this node answers another: its own view only (never asked on), JSON routes only. */
export function answerPeers(local: LocalHandler, holds: Holds): (request: PeerRequest) => Promise<Omit<PeerAnswer, 'node'>> {
  return async ({ method, path }) => {
    const match = matchRoute(method, path);
    if (match.kind === 'error') return { status: match.status, json: { error: match.message } };
    const response = await local(match.route);
    if (!('json' in response)) return { status: 400, json: { error: `${path} is not answered for another node` } };
    return match.route.name === 'rooms' ? heldOnly(response, holds) : response;
  };
}

/**
 * The rooms of this node's list whose lease it holds: a room whose Asterisk went away is its new
 * home's to show, though this app keeps its lost participants until Asterisk answers again.
 */
function heldOnly<T extends ApiResponse>(response: T, holds: Holds): T {
  const rooms = roomsOf(response);
  if (!rooms || !('json' in response)) return response;
  return { ...response, json: { ...(response.json as object), rooms: rooms.filter((r) => holds(r.room as string)) } };
}

async function everyNodesRooms(mine: ApiResponse, request: PeerRequest, peers: ClusterPeers): Promise<ApiResponse> {
  const rooms = roomsOf(mine) ?? [];
  const nodes = [peers.node];
  let incomplete: string | undefined;
  try {
    const { answers, missing } = await peers.askAll(request);
    let unanswered = missing;
    for (const answer of answers) {
      const theirs = roomsOf(answer);
      if (theirs) {
        rooms.push(...theirs);
        nodes.push(answer.node);
      } else unanswered += 1;
    }
    if (unanswered > 0) incomplete = `${unanswered} node(s) did not answer within ${peers.answerMs / 1000} s: their rooms are not shown`;
  } catch {
    incomplete = "the shared store is unavailable: only this node's rooms are shown";
  }
  rooms.sort((a, b) => String(a.room).localeCompare(String(b.room)));
  return { status: 200, json: { rooms, nodes: nodes.sort(), ...(incomplete ? { incomplete } : {}) } };
}

/** A room's route, answered by the node that holds the room (this one when none does: "no room"). */
async function atHome(
  route: Route,
  room: RoomNumber,
  request: PeerRequest,
  local: LocalHandler,
  peers: ClusterPeers,
): Promise<ApiResponse> {
  let home: string | undefined;
  try {
    home = await peers.homeOf(room);
  } catch {
    return { status: 503, json: { error: `the shared store is unavailable: which node holds room ${room} is not known` } };
  }
  if (home === undefined || home === peers.node) return local(route);
  try {
    const { status, json } = await peers.ask(home, request);
    return { status, json };
  } catch (error) {
    const reason: Unreachable = error instanceof NodeUnreachable ? error.reason : 'no-answer';
    const why: Record<Unreachable, string> = {
      'not-listening': 'has no app connected to the shared store',
      'no-answer': `did not answer within ${peers.answerMs / 1000} s`,
      'store-unavailable': 'cannot be reached: the shared store is unavailable',
    };
    return { status: reason === 'store-unavailable' ? 503 : 502, json: { error: `room ${room} is on node ${home}, which ${why[reason]}` } };
  }
}

type RoomEntry = { readonly room: unknown } & Record<string, unknown>;

/** The rooms of a room list, from this node or another (whose answer is checked, not trusted). */
function roomsOf(answer: { readonly status: number } & ({ readonly json: unknown } | object)): RoomEntry[] | undefined {
  if (answer.status !== 200 || !('json' in answer)) return undefined;
  const rooms = (answer.json as { rooms?: unknown } | null)?.rooms;
  if (!Array.isArray(rooms)) return undefined;
  return rooms.filter((r): r is RoomEntry => typeof r === 'object' && r !== null && typeof (r as RoomEntry).room === 'string');
}
