import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Dispatcher, Pool } from 'undici';
import { describeConnectionFailure } from './connectionFailure';
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

interface Answer {
  readonly status: number;
  readonly text: string;
}

/**
 * A small ARI REST client: keep-alive connections, a hard cap on them, JSON in and out.
 * Every failure becomes an AriError (status 0 when Asterisk did not answer).
 * undici, not node:http: a join storm's CPU goes mostly to HTTP, and undici's dispatcher costs
 * half or less of node:http's per request (docs/PERFORMANCE.md). It notices an idle
 * connection Asterisk closed (a restart).
 */
export class RestClient {
  private readonly pool: Pool;
  private readonly auth: string;

  constructor(private readonly settings: RestSettings) {
    this.pool = new Pool(new URL(settings.url).origin, {
      connections: settings.maxConnections,
      // Idle connections stay up to 10 s (undici's default is 4): a call's next request after a
      // pause (the PIN being keyed) finds one open. Asterisk closes them at 15 s (session_keep_alive).
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 10_000,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
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

  /**
   * A file Asterisk serves (a stored recording), written to `to` as it arrives, the disk's pace
   * holding the download back; resolves with the bytes written. A failure leaves a partial file.
   */
  async download(path: string, to: string): Promise<number> {
    const file = createWriteStream(to);
    const opened = once(file, 'open');
    const failed = new Promise<never>((_resolve, reject) => file.once('error', reject));
    await Promise.race([opened, failed]);
    let status = 0;
    let bytes = 0;
    let refusal = '';
    try {
      await Promise.race([
        failed,
        new Promise<void>((resolve, reject) => {
          this.pool.dispatch(
            { method: 'GET', path: `/ari${path}`, headers: { authorization: this.auth } },
            {
              onConnect: () => undefined,
              onHeaders: (statusCode, _headers, resume) => {
                status = statusCode;
                file.on('drain', resume);
                return true;
              },
              onData: (chunk) => {
                if (status < 200 || status >= 300) {
                  refusal += chunk.toString('utf8');
                  return true;
                }
                bytes += chunk.length;
                return file.write(chunk);
              },
              onComplete: () => resolve(),
              onError: reject,
            },
          );
        }),
      ]);
    } catch (error) {
      file.destroy();
      if (error instanceof Error && 'syscall' in error) throw error;
      throw new AriError(0, 'GET', path, failureText(error, this.settings));
    }
    await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (status < 200 || status >= 300) throw new AriError(status, 'GET', path, errorText(refusal));
    return bytes;
  }

  async request<T>(method: Dispatcher.HttpMethod, path: string, query?: Query, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let answer: Answer;
    try {
      answer = await this.exchange({
        method,
        path: `/ari${path}${encodeQuery(query)}`,
        headers: payload === undefined ? { authorization: this.auth } : { authorization: this.auth, 'content-type': 'application/json' },
        body: payload ?? null,
      });
    } catch (error) {
      throw new AriError(0, method, path, failureText(error, this.settings));
    }
    const { status, text } = answer;
    if (status >= 200 && status < 300) return (text === '' ? undefined : JSON.parse(text)) as T;
    // 401 is the one status that says the settings are wrong (a 404 is a channel gone, as often as not).
    throw new AriError(status, method, path, status === 401 ? describeConnectionFailure({ status }, this.settings).text : errorText(text));
  }

  /** One HTTP exchange through undici's dispatcher: no stream per response (its request() costs 30-60% more). */
  private exchange(options: Dispatcher.DispatchOptions): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      let status = 0;
      const chunks: Buffer[] = [];
      this.pool.dispatch(options, {
        onConnect: () => undefined,
        onHeaders: (statusCode) => {
          status = statusCode;
          return true;
        },
        onData: (chunk) => {
          chunks.push(chunk);
          return true;
        },
        onComplete: () => resolve({ status, text: Buffer.concat(chunks).toString('utf8') }),
        onError: reject,
      });
    });
  }

  close(): void {
    void this.pool.destroy();
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

/** Why no answer came: a timeout says how long was waited, a wrong URL which setting to check, anything else its own message. */
function failureText(error: unknown, settings: RestSettings): string {
  const code = (error as { code?: string }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `no answer within ${settings.timeoutMs} ms`;
  const message = error instanceof Error ? error.message : String(error);
  const problem = describeConnectionFailure({ code, message }, settings);
  return problem.cause === 'other' ? message : problem.text;
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: string; error?: string };
    return parsed.message ?? parsed.error ?? text;
  } catch {
    return text;
  }
}
