import { Logger } from '../logger';
import { DialplanReport, DialplanValues, DialplanValueStore } from './ports';
import { WriteHealth } from './writeHealth';

/** How often the app reads back what it stored, and repairs a drift. */
const CHECK_INTERVAL_MS = 20_000;
/** Where the values are, as /health and the log name it beside the files the app writes. */
const STORE_PATH = 'AstDB conference/number, conference/app';
/** Ids of a store's two channels begin with this: no caller's do. */
export const DIALPLAN_SETTINGS_CHANNEL_PREFIX = 'conference-settings-';

/** A store's channel (its report, or a leftover of an app that stopped mid-store): never a caller. */
export function isDialplanSettingsChannel(channelId: string): boolean {
  return channelId.startsWith(DIALPLAN_SETTINGS_CHANNEL_PREFIX);
}

/**
 * Keeps the server number and the app's name where the dialplan reads them: Asterisk's database
 * (AstDB), which no reload resets and which is on disk across restarts (docs/DECISIONS.md, "The
 * server number lives in AstDB"), written through the dialplan variable store. Stored on every
 * (re)connect and change of the number, and checked every CHECK_INTERVAL_MS: a drift (a hand
 * edit, a database lost with its Asterisk) is repaired and logged, naming what had drifted. A
 * store that fails is told to `health`, as a file's failed write is (once per cause, /health, metrics).
 */
export class DialplanSettings {
  /** The values this app last saw stored; undefined until then, and after a failed store. */
  private stored: DialplanValues | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly dialplan: DialplanValueStore,
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

  /** A StasisStart: a store's own channel is taken (true); a caller's is not ours (false). */
  claim(channelId: string, args: readonly string[]): boolean {
    return this.dialplan.claim(channelId, args);
  }

  private async storeOnce(): Promise<void> {
    const wanted: DialplanValues = { number: this.number(), app: this.app };
    try {
      this.judge(wanted, await this.dialplan.write(wanted));
    } catch (error) {
      this.failed(error instanceof Error ? error.message : String(error));
    }
  }

  private judge(wanted: DialplanValues, { found, now }: DialplanReport): void {
    if (!same(now, wanted)) {
      const held = `number ${JSON.stringify(now.number)}, app ${JSON.stringify(now.app)}`;
      this.failed(`Asterisk's database did not take them (is func_db loaded?): it holds ${held}`);
      return;
    }
    const drifted = differences(found, wanted);
    if (this.stored !== undefined && same(this.stored, wanted)) {
      if (drifted.length > 0) {
        const meta = { event: 'dialplan-settings-repaired', drifted, found, stored: wanted };
        this.log.warn("the server number or app name in Asterisk's database had drifted: repaired", meta);
      } else {
        this.log.debug("server number and app name in Asterisk's database checked", { event: 'dialplan-settings-checked' });
      }
    } else {
      const meta = { event: 'dialplan-settings-stored', ...wanted, previous: found };
      this.log.info("server number and app name stored in Asterisk's database", meta);
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
