import { RoomNumber } from '../domain/types';

/** A status API request passed to another node: its method and path, access already checked. */
export interface PeerRequest {
  readonly method: string;
  readonly path: string;
}

/** A node's answer to a request, as its own status API gives it. */
export interface PeerAnswer {
  readonly node: string;
  readonly status: number;
  readonly json: unknown;
}

export type Unreachable = 'not-listening' | 'no-answer' | 'store-unavailable';

/** Why a node could not be asked: nothing of it listens, it did not answer in time, or the shared store is away. */
export class NodeUnreachable extends Error {
  constructor(
    readonly node: string,
    readonly reason: Unreachable,
  ) {
    super(`node ${node}: ${reason}`);
  }
}

/** The other app instances of a cluster, as the status API reaches them (store/clusterBus.ts). */
export interface ClusterPeers {
  /** This node's name. */
  readonly node: string;
  /** How long a node has to answer. */
  readonly answerMs: number;
  /** The node a room is held by, if any; rejects while the shared store is away. */
  homeOf(room: RoomNumber): Promise<string | undefined>;
  /** Rejects with NodeUnreachable. */
  ask(node: string, request: PeerRequest): Promise<PeerAnswer>;
  /** Every other node's answer, and how many did not answer in time; rejects with NodeUnreachable while the store is away. */
  askAll(request: PeerRequest): Promise<{ answers: PeerAnswer[]; missing: number }>;
}
