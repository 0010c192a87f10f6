import { CollectorInput, CollectorState, collect, EntryMode, startEntry, TimerKind } from '../domain/digitCollector';
import { CallIO, EntryOutcome, EntryTimeouts, TalkThresholds } from '../app/callIO';
import { CallSession, endedBy } from '../app/callSession';
import { AriCalls } from './ariCalls';
import { Prompt } from '../app/ports';
import { Playbacks } from './playbacks';
import { LegEnd, legIdFor, LINK_LEG_ARG, LinkLegs } from '../app/linkLegs';
import { Role } from '../domain/permanentRooms';
import { NameRecordings } from './nameRecordings';

/** How long a home node has to answer a leg. */
const LEG_ANSWER_SECONDS = 10;

/** CallIO over ARI for one session. */
export class AriCallIO implements CallIO {
  constructor(
    private readonly session: CallSession,
    private readonly ari: AriCalls,
    private readonly playbacks: Playbacks,
    private readonly timeouts: EntryTimeouts,
    private readonly sounds: { readonly musicOnHoldClass: string; readonly language: string },
    private readonly links: LinkLegs,
    private readonly names: NameRecordings,
    /** The Stasis app the legs come back to. */
    private readonly app: string,
  ) {}

  /** Legs opened so far: each gets an id of its own. */
  private legs = 0;

  /** One request fewer for a call the dialplan answered (extensions_conference.conf). */
  async answer(): Promise<void> {
    if (!this.session.info.answered) await this.ari.answer(this.session.id);
    this.throwIfEnded();
  }

  async play(media: readonly string[]): Promise<void> {
    const prompt = this.startPlayback(media);
    if (prompt) await untilEnded(this.session.signal, prompt.finished, () => void prompt.stop());
    else this.throwIfEnded();
  }

  prompt(media: readonly string[], mode: EntryMode): Promise<EntryOutcome> {
    const signal = this.session.signal;
    if (signal.aborted) return Promise.reject(endedBy(signal));
    return new Promise<EntryOutcome>((resolve, reject) => {
      let state: CollectorState = startEntry(mode);
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      let stopListening = (): void => undefined;
      const prompt = this.startPlayback(media);

      // The entry's outcome once the prompt's stop is on its way ahead of what comes next: the
      // join's addChannel would wait in Asterisk behind a prompt still playing (src/ari/playbacks.ts).
      const settle = (finish: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stopListening();
        signal.removeEventListener('abort', onAbort);
        if (prompt) void prompt.stop().then(finish);
        else finish();
      };
      const arm = (kind: TimerKind): void => {
        clearTimeout(timer);
        timer = setTimeout(() => feed({ type: 'timeout' }), kind === 'first' ? this.timeouts.firstDigitMs : this.timeouts.interDigitMs);
      };
      const feed = (input: CollectorInput): void => {
        if (settled) return;
        const step = collect(mode, state, input);
        if (step.type === 'unchanged') {
          state = step.state;
        } else if (step.type === 'continue') {
          state = step.state;
          // Paused, not stopped, until the entry ends: Asterisk reads keys under a prompt as Read() does.
          if (input.type === 'key') prompt?.pause();
          arm(step.timer);
        } else {
          const outcome: EntryOutcome =
            step.type === 'complete' ? { type: 'complete', value: step.value } : { type: 'invalid', reason: step.reason };
          settle(() => resolve(outcome));
        }
      };
      const onAbort = (): void => settle(() => reject(endedBy(signal)));
      signal.addEventListener('abort', onAbort, { once: true });

      stopListening = this.session.listen((key) => feed({ type: 'key', key }));
      this.session.replayTypeahead();
      if (prompt) void prompt.finished.then(() => feed({ type: 'prompt-finished' }));
      else feed({ type: 'prompt-finished' });
    });
  }

  async hold(on: boolean): Promise<void> {
    if (on) await this.ari.startChannelMoh(this.session.id, this.sounds.musicOnHoldClass);
    else await this.ari.stopChannelMoh(this.session.id);
    this.throwIfEnded();
  }

  async markRole(role: Role): Promise<void> {
    await this.ari.setRole(this.session.id, role);
    this.throwIfEnded();
  }

  async detectTalking(thresholds: TalkThresholds): Promise<void> {
    await this.ari.detectTalking(this.session.id, thresholds);
    this.throwIfEnded();
  }

  async recordName(name: string, maxSeconds: number): Promise<boolean> {
    // The '#' that ends the name is Asterisk's; no entry to come takes it as a key.
    const swallowKeys = this.session.listen(() => undefined);
    const ended = this.names.expect(name);
    try {
      const started = await this.ari.recordChannel(this.session.id, name, maxSeconds);
      this.throwIfEnded();
      return started && (await untilEndedWith(this.session.signal, ended));
    } finally {
      swallowKeys();
      this.names.forget(name);
    }
  }

  async mute(on: boolean): Promise<void> {
    await this.ari.muteChannel(this.session.id, on);
    this.throwIfEnded();
  }

  sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return untilEnded(this.session.signal, elapsed, () => clearTimeout(timer));
  }

  async hangup(): Promise<void> {
    await this.ari.hangup(this.session.id);
  }

  /**
   * A leg to the home (endpoint `cluster`, pjsip.conf) dialling the room, the caller's kind and
   * the call's id here (extensions_conference.conf, conference-link), with the caller's number,
   * bridged with the caller once answered. The leg asks for the caller's formats, so that it
   * carries the caller's codec and the bridge here can pass media at the RTP level. The caller's
   * keys pass through to the home; here they are nobody's while the leg lasts.
   */
  async relay(room: string, homeAddress: string): Promise<LegEnd> {
    const { id, info } = this.session;
    const legId = legIdFor(id, ++this.legs);
    const leg = this.links.open(legId);
    const swallowKeys = this.session.listen(() => undefined);
    // Until the leg has ended by itself, it is this call's to hang up (the caller gone, a request failed).
    let legEnded = false;
    try {
      await this.ari.callOut({
        endpoint: `PJSIP/cluster/sip:${room}*${info.callerKind}*${id}@${homeAddress}`,
        app: this.app,
        appArgs: LINK_LEG_ARG,
        channelId: legId,
        callerId: info.callerId,
        timeoutSeconds: LEG_ANSWER_SECONDS,
        originator: id,
      });
      if (!(await untilEndedWith(this.session.signal, leg.answered))) {
        legEnded = true;
        return 'lost';
      }
      const bridgeId = `relay-${legId}`;
      await this.ari.createRelayBridge(bridgeId);
      try {
        await this.ari.addAllToBridge(bridgeId, [id, legId]);
        const end = await untilEndedWith(this.session.signal, leg.ended);
        legEnded = true;
        return end;
      } finally {
        await this.ari.destroyBridge(bridgeId).catch(() => undefined);
      }
    } finally {
      swallowKeys();
      if (!legEnded) {
        this.links.forget(legId);
        await this.ari.hangup(legId).catch(() => undefined);
      }
    }
  }

  /** Nothing to play, or a call that is hanging up (its session ends with StasisEnd): no playback. */
  private startPlayback(media: readonly string[]): Prompt | undefined {
    if (media.length === 0 || this.session.hangupRequested) return undefined;
    return this.playbacks.play(this.session.id, media, this.sounds.language);
  }

  private throwIfEnded(): void {
    if (this.session.signal.aborted) throw endedBy(this.session.signal);
  }
}

/** Waits for `work`'s answer, or rejects with the call's end. */
function untilEndedWith<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(endedBy(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(endedBy(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}

/** Waits for `work`, or rejects with the call's end, running `cancel` so nothing is left behind. */
function untilEnded(signal: AbortSignal, work: Promise<void>, cancel: () => void): Promise<void> {
  if (signal.aborted) {
    cancel();
    return Promise.reject(endedBy(signal));
  }
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(endedBy(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(() => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) reject(endedBy(signal));
      else resolve();
    });
  });
}
