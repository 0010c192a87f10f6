import { randomUUID } from 'node:crypto';
import { DIALPLAN_SETTINGS_CHANNEL_PREFIX, isDialplanSettingsChannel } from '../app/dialplanSettings';
import { DialplanReport, DialplanValues, DialplanValueStore } from '../app/ports';
import { Logger } from '../logger';
import { AriCalls } from './ariCalls';

/** The dialplan reports within milliseconds; no report by then means its context is missing. */
const REPORT_TIMEOUT_MS = 5_000;
/** The dialplan context that stores the values in AstDB (install/asterisk/extensions_conference.conf). */
const CONTEXT = 'conference-settings';

/**
 * The values in AstDB, written through the dialplan: ARI may not write DB() itself, so the
 * context conference-settings is called over a Local channel with the values; its other half
 * stores them and reports, through a StasisStart in the app, what AstDB held before and after.
 */
export class AriDialplanStore implements DialplanValueStore {
  private readonly reports = new Map<string, (report: DialplanReport) => void>();

  constructor(
    private readonly ari: AriCalls,
    private readonly log: Logger,
  ) {}

  async write(values: DialplanValues): Promise<DialplanReport> {
    const channelId = `${DIALPLAN_SETTINGS_CHANNEL_PREFIX}${randomUUID()}`;
    const dialplanChannel = `${channelId}-dialplan`;
    // Waited for before the request is sent: the report may come before its answer.
    const reported = new Promise<DialplanReport>((resolve) => this.reports.set(dialplanChannel, resolve));
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.ari.callDialplan({
        extension: 'store',
        context: CONTEXT,
        app: values.app,
        channelId,
        otherChannelId: dialplanChannel,
        // No call detail record for either half: a store is no call.
        variables: { CONF_STORE_NUMBER: values.number, CONF_STORE_APP: values.app, 'CDR_PROP(disable)': '1' },
        timeoutSeconds: REPORT_TIMEOUT_MS / 1000,
      });
      const missing =
        `no report from the dialplan context ${CONTEXT} within ${REPORT_TIMEOUT_MS / 1000} s: ` +
        "is it in Asterisk's dialplan (install/asterisk/extensions_conference.conf)?";
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(missing)), REPORT_TIMEOUT_MS);
      });
      return await Promise.race([reported, late]);
    } finally {
      clearTimeout(timer);
      this.reports.delete(dialplanChannel);
    }
  }

  claim(channelId: string, args: readonly string[]): boolean {
    if (!isDialplanSettingsChannel(channelId)) return false;
    const [, foundNumber = '', foundApp = '', number = '', app = ''] = args;
    this.reports.get(channelId)?.({ found: { number: foundNumber, app: foundApp }, now: { number, app } });
    // Left up, it would end anyway: its other half stops waiting for an answer after REPORT_TIMEOUT_MS.
    this.ari.hangup(channelId).catch((error: unknown) => {
      this.log.warn("could not hang up a store's channel", { event: 'ari-error', call: channelId, error: String(error) });
    });
    return true;
  }
}
