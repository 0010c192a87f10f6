import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { EventStream } from '../../src/ari/eventStream';

/**
 * The stream retries for ever; what it says about a failed attempt is said once per cause: again
 * only when the cause changes, or when it comes back after a connection. The peer is an HTTP
 * server that answers each WebSocket upgrade as the test scripts it (401, 404, or the upgrade).
 */
describe('the ARI event stream tells why it cannot connect, once per cause', () => {
  let server: Server;
  let stream: EventStream;
  const peers = new WebSocketServer({ noServer: true });
  const accepted: WebSocket[] = [];

  async function serve(answers: Array<number | 'upgrade'>): Promise<string> {
    server = createServer();
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      socket.on('error', () => undefined); // the stream hangs up on a refusal as soon as it has read it
      const answer = answers.shift() ?? 'upgrade';
      if (answer === 'upgrade') peers.handleUpgrade(request, socket, head, (peer) => accepted.push(peer));
      else socket.end(`HTTP/1.1 ${answer} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    await stream.stop();
    accepted.forEach((peer) => peer.terminate());
    await new Promise((resolve) => server.close(resolve));
  });

  /** What the stream said, in order: each 'unreachable' with its cause, 'connected', 'disconnected'. */
  function record(events: EventStream): string[] {
    const said: string[] = [];
    events.on('unreachable', (problem) => said.push(`unreachable ${problem.cause}`));
    events.on('connected', () => said.push('connected'));
    events.on('disconnected', () => said.push('disconnected'));
    return said;
  }

  /** A stream with wrong credentials that retries within milliseconds. */
  function quickRetrying(url: string): EventStream {
    return new EventStream({
      url,
      username: 'conference',
      password: 'wrong',
      app: 'conference',
      pingIntervalMs: 10000,
      backoffInitialMs: 10,
      backoffMaxMs: 20,
    });
  }

  it('one line per change of cause; the same cause again after a connection is said again', async () => {
    const url = await serve([401, 401, 401, 404, 404, 'upgrade', 401, 401, 'upgrade']);
    stream = quickRetrying(url);
    const said = record(stream);
    stream.start();
    await new Promise<void>((resolve) => stream.once('connected', resolve));
    expect(stream.problem).toBeUndefined();
    accepted[0]!.terminate(); // the connection drops
    await new Promise<void>((resolve) => stream.once('connected', resolve));
    expect(said).toEqual([
      'unreachable credentials',
      'unreachable no-ari',
      'connected',
      'disconnected',
      'unreachable credentials',
      'connected',
    ]);
  });

  it('keeps the latest cause while it retries, for the status API', async () => {
    const url = await serve(Array<number>(1000).fill(401));
    stream = quickRetrying(url);
    let attempts = 0;
    server.on('upgrade', () => attempts++);
    const said = record(stream);
    stream.start();
    await new Promise<void>((resolve) => stream.once('unreachable', () => resolve()));
    while (attempts < 5) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(said).toEqual(['unreachable credentials']);
    expect(stream.problem).toEqual({
      cause: 'credentials',
      text: 'ARI refused the user conference: check ARI_USER/ARI_PASSWORD (ari.username, ari.password) and ari.conf',
    });
    expect(stream.connected).toBe(false);
  });
});
