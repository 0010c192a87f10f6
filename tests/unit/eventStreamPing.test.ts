import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { EventStream } from '../../src/ari/eventStream';

/**
 * A half-open connection (the peer gone without a FIN, so no 'close' ever comes) is
 * noticed by the missing pong, dropped, and connected again. The peer here is a WebSocket
 * server that accepts the connection but never answers a ping, as a vanished Asterisk would.
 */
describe('the ARI event stream over a connection whose peer stops answering', () => {
  let server: WebSocketServer;
  let stream: EventStream;

  async function serve(answersPings: boolean): Promise<string> {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: answersPings });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function connect(url: string): EventStream {
    stream = new EventStream({
      url,
      username: 'u',
      password: 'p',
      app: 'conference',
      pingIntervalMs: 100,
      backoffInitialMs: 50,
      backoffMaxMs: 100,
    });
    stream.start();
    return stream;
  }

  afterEach(async () => {
    await stream.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  it('drops a connection that answers no ping and connects again', async () => {
    const url = await serve(false);
    let connections = 0;
    server.on('connection', () => connections++);
    const events = connect(url);
    const reason = await new Promise<string>((resolve) => events.once('disconnected', resolve));
    expect(reason).toMatch(/^1006/); // terminated locally, no close frame
    await new Promise<void>((resolve) => events.once('connected', resolve));
    expect(connections).toBeGreaterThanOrEqual(2);
  });

  it('keeps a connection whose peer answers its pings', async () => {
    const url = await serve(true);
    const events = connect(url);
    let drops = 0;
    events.on('disconnected', () => drops++);
    await events.whenConnected();
    await new Promise((resolve) => setTimeout(resolve, 600)); // six pings
    expect(drops).toBe(0);
    expect(events.connected).toBe(true);
  });
});
