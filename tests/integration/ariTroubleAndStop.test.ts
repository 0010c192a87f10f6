import { AddressInfo, createServer, Server, Socket, connect } from 'node:net';
import { waitUntil } from '../../harness/waitUntil';
import { RestClient } from '../../src/ari/restClient';
import { AppProcess } from '../../harness/appProcess';
import { callApi, metricValue } from '../helpers/statusApi';
import { asteriskEnv } from '../../harness/testEnv';

/** The stop a supervisor (systemd, Docker) may rely on, as the README promises it. */
const STOP_BUDGET_MS = 3000;

/** A TCP proxy to the test Asterisk's ARI that counts the WebSocket upgrades through it: the app's attempts to connect. */
async function countingProxy(): Promise<{ url: string; attempts: () => number; close: () => void }> {
  const target = new URL(asteriskEnv().ARI_URL);
  let attempts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined).on('close', () => (client.destroy(), upstream.destroy()));
    }
    client.once('data', (head: Buffer) => head.toString('latin1').startsWith('GET /ari/events') && attempts++);
    client.pipe(upstream).pipe(client);
  });
  const port = await listening(server);
  return {
    url: `http://127.0.0.1:${port}`,
    attempts: () => attempts,
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      server.close();
    },
  };
}

function listening(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** A port on which nothing listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listening(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Admin actions without a token are refused and each refusal is logged: a way to make the app write its log. */
async function refusedRequests(app: AppProcess, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect((await callApi(app, 'POST', '/rooms/123/lock', null)).status).toBe(403);
}

describe('an app that cannot reach ARI says why (once per cause), and a stop ends it within 3 s in any state', () => {
  let app: AppProcess | undefined;

  afterEach(async () => {
    await app?.kill('SIGKILL');
    app = undefined;
  });

  it('a wrong ARI password: one line naming the user and the settings over several attempts, /health says it, SIGTERM ends it', async () => {
    const proxy = await countingProxy();
    try {
      app = AppProcess.prepare({}, { env: { ARI_URL: proxy.url, ARI_PASSWORD: 'not-the-password' } });
      const refused = await app.startUntil('ari-unreachable');
      const { ARI_USER } = asteriskEnv();
      expect(refused).toMatchObject({
        level: 'error',
        cause: 'credentials',
        message: `ARI refused the user ${ARI_USER}: check ARI_USER/ARI_PASSWORD (ari.username, ari.password) and ari.conf`,
      });
      // Retries go on (250 ms, 500 ms, 1 s, 2 s apart), Asterisk refusing each: the log stays quiet.
      await waitUntil(() => proxy.attempts() >= 4, 15000, 'four attempts to connect');
      expect(app.logs.filter((l) => l.event === 'ari-unreachable')).toHaveLength(1);

      const health = await callApi(app, 'GET', '/health', null);
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({ status: 'unavailable', ariConnected: false, ariError: refused.message });

      const stop = await app.stop('SIGTERM');
      expect(stop).toMatchObject({ code: 0 });
      expect(stop.afterMs).toBeLessThan(STOP_BUDGET_MS);
      expect(app.logs.at(-1)).toMatchObject({ event: 'stopped' });
      expect(JSON.stringify(app.logs)).not.toContain('not-the-password');
    } finally {
      proxy.close();
    }
  }, 60000);

  it('a REST request with a wrong password fails with the same words', async () => {
    const { ARI_URL, ARI_USER } = asteriskEnv();
    const rest = new RestClient({ url: ARI_URL, username: ARI_USER, password: 'not-the-password', maxConnections: 1, timeoutMs: 5000 });
    try {
      await expect(rest.get('/asterisk/info')).rejects.toThrow(
        `ARI GET /asterisk/info failed: 401 ARI refused the user ${ARI_USER}: check ARI_USER/ARI_PASSWORD (ari.username, ari.password) and ari.conf`,
      );
    } finally {
      rest.close();
    }
  });

  it('nothing listening at the ARI URL: a line naming the URL, the cause and the setting; /health says it; SIGTERM mid-backoff ends it', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    app = AppProcess.prepare({}, { env: { ARI_URL: url } });
    const refused = await app.startUntil('ari-unreachable');
    expect(refused).toMatchObject({
      level: 'error',
      cause: 'refused',
      message: `nothing listens at ${url} (connection refused): check ARI_URL (ari.url), and that Asterisk runs with its HTTP server on`,
    });
    // Into the backoff's longer waits (2 s, then 4 s, after 1.75 s of attempts), still one line.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(app.logs.filter((l) => l.event === 'ari-unreachable')).toHaveLength(1);
    expect((await callApi(app, 'GET', '/health', null)).json).toMatchObject({ ariConnected: false, ariError: refused.message });
    expect(metricValue((await callApi(app, 'GET', '/metrics', null)).text, 'conference_ari_connected')).toBe(0);

    const stop = await app.stop('SIGTERM');
    expect(stop).toMatchObject({ code: 0 });
    expect(stop.afterMs).toBeLessThan(STOP_BUDGET_MS);
    expect(app.logs.at(-1)).toMatchObject({ event: 'stopped' });
  }, 60000);

  it('SIGINT while a connection to ARI is being opened (a peer that never answers) ends it', async () => {
    const connections = new Set<Socket>();
    const silent = createServer((socket) => connections.add(socket));
    const port = await listening(silent);
    try {
      app = AppProcess.prepare({}, { env: { ARI_URL: `http://127.0.0.1:${port}` } });
      await app.startUntil('api-listening');
      await waitUntil(() => connections.size > 0, 10000, 'the app to open a connection');
      const stop = await app.stop('SIGINT');
      expect(stop).toMatchObject({ code: 0 });
      expect(stop.afterMs).toBeLessThan(STOP_BUDGET_MS);
      expect(app.logs.filter((l) => l.event === 'ari-unreachable')).toHaveLength(0); // still connecting when stopped
    } finally {
      connections.forEach((socket) => socket.destroy());
      silent.close();
    }
  }, 60000);

  it('stdout whose reader has gone (EPIPE): the app goes on without its log, and SIGTERM ends it', async () => {
    app = AppProcess.prepare();
    await app.start();
    app.closeLogReader();
    await refusedRequests(app, 20); // logged, to nobody: the writes fail
    expect((await callApi(app, 'GET', '/health', null)).status).toBe(200);
    const stop = await app.stop('SIGTERM');
    expect(stop).toMatchObject({ code: 0 });
    expect(stop.afterMs).toBeLessThan(STOP_BUDGET_MS);
  }, 60000);

  it('stdout a full pipe nobody reads: the app goes on, and SIGTERM ends it', async () => {
    app = AppProcess.prepare();
    await app.start();
    app.stopReadingLog();
    // About 250 KB of log lines, well past what the pipe holds (under 100 KB here).
    const sent = 1500;
    await refusedRequests(app, sent);
    expect((await callApi(app, 'GET', '/health', null)).status).toBe(200);
    const stop = await app.stop('SIGTERM');
    expect(stop).toMatchObject({ code: 0 });
    expect(stop.afterMs).toBeLessThan(STOP_BUDGET_MS);

    await app.readRestOfLog();
    const received = app.logs.filter((l) => l.event === 'api-refused').length;
    // The pipe was full at the stop: the rest of the log was dropped.
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(sent);
  }, 60000);
});
