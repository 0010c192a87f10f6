import { AddOutcome, AsteriskInfo, AsteriskStatus, ChannelControl } from '../app/ports';
import { addChannelFailure, enc, gone, isAlreadyThere, isGone } from './errors';
import { RestClient } from './restClient';
import { Role } from '../domain/permanentRooms';
import { TalkThresholds } from '../app/callIO';

/** The channel variable that holds a caller's role in their room, for a restarted app. */
const ROLE_VARIABLE = 'CONFERENCE_ROLE';

/**
 * 'exists': a bridge under that id is there already (ours from before). 'id-held': Asterisk
 * refuses the id, yet has no bridge under it: a channel stuck in Stasis still holds the
 * destroyed bridge, for up to 10 minutes (docs/DECISIONS.md, "A bridge id Asterisk still holds").
 */
export type BridgeCreation = 'created' | 'exists' | 'id-held';

export interface DialplanCall {
  readonly extension: string;
  readonly context: string;
  readonly app: string;
  readonly channelId: string;
  readonly otherChannelId: string;
  readonly variables: Record<string, string>;
  readonly timeoutSeconds: number;
}

export interface OutboundCall {
  readonly endpoint: string;
  readonly app: string;
  readonly appArgs: string;
  readonly channelId: string;
  readonly callerId: string;
  readonly timeoutSeconds: number;
  /** The channel the call is made for: the new channel asks for its formats. */
  readonly originator?: string;
}

/**
 * The ARI operations the app uses, named for what they do. A channel, bridge or playback
 * that is gone is an expected race: those calls resolve `false` instead of throwing.
 */
export class AriCalls implements ChannelControl, AsteriskStatus {
  constructor(private readonly rest: RestClient) {}

  answer(channelId: string): Promise<boolean> {
    return gone(this.rest.post(`/channels/${enc(channelId)}/answer`));
  }

  hangup(channelId: string): Promise<boolean> {
    return gone(this.rest.delete(`/channels/${enc(channelId)}`, { reason: 'normal' }));
  }

  /** Calls out under our channel id into the app: its StasisStart, with `appArgs`, is the answer. */
  async callOut(call: OutboundCall): Promise<void> {
    const { endpoint, app, appArgs, channelId, callerId, timeoutSeconds, originator } = call;
    await this.rest.post('/channels', { endpoint, app, appArgs, channelId, callerId, timeout: timeoutSeconds, originator });
  }

  /** A two-party bridge that passes keys through and reports none (Asterisk may bridge it at the RTP level). */
  async createRelayBridge(bridgeId: string): Promise<void> {
    await this.rest.post(`/bridges/${enc(bridgeId)}`, { type: 'mixing', name: bridgeId });
  }

  /** Lets the channel out of Stasis into the dialplan, whose next step after Stasis() is Hangup(). */
  private leaveStasis(channelId: string): Promise<boolean> {
    return gone(this.rest.post(`/channels/${enc(channelId)}/continue`));
  }

  /**
   * Ends a call the app lets go of for good: hung up, and let out of Stasis as well. Asterisk
   * 22.10.1 can lose a hangup and leave the channel waiting in Stasis, where a hangup request
   * alone does not release it; leaving Stasis is asked as well, though not every such channel goes.
   * False when the channel was gone already.
   */
  async release(channelId: string): Promise<boolean> {
    const [hungUp, leftStasis] = await Promise.all([this.hangup(channelId), this.leaveStasis(channelId)]);
    return hungUp || leftStasis;
  }

  /** Plays the media list in order as one playback whose id we chose, in the given sounds language. */
  playOnChannel(channelId: string, playbackId: string, media: readonly string[], lang: string): Promise<boolean> {
    return gone(this.rest.post(`/channels/${enc(channelId)}/play/${enc(playbackId)}`, { media: media.join(','), lang }));
  }

  playOnBridge(bridgeId: string, playbackId: string, media: readonly string[]): Promise<boolean> {
    return gone(this.rest.post(`/bridges/${enc(bridgeId)}/play/${enc(playbackId)}`, { media: media.join(',') }));
  }

  pausePlayback(playbackId: string): Promise<boolean> {
    return gone(this.rest.post(`/playbacks/${enc(playbackId)}/control`, { operation: 'pause' }));
  }

  stopPlayback(playbackId: string): Promise<boolean> {
    return gone(this.rest.delete(`/playbacks/${enc(playbackId)}`));
  }

  startChannelMoh(channelId: string, mohClass: string): Promise<boolean> {
    return gone(this.rest.post(`/channels/${enc(channelId)}/moh`, { mohClass }));
  }

  stopChannelMoh(channelId: string): Promise<boolean> {
    return gone(this.rest.delete(`/channels/${enc(channelId)}/moh`));
  }

  /**
   * Records what the caller says, after a beep, for at most maxSeconds or until they key '#';
   * Asterisk reports its end as RecordingFinished. False when the channel is gone.
   */
  recordChannel(channelId: string, name: string, maxSeconds: number): Promise<boolean> {
    return gone(
      this.rest.post(`/channels/${enc(channelId)}/record`, {
        name,
        format: 'wav',
        maxDurationSeconds: maxSeconds,
        beep: true,
        terminateOn: '#',
        ifExists: 'overwrite',
      }),
    );
  }

  muteChannel(channelId: string, muted: boolean): Promise<boolean> {
    const path = `/channels/${enc(channelId)}/mute`;
    return gone(muted ? this.rest.post(path, { direction: 'in' }) : this.rest.delete(path, { direction: 'in' }));
  }

  /** Creates the bridge under our id; one that already exists under that id is ours already. */
  async createBridge(bridgeId: string, name: string): Promise<BridgeCreation> {
    try {
      await this.rest.post(`/bridges/${enc(bridgeId)}`, { type: 'mixing,dtmf_events', name });
      return 'created';
    } catch (error) {
      if (!isAlreadyThere(error)) throw error;
    }
    return (await this.channelsInBridge(bridgeId)) !== undefined ? 'exists' : 'id-held';
  }

  destroyBridge(bridgeId: string): Promise<boolean> {
    return gone(this.rest.delete(`/bridges/${enc(bridgeId)}`));
  }

  /** 'added', or which side was gone: the caller (hung up) or the bridge (deleted). */
  async addToBridge(bridgeId: string, channelId: string): Promise<AddOutcome> {
    try {
      await this.addAllToBridge(bridgeId, [channelId]);
      return 'added';
    } catch (error) {
      const failure = addChannelFailure(error);
      if (failure === undefined) throw error;
      return failure;
    }
  }

  /** Several channels with one request; rejects with Asterisk's answer when it failed. */
  async addAllToBridge(bridgeId: string, channelIds: readonly string[]): Promise<void> {
    await this.rest.post(`/bridges/${enc(bridgeId)}/addChannel`, { channel: channelIds.join(',') });
  }

  /** The channels in a bridge, or undefined when it is gone. */
  async channelsInBridge(bridgeId: string): Promise<readonly string[] | undefined> {
    try {
      return (await this.rest.get<{ channels?: string[] }>(`/bridges/${enc(bridgeId)}`)).channels ?? [];
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
  }

  startBridgeMoh(bridgeId: string, mohClass: string): Promise<boolean> {
    return gone(this.rest.post(`/bridges/${enc(bridgeId)}/moh`, { mohClass }));
  }

  stopBridgeMoh(bridgeId: string): Promise<boolean> {
    return gone(this.rest.delete(`/bridges/${enc(bridgeId)}/moh`));
  }

  /** Lets only these event types through to the app's WebSocket. */
  filterEvents(app: string, types: readonly string[]): Promise<unknown> {
    return this.rest.request('PUT', `/applications/${enc(app)}/eventFilter`, undefined, { allowed: types.map((type) => ({ type })) });
  }

  /**
   * Runs a dialplan extension on a Local channel: the other half (otherChannelId) runs it with
   * these channel variables, while ours (channelId) waits up to timeoutSeconds for an answer.
   */
  callDialplan(call: DialplanCall): Promise<unknown> {
    const { extension, context, app, channelId, otherChannelId, variables, timeoutSeconds } = call;
    const query = { endpoint: `Local/${extension}@${context}`, app, channelId, otherChannelId, timeout: timeoutSeconds };
    return this.rest.post('/channels', query, { variables });
  }

  listBridges(): Promise<Array<{ id: string; name: string; channels: string[] }>> {
    return this.rest.get('/bridges');
  }

  asteriskInfo(): Promise<AsteriskInfo> {
    return this.rest.get('/asterisk/info');
  }

  /** The channels in the app (in Stasis under its name) now. */
  async applicationChannels(app: string): Promise<readonly string[]> {
    return (await this.rest.get<{ channel_ids: string[] }>(`/applications/${enc(app)}`)).channel_ids;
  }

  /** Writes the caller's role on the channel, where a restarted app reads it back (roleOf). */
  async setRole(channelId: string, role: Role): Promise<boolean> {
    return gone(this.rest.post(`/channels/${enc(channelId)}/variable`, { variable: ROLE_VARIABLE, value: role }));
  }

  /** Turns on Asterisk's talk detection on the channel: ChannelTalkingStarted and ChannelTalkingFinished events. */
  async detectTalking(channelId: string, { silenceMs, threshold }: TalkThresholds): Promise<boolean> {
    return gone(
      this.rest.post(`/channels/${enc(channelId)}/variable`, { variable: 'TALK_DETECT(set)', value: `${silenceMs},${threshold}` }),
    );
  }

  /** The role written on the channel: a participant's when none is, or the channel is gone. */
  async roleOf(channelId: string): Promise<Role> {
    try {
      const { value } = await this.rest.get<{ value?: string }>(`/channels/${enc(channelId)}/variable`, { variable: ROLE_VARIABLE });
      return value === 'leader' ? 'leader' : 'participant';
    } catch (error) {
      // Asterisk answers 404 for a variable never set, as for a channel gone.
      if (isGone(error)) return 'participant';
      throw error;
    }
  }

  /** The channel's caller id number: '' when it has none, or when the channel is gone. */
  async callerNumber(channelId: string): Promise<string> {
    try {
      return (await this.rest.get<{ caller?: { number?: string } }>(`/channels/${enc(channelId)}`)).caller?.number ?? '';
    } catch (error) {
      if (isGone(error)) return '';
      throw error;
    }
  }
}
