import { CallerKind, Key } from '../domain/types';

/** Keys keyed while nothing collects (type-ahead); beyond this they are dropped. */
const TYPEAHEAD_LIMIT = 32;

export interface CallInfo {
  readonly channelId: string;
  readonly callerKind: CallerKind;
  /** Caller id number as Asterisk reports it; untrusted for external calls. */
  readonly callerId: string;
  /** Digits dialled after the server number ('' for the number alone). */
  readonly suffix: string;
  /** Answered before it reached the app (the dialplan's Answer()): the app need not answer it. */
  readonly answered: boolean;
  /** How the call reached this app (a cluster's nodes pass callers on to each other). */
  readonly via: CallVia;
}

/**
 * 'dialled': here, by the caller. 'link': passed on by the node the caller landed on
 * (extensions_conference.conf, conference-link), with the call's id there (`landed`; '' if not
 * given); never passed on again. 'invited': a call out of a room (dial-out), answered; the app
 * knows it by its channel id, which no caller chooses.
 */
export type CallVia = { readonly kind: 'dialled' } | { readonly kind: 'link'; readonly landed: string } | { readonly kind: 'invited' };

/**
 * One call, from StasisStart to StasisEnd. Registered synchronously when the call arrives;
 * its AbortSignal ends every wait of the call (prompt, timer, queue) when the caller hangs up.
 */
export class CallSession {
  private readonly controller = new AbortController();
  private keyListener: ((key: Key) => void) | undefined;
  private readonly typeahead: Key[] = [];
  /** The room this call holds (keying its PIN, waiting, or in it), for the clean-up at the end. */
  room: string | undefined;
  /** Set once in the bridge: keys then go to the in-conference handler. */
  inConference = false;
  /**
   * Asterisk said the call is hanging up (ChannelHangupRequest); its StasisEnd is on the way.
   * Nothing more is played to it: Asterisk 22.10.1 can hold a bridged channel in Stasis for 10
   * minutes when a play reaches it as it hangs up (docs/DECISIONS.md, "A play as the call hangs up").
   */
  hangupRequested = false;

  constructor(readonly info: CallInfo) {}

  get id(): string {
    return this.info.channelId;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get ended(): boolean {
    return this.controller.signal.aborted;
  }

  end(reason: string): void {
    this.keyListener = undefined;
    this.typeahead.length = 0;
    this.controller.abort(new CallEnded(reason));
  }

  /** A key from the caller: to whoever listens now, or kept for the next prompt. */
  key(key: Key): void {
    if (this.ended) return;
    if (this.keyListener) this.keyListener(key);
    else if (this.typeahead.length < TYPEAHEAD_LIMIT) this.typeahead.push(key);
  }

  /**
   * Takes the caller's keys from now on; returns the function that stops listening, which gives
   * the keys back to the listener before (an entry during the conference hands them back to it).
   */
  listen(listener: (key: Key) => void): () => void {
    const before = this.keyListener;
    this.keyListener = listener;
    return () => {
      if (this.keyListener === listener) this.keyListener = before;
    };
  }

  /** Hands keys keyed ahead to the listener, one at a time: one that completes an entry leaves the rest. */
  replayTypeahead(): void {
    while (this.keyListener && this.typeahead.length > 0) this.keyListener(this.typeahead.shift() as Key);
  }
}

/** The reason a call's signal is aborted: the call is over (hangup, or we ended it). */
export class CallEnded extends Error {
  constructor(reason: string) {
    super(`call ended: ${reason}`);
    this.name = 'CallEnded';
  }
}

/** What a wait of an ended call rejects with: the CallEnded its session was ended with. */
export function endedBy(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CallEnded(String(signal.reason));
}
