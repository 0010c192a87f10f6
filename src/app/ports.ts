/**
 * What the app needs from Asterisk, as the app names it. The ARI edge (src/ari) implements these;
 * the app never sees a REST path or an HTTP status. A channel that is gone (hung up, out of
 * Stasis) is the normal race of telephony: those calls resolve false instead of throwing.
 */

/** 'added', or which side was gone: the caller (hung up) or the bridge (deleted). */
export type AddOutcome = 'added' | 'caller-gone' | 'bridge-gone';

/** A room's mixing bridge, as the registry and room media use it. */
export interface BridgeOps {
  /** Makes the room's bridge; resolves with its id: the room's usual one, or another when Asterisk still holds that. */
  create(room: string): Promise<string>;
  destroy(bridgeId: string): Promise<void>;
  /** 'caller-gone' when the caller hung up before it could be added; 'bridge-gone' when the bridge was deleted. */
  addChannel(bridgeId: string, channelId: string): Promise<AddOutcome>;
  startMoh(bridgeId: string): Promise<void>;
  stopMoh(bridgeId: string): Promise<void>;
  /** A tone for everyone in the bridge; resolves once Asterisk has answered (a failure is reported, never thrown). */
  playToBridge(bridgeId: string, media: string): Promise<void>;
  /** An announcement for everyone in the bridge, followed to its end (a failure is reported, never thrown). */
  announce(bridgeId: string, media: readonly string[]): BridgePlayback;
}

/** A playback to a bridge: `answered` once Asterisk has answered its request, `finished` once it has played out or failed. */
export interface BridgePlayback {
  readonly answered: Promise<void>;
  readonly finished: Promise<void>;
}

/** What the app does to a call's channel outside its caller flow (that one has its CallIO). */
export interface ChannelControl {
  hangup(channelId: string): Promise<boolean>;
  /** Ends a call the app lets go of for good: hung up, and let out of Stasis as well. */
  release(channelId: string): Promise<boolean>;
  /** Mutes or unmutes what the caller says into the room. */
  muteChannel(channelId: string, muted: boolean): Promise<boolean>;
}

/** What the app reads of Asterisk's own info: /health shows its version. */
export interface AsteriskInfo {
  readonly system?: { readonly version?: string };
}

export interface AsteriskStatus {
  /** Rejects when Asterisk does not answer. */
  asteriskInfo(): Promise<AsteriskInfo>;
}

/** A prompt playing to one channel: wait for its end, or stop it (barge-in). */
export interface Prompt {
  readonly id: string;
  /** Settles when the prompt ends: played out, stopped, failed, or the channel is gone. */
  readonly finished: Promise<void>;
  /**
   * Barge-in during an entry: the caller hears no more of it, while Asterisk goes on reading the
   * caller's keys as a prompt does, one report per key (docs/DECISIONS.md, "Keys are read under a
   * prompt"), until stop().
   */
  pause(): void;
  /**
   * Settles once a request sent after it reaches Asterisk no earlier than the stop: at once when
   * Asterisk holds the playback, else once it has answered the stop (or the prompt had ended).
   */
  stop(): Promise<void>;
}

/** The playbacks tracker: prompts to channels, each followed to its end. */
export interface PromptPlayer {
  /** Plays the media list in order, in the given sounds language. */
  play(channelId: string, media: readonly string[], lang: string): Prompt;
  /** The channel has left Stasis: its prompts end now, as none will report back. */
  forgetChannel(channelId: string): void;
  /** Prompts under way. */
  readonly size: number;
}

/** A room's recordings, as Asterisk makes and keeps them (names as recordingName makes them). */
export interface RecordingControl {
  /** Starts recording the bridge's mix under `name`, for at most maxSeconds; false when the bridge is gone. */
  recordBridge(bridgeId: string, name: string, format: string, maxSeconds: number): Promise<boolean>;
  /** Stops a live recording; false when none is live under that name (it has ended). */
  stopRecording(name: string): Promise<boolean>;
  isLive(name: string): Promise<boolean>;
  /** The names of the recordings Asterisk keeps: ended ones, and those being written. */
  storedRecordings(): Promise<string[]>;
  /** Writes a stored recording to a file; resolves with its bytes. */
  saveStored(name: string, to: string): Promise<number>;
  deleteStored(name: string): Promise<boolean>;
}

/** A caller's recorded names as Asterisk keeps them (spokenName.ts names them). */
export type NameFiles = Pick<RecordingControl, 'storedRecordings' | 'deleteStored'>;

/** What the dialplan reads from Asterisk's database to route a call: the server number and the Stasis app. */
export interface DialplanValues {
  readonly number: string;
  readonly app: string;
}

/** What Asterisk's database held before a write, and what it holds after. */
export interface DialplanReport {
  readonly found: DialplanValues;
  readonly now: DialplanValues;
}

/** Where the dialplan reads its values: the dialplan variable store. */
export interface DialplanValueStore {
  /** Writes the values; rejects with a cause an admin can act on when the dialplan does not report. */
  write(values: DialplanValues): Promise<DialplanReport>;
  /** A StasisStart: one of the store's own channels is taken (true); a caller's is not (false). */
  claim(channelId: string, args: readonly string[]): boolean;
}
