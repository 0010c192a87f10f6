import { randomUUID } from 'node:crypto';
import { AriCalls } from '../ari/ariCalls';
import { Logger } from '../logger';
import { WriteHealth } from './writeHealth';

/** How often the app reads back what it stored, and repairs a drift. */
const CHECK_INTERVAL_MS = 20_000;
/** The dialplan reports within milliseconds; no report by then means its context is missing. */
const REPORT_TIMEOUT_MS = 5_000;
/** The dialplan context that stores the values in AstDB (install/asterisk/extensions_conference.conf). */
const CONTEXT = 'conference-settings';
/** Where the values are, as /health and the log name it beside the files the app writes. */
const STORE_PATH = 'AstDB conference/number, conference/app';
/** Ids of a store's two channels begin with this: no caller's do. */
const CHANNEL_PREFIX = 'conference-settings-';

/** What the dialplan reads from AstDB to route a call: the server number and the Stasis app. */
export interface DialplanValues {
  readonly number: string;
  readonly app: string;
}

/** The dialplan's report: what AstDB held before the store, and what it holds after. */
interface Report {
  readonly found: DialplanValues;
  readonly now: DialplanValues;
}

/** A store's channel (its report, or a leftover of an app that stopped mid-store): never a caller. */
export function isDialplanSettingsChannel(channelId: string): boolean {
  return channelId.startsWith(CHANNEL_PREFIX);
}

/**
 * Keeps the server number and the app's name where the dialplan reads them: Asterisk's database
 * (AstDB), which no reload resets and which is on disk across restarts (docs/DECISIONS.md, "The
 * server number lives in AstDB"). ARI may not write DB() itself, so the app calls the dialplan
 * context conference-settings over a Local channel with the values; that channel stores them and
 * reports, through a StasisStart, what AstDB held before and after. Stored on every (re)connect
 * and change of the number, and checked every CHECK_INTERVAL_MS: a drift (a hand edit, a
 * database lost with its Asterisk) is repaired and logged, naming what had drifted. A store that
 * fails is told to `health`, as a file's failed write is (once per cause, /health, metrics).
 */
export class DialplanSettings {
  /** The values this app last saw stored; undefined until then, and after a failed store. */
  private stored: DialplanValues | undefined;
  private readonly reports = new Map<string, (report: Report) => void>();
  private queue: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly ari: AriCalls,
    /** The Stasis app this process registered: an ari.app changed in the file applies at the next start only. */
    private readonly app: string,
    private readonly number: () => string,
    connected: () => boolean,
    readonly health: WriteHealth,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => {
      if (connected()) void this.store();
    }, CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stores the values in force (after any store under way) and resolves once the dialplan reported. */
  store(): Promise<void> {
    const next = this.queue.then(() => this.storeOnce());
    this.queue = next;
    return next;
  }

  /** No more checks; a store under way ends without a word. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** A StasisStart: a store's report is taken and its channel hung up (true); a caller's is not ours (false). */
  claim(channelId: string, args: readonly string[]): boolean {
    if (!isDialplanSettingsChannel(channelId)) return false;
    const [, foundNumber = '', foundApp = '', number = '', app = ''] = args;
    this.reports.get(channelId)?.({ found: { number: foundNumber, app: foundApp }, now: { number, app } });
    // Left up, it would end anyway: its other half stops waiting for an answer after REPORT_TIMEOUT_MS.
    this.ari.hangup(channelId).catch((error: unknown) => this.log.warn('could not hang up a store\'s channel', { event: 'ari-error', call: channelId, error: String(error) }));
    return true;
  }

  private async storeOnce(): Promise<void> {
    const wanted: DialplanValues = { number: this.number(), app: this.app };
    const channelId = `${CHANNEL_PREFIX}${randomUUID()}`;
    const dialplanChannel = `${channelId}-dialplan`;
    // Waited for before the request is sent: the report may come before its answer.
    const reported = new Promise<Report>((resolve) => this.reports.set(dialplanChannel, resolve));
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.ari.callDialplan({
        extension: 'store',
        context: CONTEXT,
        app: this.app,
        channelId,
        otherChannelId: dialplanChannel,
        // No call detail record for either half: a store is no call.
        variables: { CONF_STORE_NUMBER: wanted.number, CONF_STORE_APP: wanted.app, 'CDR_PROP(disable)': '1' },
        timeoutSeconds: REPORT_TIMEOUT_MS / 1000,
      });
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no report from the dialplan context ${CONTEXT} within ${REPORT_TIMEOUT_MS / 1000} s: is it in Asterisk's dialplan (install/asterisk/extensions_conference.conf)?`)), REPORT_TIMEOUT_MS);
      });
      this.judge(wanted, await Promise.race([reported, late]));
    } catch (error) {
      this.failed(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
      this.reports.delete(dialplanChannel);
    }
  }

  private judge(wanted: DialplanValues, { found, now }: Report): void {
    if (!same(now, wanted)) {
      this.failed(`Asterisk's database did not take them (is func_db loaded?): it holds number ${JSON.stringify(now.number)}, app ${JSON.stringify(now.app)}`);
      return;
    }
    const drifted = differences(found, wanted);
    if (this.stored !== undefined && same(this.stored, wanted)) {
      if (drifted.length > 0) this.log.warn('the server number or app name in Asterisk\'s database had drifted: repaired', { event: 'dialplan-settings-repaired', drifted, found, stored: wanted });
      else this.log.debug('server number and app name in Asterisk\'s database checked', { event: 'dialplan-settings-checked' });
    } else {
      this.log.info('server number and app name stored in Asterisk\'s database', { event: 'dialplan-settings-stored', ...wanted, previous: found });
    }
    this.stored = wanted;
    this.health.succeeded();
  }

  private failed(cause: string): void {
    this.stored = undefined;
    if (!this.stopped) this.health.failed(STORE_PATH, cause);
  }
}

function same(a: DialplanValues, b: DialplanValues): boolean {
  return a.number === b.number && a.app === b.app;
}

/** The names of the values that differ. */
function differences(found: DialplanValues, wanted: DialplanValues): Array<keyof DialplanValues> {
  return (['number', 'app'] as const).filter((key) => found[key] !== wanted[key]);
}
