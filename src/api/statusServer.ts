import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Logger } from '../logger';
import { authorize } from './auth';
import { Handler } from './clusterHandler';
import { ApiResponse } from './handlers';
import { matchRoute } from './routes';

export interface StatusServerOptions {
  readonly host: string;
  readonly port: number;
  /** Read per request, so a new token in the settings file applies at once. */
  readonly token: () => string;
  readonly handle: Handler;
  readonly log: Logger;
}

/** The status API over node:http: routing, auth, JSON answers. What each route does is in handlers.ts. */
export class StatusServer {
  private readonly server: http.Server;

  constructor(private readonly options: StatusServerOptions) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
  }

  /** Resolves with the address bound (port 0 picks a free one). */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://status');
    const match = matchRoute(method, url.pathname);
    if (match.kind === 'error') {
      if (match.allow) res.setHeader('allow', match.allow.join(', '));
      return send(res, { status: match.status, json: { error: match.message } });
    }
    const verdict = authorize(match.access, req.headers.authorization, this.options.token());
    if (!verdict.ok) {
      if (verdict.status === 401) res.setHeader('www-authenticate', 'Bearer');
      this.options.log.warn('status API request refused', { event: 'api-refused', method, path: url.pathname, status: verdict.status });
      return send(res, { status: verdict.status, json: { error: verdict.message } });
    }
    try {
      send(res, await this.options.handle(match.route, { method, path: url.pathname }));
    } catch (error) {
      this.options.log.error('status API request failed', { event: 'api-error', method, path: url.pathname, error: String(error) });
      send(res, { status: 500, json: { error: 'internal error' } });
    }
  }
}

function send(res: http.ServerResponse, response: ApiResponse): void {
  const [body, type] =
    'json' in response ? [`${JSON.stringify(response.json)}\n`, 'application/json'] : [response.text, response.contentType];
  res.writeHead(response.status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
