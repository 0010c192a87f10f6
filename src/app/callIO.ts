import { EntryMode, InvalidReason } from '../domain/digitCollector';
import { Role } from '../domain/permanentRooms';
import { LegEnd } from './linkLegs';

export type EntryOutcome = { type: 'complete'; value: string } | { type: 'invalid'; reason: InvalidReason };

/** Quiet for silenceMs ends a talk; talk is audio louder than threshold (Asterisk's dsp_talking_threshold). */
export interface TalkThresholds {
  readonly silenceMs: number;
  readonly threshold: number;
}

/** How long a caller has for the first key of an entry, and between keys. */
export interface EntryTimeouts {
  readonly firstDigitMs: number;
  readonly interDigitMs: number;
}

/** What the caller flow does to its call; every method rejects with CallEnded once the caller hangs up. */
export interface CallIO {
  answer(): Promise<void>;
  /** Plays the media list to the end (or until the call ends). */
  play(media: readonly string[]): Promise<void>;
  /** Plays a prompt and collects an entry; the first key that counts stops the prompt (barge-in). */
  prompt(media: readonly string[], mode: EntryMode): Promise<EntryOutcome>;
  hold(on: boolean): Promise<void>;
  /** Writes the caller's role on the call, where a restarted app reads it back. */
  markRole(role: Role): Promise<void>;
  /** Asterisk reports when the caller starts and stops talking (TALK_DETECT), with these thresholds. */
  detectTalking(thresholds: TalkThresholds): Promise<void>;
  /**
   * Records the caller's name under `name` (after a beep, up to maxSeconds, '#' ends it): true
   * once recorded, false when Asterisk could not record it.
   */
  recordName(name: string, maxSeconds: number): Promise<boolean>;
  /** Mutes or unmutes what the caller says into a room (before they join one, too). */
  mute(on: boolean): Promise<void>;
  sleep(ms: number): Promise<void>;
  hangup(): Promise<void>;
  /**
   * Passes the call on to the room's home node (its Asterisk's SIP address, host:port): a leg to
   * it, bridged with the caller here, until one of them ends. 'ended': the home ended the call;
   * 'lost': it did not answer, or stopped. Rejects with CallEnded when the caller hangs up.
   */
  relay(room: string, homeAddress: string): Promise<LegEnd>;
}
