import { EventEmitter } from 'node:events';
import { connect, Socket } from 'node:net';
import { waitForEvent } from '../../harness/eventWait';

/** An event baresip reports (REGISTER_OK, CALL_ESTABLISHED, CALL_CLOSED...). */
export interface BaresipEvent {
  type: string;
  param?: string;
}

interface Reply {
  ok: boolean;
  data?: string;
  token?: string;
}

/**
 * baresip's ctrl_tcp interface: JSON messages in netstrings (`<length>:<json>,`) over TCP.
 * Commands are the long commands of its menu (`dial`, `sndcode`, `hangup`); events come
 * unasked. Every event is kept, so a wait also finds one that came before it.
 */
export class BaresipControl {
  readonly events: BaresipEvent[] = [];
  private readonly bus = new EventEmitter();
  private readonly pending = new Map<string, (reply: Reply) => void>();
  private buffered = Buffer.alloc(0);
  private nextToken = 1;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined); // the process going away ends the socket; the phone reports that
  }

  /** Connects once baresip listens (it opens the port a moment after it starts). */
  static async connect(port: number, timeoutMs = 5000): Promise<BaresipControl> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () => resolve(s)).once('error', reject);
        });
        return new BaresipControl(socket);
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`baresip's control port ${port} did not open: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Runs a command; resolves with its output, rejects when baresip says it failed. */
  command(command: string, params = ''): Promise<string> {
    const token = String(this.nextToken++);
    const body = Buffer.from(JSON.stringify({ command, params, token }));
    return new Promise((resolve, reject) => {
      this.pending.set(token, (reply) =>
        reply.ok ? resolve(reply.data ?? '') : reject(new Error(`baresip ${command} ${params} failed: ${reply.data ?? ''}`)),
      );
      this.socket.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
    });
  }

  /** Resolves with the first event (already seen or to come) that matches. */
  waitFor(match: (event: BaresipEvent) => boolean, timeoutMs: number, what: string): Promise<BaresipEvent> {
    return waitForEvent(this.events, this.bus, match, timeoutMs, what);
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const colon = this.buffered.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.buffered.toString('ascii', 0, colon));
      const end = colon + 1 + length;
      if (this.buffered.length < end + 1) return;
      const message = JSON.parse(this.buffered.toString('utf8', colon + 1, end)) as Record<string, unknown>;
      this.buffered = this.buffered.subarray(end + 1);
      if (message.event) {
        const event = message as unknown as BaresipEvent;
        this.events.push(event);
        this.bus.emit('event', event);
      } else if (message.response) {
        const reply = message as unknown as Reply;
        this.pending.get(reply.token ?? '')?.(reply);
        this.pending.delete(reply.token ?? '');
      }
    }
  }
}
