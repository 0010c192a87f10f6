import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ClusterPeers, NodeUnreachable, PeerAnswer, PeerRequest } from '../app/clusterPeers';
import { Logger } from '../logger';

/** The channel of every node (no node's name has a `*`). */
const ALL = '*all';
/** How long a node has to answer a request. */
const ANSWER_MS = 2000;

interface Waiting {
  readonly answers: PeerAnswer[];
  readonly expected: number;
  readonly done: () => void;
}

type Message =
  | { readonly kind: 'request'; readonly id: string; readonly from: string; readonly method: string; readonly path: string }
  | { readonly kind: 'answer'; readonly id: string; readonly node: string; readonly status: number; readonly json: unknown };

/**
 * Requests between the app instances of a cluster, over the shared store's publish/subscribe:
 * each node listens on a channel named by it (and on one for all), and answers on the asking
 * node's channel. So an admin action reaches the node that holds the room, with no address of
 * its API to configure and no port open between nodes.
 */
export class ClusterBus implements Omit<ClusterPeers, 'homeOf'> {
  readonly answerMs = ANSWER_MS;
  private readonly subscriber: Redis;
  private readonly waiting = new Map<string, Waiting>();
  private answer: ((request: PeerRequest) => Promise<Omit<PeerAnswer, 'node'>>) | undefined;

  constructor(
    private readonly redis: Redis,
    readonly node: string,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    // Subscriptions wait for the connection (and are made again after a reconnect); requests fail at once while it is away.
    this.subscriber = redis.duplicate({ enableOfflineQueue: true });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, text: string) => this.receive(text));
    void this.subscriber.subscribe(this.channel(node), this.channel(ALL), this.answers(node)).catch(() => undefined);
  }

  /** From now on, requests from other nodes are answered by `answer` (this node's own API). */
  serve(answer: (request: PeerRequest) => Promise<Omit<PeerAnswer, 'node'>>): void {
    this.answer = answer;
  }

  /** Asks one node; rejects with NodeUnreachable. */
  async ask(node: string, request: PeerRequest): Promise<PeerAnswer> {
    const { answers, missing } = await this.send(node, request, 0);
    const [answer] = answers;
    if (answer) return answer;
    throw new NodeUnreachable(node, missing === undefined ? 'not-listening' : 'no-answer');
  }

  /** Asks every other node listening: their answers, and how many of them did not answer in time. */
  async askAll(request: PeerRequest): Promise<{ answers: PeerAnswer[]; missing: number }> {
    // This node hears its own broadcast too, when its subscription is up.
    const own = this.subscriber.status === 'ready' ? 1 : 0;
    const { answers, missing } = await this.send(ALL, request, own);
    return { answers, missing: missing ?? 0 };
  }

  close(): void {
    for (const waiting of this.waiting.values()) waiting.done();
    this.subscriber.disconnect();
  }

  /** Publishes a request to a node (or ALL) and waits for the answers of those who received it (`own` of them being this node). */
  private async send(node: string, request: PeerRequest, own: number): Promise<{ answers: PeerAnswer[]; missing?: number }> {
    const id = randomUUID();
    const answers: PeerAnswer[] = [];
    let done = (): void => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    let receivers: number;
    try {
      const message: Message = { kind: 'request', id, from: this.node, method: request.method, path: request.path };
      // Registered first: an answer may come before PUBLISH returns its count.
      this.waiting.set(id, { answers, expected: Infinity, done });
      receivers = (await this.redis.publish(this.channel(node), JSON.stringify(message))) - own;
    } catch {
      this.waiting.delete(id);
      throw new NodeUnreachable(node, 'store-unavailable');
    }
    if (receivers <= 0) {
      this.waiting.delete(id);
      return { answers };
    }
    this.waiting.set(id, { answers, expected: receivers, done });
    if (answers.length >= receivers) done();
    const timer = setTimeout(done, ANSWER_MS);
    await finished;
    clearTimeout(timer);
    this.waiting.delete(id);
    return { answers, missing: receivers - answers.length };
  }

  private receive(text: string): void {
    const message = parseMessage(text);
    if (!message) {
      this.log.warn('a message on the cluster bus was not understood', { event: 'bus-malformed' });
      return;
    }
    if (message.kind === 'answer') {
      const waiting = this.waiting.get(message.id);
      if (!waiting) return;
      waiting.answers.push({ node: message.node, status: message.status, json: message.json });
      if (waiting.answers.length >= waiting.expected) waiting.done();
      return;
    }
    if (message.from === this.node || !this.answer) return;
    void this.reply(message, this.answer);
  }

  private async reply(request: Extract<Message, { kind: 'request' }>, answer: NonNullable<typeof this.answer>): Promise<void> {
    try {
      const { status, json } = await answer(request);
      const message: Message = { kind: 'answer', id: request.id, node: this.node, status, json };
      await this.redis.publish(this.answers(request.from), JSON.stringify(message));
    } catch (error) {
      this.log.warn('a request of another node could not be answered', {
        event: 'bus-answer-failed',
        from: request.from,
        method: request.method,
        path: request.path,
        error: String(error),
      });
    }
  }

  private channel(node: string): string {
    return `${this.prefix}bus:${node}`;
  }

  private answers(node: string): string {
    return `${this.prefix}bus-answers:${node}`;
  }
}

/** The store is shared, not trusted blindly: a message of another shape is dropped. */
function parseMessage(text: string): Message | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.id !== 'string') return undefined;
  if (m.kind === 'request' && typeof m.from === 'string' && typeof m.method === 'string' && typeof m.path === 'string') {
    return { kind: 'request', id: m.id, from: m.from, method: m.method, path: m.path };
  }
  if (m.kind === 'answer' && typeof m.node === 'string' && typeof m.status === 'number') {
    return { kind: 'answer', id: m.id, node: m.node, status: m.status, json: m.json };
  }
  return undefined;
}
