import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { AriProblem, ConnectionFailure, describeConnectionFailure } from './connectionFailure';

/** A ping unanswered by the next one ends the connection: a half-open one is noticed within twice this. */
export const DEFAULT_PING_INTERVAL_MS = 5000;
/** The first retry after a failed attempt; each next one waits twice as long, up to DEFAULT_BACKOFF_MAX_MS. */
export const DEFAULT_BACKOFF_INITIAL_MS = 250;
export const DEFAULT_BACKOFF_MAX_MS = 10000;

export interface EventStreamSettings {
  readonly url: string; // http://127.0.0.1:8088
  readonly username: string;
  readonly password: string;
  readonly app: string;
  readonly pingIntervalMs?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
}

/** An ARI event as it comes off the socket. */
export interface AriEvent {
  readonly type: string;
  readonly application?: string;
  readonly timestamp?: string;
  readonly [field: string]: unknown;
}

export interface EventStreamEvents {
  event: [AriEvent];
  connected: [];
  /** A connection that was up has gone. */
  disconnected: [reason: string, retryInMs: number];
  /** An attempt to connect failed for another cause than the attempt before it (or the first since a connection). */
  unreachable: [problem: AriProblem, retryInMs: number];
}

/**
 * The ARI WebSocket, kept up for as long as the app lives: reconnects with capped exponential
 * backoff forever (never gives up), and pings so a half-open connection is noticed.
 * Events are delivered one by one, in order, never merged. Why an attempt failed is told once
 * per cause ('unreachable'), not once per retry, and kept for the status API (problem).
 */
export class EventStream extends EventEmitter<EventStreamEvents> {
  private socket: WebSocket | undefined;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private lastProblem: AriProblem | undefined;
  private readonly pingIntervalMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;

  constructor(private readonly settings: EventStreamSettings) {
    super();
    this.pingIntervalMs = settings.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.backoffInitialMs = settings.backoffInitialMs ?? DEFAULT_BACKOFF_INITIAL_MS;
    this.backoffMaxMs = settings.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Why the latest attempt to connect failed; undefined once connected (and before any attempt failed). */
  get problem(): AriProblem | undefined {
    return this.lastProblem;
  }

  /** Resolves on the next successful connection (or at once if connected). */
  whenConnected(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.once('connected', resolve));
  }

  /**
   * Closes the socket and resolves once Asterisk has seen it go: a successor registering the
   * same app name right after must not race the old session's clean-up in Asterisk.
   */
  stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    socket.removeAllListeners();
    socket.on('error', () => undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'stopping');
    });
  }

  private connect(): void {
    const url = new URL(this.settings.url);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.pathname = '/ari/events';
    url.searchParams.set('app', this.settings.app);
    url.searchParams.set('api_key', `${this.settings.username}:${this.settings.password}`);
    const socket = new WebSocket(url, { handshakeTimeout: 5000 });
    this.socket = socket;
    let opened = false;
    let failure: ConnectionFailure | undefined;
    socket.on('open', () => {
      opened = true;
      this.attempt = 0;
      this.lastProblem = undefined;
      this.awaitingPong = false;
      this.pingTimer = setInterval(() => this.ping(socket), this.pingIntervalMs);
      this.emit('connected');
    });
    socket.on('pong', () => {
      this.awaitingPong = false;
    });
    socket.on('message', (data: WebSocket.RawData) => {
      let event: AriEvent;
      try {
        // ARI sends text frames, which ws hands over as one Buffer.
        event = JSON.parse((data as Buffer).toString('utf8')) as AriEvent;
      } catch {
        return; // not ARI: nothing to act on
      }
      this.emit('event', event);
    });
    // Asterisk answered instead of upgrading (401: wrong credentials; 404: no ARI there).
    socket.on('unexpected-response', (_request, response) => {
      failure = { status: response.statusCode };
      socket.terminate();
    });
    // 'close' follows and carries the reconnect; the first error is the cause (terminate() adds its own).
    socket.on('error', (error: NodeJS.ErrnoException) => (failure ??= { code: error.code, message: error.message }));
    socket.on('close', (code: number, reason: Buffer) => {
      clearInterval(this.pingTimer);
      if (this.socket !== socket || this.stopped) return;
      this.socket = undefined;
      const delay = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** this.attempt);
      this.attempt++;
      if (opened) this.emit('disconnected', `${code} ${reason.toString() || 'closed'}`, delay);
      else this.failed(failure ?? { message: `closed ${code}` }, delay);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private failed(failure: ConnectionFailure, retryInMs: number): void {
    const problem = describeConnectionFailure(failure, this.settings);
    const changed = problem.text !== this.lastProblem?.text;
    this.lastProblem = problem;
    if (changed) this.emit('unreachable', problem, retryInMs);
  }

  private ping(socket: WebSocket): void {
    if (this.awaitingPong) {
      socket.terminate(); // no pong since the last ping: the peer is gone
      return;
    }
    this.awaitingPong = true;
    socket.ping();
  }
}
