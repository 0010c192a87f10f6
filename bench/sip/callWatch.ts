/**
 * What Asterisk reports of the SIP callers of a run, on Asterisk's clock: when each call came
 * in, when its PIN's '#' arrived, when it entered and left a bridge; and, sampled during the
 * hold, the RTP statistics Asterisk keeps of each caller's audio (from its RTCP reports).
 */
import { AriEvent } from '../../src/ari/eventStream';
import { TestDriver } from '../../harness/testDriver';
import { at } from '../stormDriver';

/** Channels of the demo trunk, the endpoint the bench's callers come in on. */
const CALLER_CHANNEL = /^PJSIP\/trunk-/;

export interface SipCall {
  readonly id: string;
  readonly createdAt: number;
  /** The number the call came in for (its request URI's user). */
  readonly dialled: string;
  /** Every key Asterisk reported: a caller who did not get in shows what got through. */
  keys: string;
  /** Asterisk's stamp of the PIN's final '#' (ChannelDtmfReceived, at the key's end). */
  hashAt?: number;
  /** The first bridge the caller entered: its room (neither side puts a caller in any other). */
  enteredAt?: number;
  leftAt?: number;
  endedAt?: number;
}

/** Asterisk's statistics of one caller's audio as it receives it, at one moment. */
export interface RtpSample {
  /** Packets received and lost, as of Asterisk's last RTCP report (every 5 s). */
  readonly received: number;
  readonly lost: number;
  /** RFC 3550 interarrival jitter, in seconds, measured on each packet as Asterisk reads it. */
  readonly jitterS: number;
}

/**
 * GET /channels/{id}/rtp_statistics, as res_rtp_asterisk.c fills it: rxcount and rxploss are
 * Asterisk's own count of the caller's stream, but its own jitter of that stream is `txjitter`
 * (rxjitter is what the caller reported back over RTCP, which SIPp does not send).
 */
interface AriRtpStatistics {
  readonly rxcount: number;
  readonly rxploss: number;
  readonly txjitter: number;
}

export class CallWatch {
  private readonly calls = new Map<string, SipCall>();
  private readonly onEvent = (event: AriEvent): void => this.record(event);

  /** `channels`: the names of the channels to watch (the demo trunk's when not given). */
  constructor(
    private readonly driver: TestDriver,
    private readonly channels: RegExp = CALLER_CHANNEL,
  ) {
    driver.bus.on('event', this.onEvent);
  }

  /** The events the watch reads: Asterisk sends the driver nothing else (every event of every channel costs it). */
  static readonly EVENTS = ['ChannelCreated', 'ChannelDtmfReceived', 'ChannelEnteredBridge', 'ChannelLeftBridge', 'ChannelDestroyed'];

  private record(event: AriEvent): void {
    const channel = event.channel as { id: string; name: string; dialplan?: { exten?: string } } | undefined;
    if (!channel || !this.channels.test(channel.name)) return;
    if (event.type === 'ChannelCreated') {
      this.calls.set(channel.id, { id: channel.id, createdAt: at(event), dialled: channel.dialplan?.exten ?? '', keys: '' });
      return;
    }
    const call = this.calls.get(channel.id);
    if (!call) return;
    if (event.type === 'ChannelDtmfReceived') {
      call.keys += String(event.digit);
      if (event.digit === '#') call.hashAt ??= at(event);
    } else if (event.type === 'ChannelEnteredBridge') call.enteredAt ??= at(event);
    else if (event.type === 'ChannelLeftBridge' && call.enteredAt !== undefined) call.leftAt ??= at(event);
    else if (event.type === 'ChannelDestroyed') call.endedAt = at(event);
  }

  all(): SipCall[] {
    return [...this.calls.values()];
  }

  /** Calls in, calls in a room, calls ended: the run's progress. */
  counts(): { arrived: number; joined: number; ended: number } {
    const all = this.all();
    return {
      arrived: all.length,
      joined: all.filter((c) => c.enteredAt !== undefined).length,
      ended: all.filter((c) => c.endedAt !== undefined).length,
    };
  }

  /** The RTP statistics of every caller now in a room; a call that ends meanwhile is left out. */
  async sampleRtp(): Promise<Map<string, RtpSample>> {
    const inRoom = this.all().filter((c) => c.enteredAt !== undefined && c.leftAt === undefined && c.endedAt === undefined);
    const samples = new Map<string, RtpSample>();
    await Promise.all(
      inRoom.map(async (call) => {
        const stats = await this.driver.rest.get<AriRtpStatistics>(`/channels/${call.id}/rtp_statistics`).catch(() => undefined);
        if (stats) samples.set(call.id, { received: stats.rxcount, lost: stats.rxploss, jitterS: stats.txjitter });
      }),
    );
    return samples;
  }

  stop(): void {
    this.driver.bus.off('event', this.onEvent);
  }
}
