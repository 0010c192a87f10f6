/**
 * The bench's callers: placed as Local channels and steered over ARI by the harness's driver,
 * and what Asterisk reports of each (prompts, keys, joins) gathered as a track per caller.
 */
import { AriEvent } from '../src/ari/eventStream';
import { Caller } from '../harness/caller';
import { TestDriver } from '../harness/testDriver';
import { asteriskScript } from '../harness/testEnv';
import { waitUntil } from '../harness/waitUntil';
import { Mode } from './stormSummary';

/** What Asterisk reported of one caller, on Asterisk's clock. */
export interface Track {
  roomPromptAt?: number;
  pinPromptAt?: number;
  digitsAfterPinPrompt: number;
  /** Every key Asterisk reported for the caller: a caller short of a step shows what got through. */
  keys: string;
  /** When the driver sent the final '#' (a join before it is no join of this storm). */
  hashSentAt?: number;
  /** Asterisk's stamp of the final '#' (ChannelDtmfReceived, at the key's release). */
  hashAt?: number;
  enteredAt?: number;
}

/** Where each side's callers go: the app's 88 (both builds of it), or a context of the bench's own. */
const CONTEXT: Record<Mode, string> = {
  app: 'from-internal',
  'app-baseline': 'from-internal',
  native: 'bench-native',
  'native-quiet': 'bench-native-quiet',
  sketch: 'bench-sketch',
};

/** A side in the dialplan: its prompts are Read() steps, not ARI playbacks. */
export const inDialplan = (mode: Mode): boolean => mode === 'native' || mode === 'native-quiet';

/** Asterisk writes +0000; Date.parse wants +00:00. */
export const at = (event: AriEvent): number => Date.parse(String(event.timestamp).replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
const channelOf = (event: AriEvent): string | undefined =>
  (event.channel as { id?: string } | undefined)?.id ??
  (event.playback as { target_uri?: string } | undefined)?.target_uri?.replace(/^channel:/, '');

/** Where a storm is, on stderr: a storm that stalls says at which step. */
export function progress(step: string): void {
  process.stderr.write(`  ${new Date().toISOString().slice(11, 23)} ${step}\n`);
}

/** The driver's connection to Asterisk for the whole bench, and the callers of the storm under way. */
export class StormDriver {
  private readonly tracks = new Map<string, Track>();
  private readonly onEvent = (event: AriEvent): void => this.record(event);
  private mode: Mode = 'app';

  private constructor(private readonly driver: TestDriver) {}

  static async connect(): Promise<StormDriver> {
    // The driver's connections and the app's (ari.maxConnections, 32) stay within Asterisk's default
    // sessionlimit of 100, which this instance keeps: a refused request would be counted.
    const driver = await TestDriver.connect(32);
    // What the storm reads, and StasisStart for a caller's answer: not every event of every channel.
    await driver.onlyEvents(['StasisStart', 'PlaybackStarted', 'ChannelDialplan', 'ChannelDtmfReceived', 'ChannelEnteredBridge']);
    return new StormDriver(driver);
  }

  /** Places a storm's calls to a side, each caller with a number of its own; tracks them from their first event on. */
  async place(mode: Mode, callers: number): Promise<Caller[]> {
    this.mode = mode;
    this.driver.bus.on('event', this.onEvent);
    return Promise.all(
      Array.from({ length: callers }, async (_, index) => {
        // A phone's codec: left to itself, a Local channel picks slin192 and Asterisk resamples
        // every prompt frame 24-fold, which no real call costs.
        // A number of its own, as in a real storm: the app's PIN guard counts per caller number.
        // No audio from the callers, as in the reference figures (docs/DECISIONS.md, "Test callers send audio, as phones do").
        const caller = await this.driver.call('88', {
          formats: 'ulaw',
          context: CONTEXT[mode],
          callerId: String(1000 + index),
          sendsAudio: false,
        });
        this.track(caller);
        return caller;
      }),
    );
  }

  // A track starts with a channel's first event: under load the app's first prompt can come before
  // the driver has read Asterisk's answer to its originate.
  track(caller: Caller): Track {
    return this.trackOf(caller.appChannel);
  }

  private trackOf(id: string): Track {
    let track = this.tracks.get(id);
    if (!track) this.tracks.set(id, (track = { digitsAfterPinPrompt: 0, keys: '' }));
    return track;
  }

  private record(event: AriEvent): void {
    const id = channelOf(event);
    if (id === undefined) return;
    const track = this.trackOf(id);
    const dialplan = inDialplan(this.mode);
    if (!dialplan && event.type === 'PlaybackStarted') {
      const media = (event.playback as { media_uri: string }).media_uri;
      if (media === 'sound:conf-getconfno') track.roomPromptAt ??= at(event);
      if (media === 'sound:conf-getpin') track.pinPromptAt ??= at(event);
    } else if (dialplan && event.type === 'ChannelDialplan' && event.dialplan_app === 'Read') {
      if (String(event.dialplan_app_data).startsWith('ROOM')) track.roomPromptAt ??= at(event);
      if (String(event.dialplan_app_data).startsWith('PIN')) track.pinPromptAt ??= at(event);
    } else if (event.type === 'ChannelDtmfReceived') {
      track.keys += String(event.digit);
      if (track.pinPromptAt === undefined) return;
      if (event.digit !== '#') track.digitsAfterPinPrompt++;
      else if (track.hashSentAt !== undefined) track.hashAt ??= at(event);
    } else if (event.type === 'ChannelEnteredBridge' && track.hashSentAt !== undefined && at(event) >= track.hashSentAt) {
      // Only a join after the final '#' counts: one before it (a native Read timing out) is a failure.
      track.enteredAt ??= at(event);
    }
  }

  /** Every caller keys the final '#' at once: the storm. */
  async keyHashAtOnce(callers: readonly Caller[]): Promise<void> {
    await Promise.all(
      callers.map((c) => {
        this.track(c).hashSentAt = Date.now();
        return c.dtmf('#', 0, 80);
      }),
    );
  }

  /** Hangs every call up and waits until Asterisk has none left, so that the next storm starts on an idle Asterisk. */
  async endStorm(): Promise<void> {
    this.driver.bus.off('event', this.onEvent);
    // A failure here must not hide the storm's own.
    await this.driver.hangupAll().catch((error: unknown) => progress(`hanging up: ${String(error)}`));
    await waitUntil(this.noChannelLeft(), inDialplan(this.mode) ? 60000 : 15000, 'every call to end').catch(() =>
      this.leaveStuckChannels(),
    );
    this.driver.events.length = 0;
    this.tracks.clear();
  }

  /**
   * Every channel gone. ConfBridge plays each join and leave sound of a room in turn, to the end,
   * on an announcer channel (not shown over ARI), and the room's last caller stays until they have
   * all played: 100 callers in one room leave over a minute of sounds (0.37 s each) behind them.
   * After a few seconds, what is left is hung up.
   */
  private noChannelLeft(): () => Promise<boolean> {
    const since = Date.now();
    let hungUp = false;
    return async () => {
      const left = await this.channelsNotStuck();
      if (left.length > 0 && inDialplan(this.mode) && !hungUp && Date.now() - since > 3000) {
        hungUp = true;
        asteriskScript(['cli', 'channel request hangup all']);
      }
      return left.length === 0;
    };
  }

  /**
   * Channels Asterisk 22.10.1 holds on to after their call has ended: a play that reached a
   * bridged channel as it hung up keeps it in Stasis for 10 minutes, deaf to any hangup
   * (docs/DECISIONS.md, "A play as the call hangs up"). Named once, then no longer waited for.
   */
  private readonly stuckChannels = new Set<string>();

  /** The channels Asterisk has, but those already named as stuck. */
  private async channelsNotStuck(): Promise<AsteriskChannel[]> {
    return (await this.driver.rest.get<AsteriskChannel[]>('/channels')).filter((c) => !this.stuckChannels.has(c.id));
  }

  private async leaveStuckChannels(): Promise<void> {
    const left = await this.channelsNotStuck();
    if (left.length === 0) return;
    for (const channel of left) this.stuckChannels.add(channel.id);
    const named = left.map((c) => `${c.name} ${c.state}`).join(', ');
    progress(`${left.length} channel(s) still up after every call ended, left behind (Asterisk frees them within 10 minutes): ${named}`);
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}

interface AsteriskChannel {
  readonly id: string;
  readonly name: string;
  readonly state: string;
}
