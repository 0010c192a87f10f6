import http from 'node:http';
import { AriError } from './errors';

export interface RestSettings {
  readonly url: string; // http://127.0.0.1:8088
  readonly username: string;
  readonly password: string;
  /** Asterisk refuses HTTP sessions past its sessionlimit: keep ours pooled and capped. */
  readonly maxConnections: number;
  readonly timeoutMs: number;
}

export type Query = Record<string, string | number | boolean | undefined>;

/**
 * A small ARI REST client: keep-alive connections, a hard cap on sockets, JSON in and out.
 * Every failure becomes an AriError (status 0 when Asterisk did not answer).
 */
export class RestClient {
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly auth: string;

  constructor(private readonly settings: RestSettings) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: settings.maxConnections, maxFreeSockets: settings.maxConnections });
    this.base = new URL(settings.url);
    this.auth = 'Basic ' + Buffer.from(`${settings.username}:${settings.password}`).toString('base64');
  }

  get<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  post<T = unknown>(path: string, query?: Query, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, query, body);
  }

  delete<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.request<T>('DELETE', path, query);
  }

  request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    return this.send<T>(method, path, encodeQuery(query), body === undefined ? undefined : JSON.stringify(body), true);
  }

  /**
   * One HTTP exchange. A kept-alive socket that Asterisk closed meanwhile (a restart, an idle
   * timeout) fails with ECONNRESET before anything was read: that request is sent once more.
   */
  private send<T>(method: string, path: string, search: string, payload: string | undefined, mayRetry: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port || 80,
          method,
          path: `/ari${path}${search}`,
          timeout: this.settings.timeoutMs,
          headers: {
            authorization: this.auth,
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              resolve((text === '' ? undefined : JSON.parse(text)) as T);
            } else {
              reject(new AriError(status, method, path, errorText(text)));
            }
          });
          res.on('error', (err) => reject(new AriError(0, method, path, err.message)));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.settings.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (mayRetry && req.reusedSocket && err.code === 'ECONNRESET') resolve(this.send<T>(method, path, search, payload, false));
        else reject(new AriError(0, method, path, err.message));
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: string; error?: string };
    return parsed.message ?? parsed.error ?? text;
  } catch {
    return text;
  }
}
