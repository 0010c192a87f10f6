import { Key } from './types';

/**
 * Digit collection as a pure reducer: the edge feeds it keys, timeouts and the prompt's end;
 * it answers whether to keep collecting (and which timer to run) or what was entered.
 * No timers, no ARI: time is the edge's business.
 */
export type EntryMode =
  | { kind: 'room' }
  /** `afterFourDigitRoom`: the entry follows a 4-digit room, whose optional '#' may still come. */
  | { kind: 'pin'; maxLength: number; afterFourDigitRoom?: boolean }
  /** A number to call: digits then '#', at least one. */
  | { kind: 'number'; maxLength: number }
  /** One key, whichever: a choice ("press 1 to join"). */
  | { kind: 'key' };

export interface CollectorState {
  readonly keyed: string;
  /** The entry has gone invalid: the rest of it is swallowed up to its '#' or a pause. */
  readonly spoilt?: InvalidReason;
  /** A '#' now would be the end of the 4-digit room just keyed or dialled, not an empty PIN. */
  readonly roomHashExpected?: boolean;
}

export type CollectorInput = { type: 'key'; key: Key } | { type: 'timeout' } | { type: 'prompt-finished' };

export type InvalidReason = 'too-short' | 'too-long' | 'timeout' | 'bad-key';

export type CollectorStep =
  /** Run this timer from now (it replaces the one running); a key of this step stops the prompt. */
  | { type: 'continue'; state: CollectorState; timer: TimerKind }
  /** Nothing for the caller to notice: the timer running goes on, a prompt playing plays on. */
  | { type: 'unchanged'; state: CollectorState }
  | { type: 'complete'; value: string }
  | { type: 'invalid'; reason: InvalidReason };

/** `first`: nothing keyed yet (10 s by default); `next`: between digits (5 s). */
export type TimerKind = 'first' | 'next';

/** The state an entry starts in; no timer runs until the prompt has been heard. */
export function startEntry(mode: EntryMode): CollectorState {
  return mode.kind === 'pin' && mode.afterFourDigitRoom ? { keyed: '', roomHashExpected: true } : { keyed: '' };
}

export function collect(mode: EntryMode, state: CollectorState, input: CollectorInput): CollectorStep {
  if (input.type === 'prompt-finished') {
    // The first-digit clock starts once the prompt has been heard; a '#' from then on is the caller's PIN.
    const heard = withoutRoomHash(state);
    return heard.keyed === '' && !heard.spoilt ? { type: 'continue', state: heard, timer: 'first' } : { type: 'unchanged', state: heard };
  }
  if (input.type === 'timeout') return { type: 'invalid', reason: state.spoilt ?? 'timeout' };
  const key = input.key;
  if (state.roomHashExpected) {
    const rest = withoutRoomHash(state);
    if (key === '#') return { type: 'unchanged', state: rest };
    return keyed(mode, rest, key);
  }
  return keyed(mode, state, key);
}

function keyed(mode: EntryMode, state: CollectorState, key: Key): CollectorStep {
  if (state.spoilt) return key === '#' ? { type: 'invalid', reason: state.spoilt } : next(state);
  switch (mode.kind) {
    case 'room':
      return roomKey(state, key);
    case 'key':
      return { type: 'complete', value: key };
    case 'number':
      return key === '#' && state.keyed === '' ? { type: 'invalid', reason: 'too-short' } : pinKey(mode.maxLength, state, key);
    case 'pin':
      return pinKey(mode.maxLength, state, key);
  }
}

// Room: 3 digits need '#', the 4th digit completes.
function roomKey(state: CollectorState, key: Key): CollectorStep {
  if (key === '#') {
    return state.keyed.length === 3 ? { type: 'complete', value: state.keyed } : { type: 'invalid', reason: 'too-short' };
  }
  if (!isDigit(key)) return next(spoil(state, 'bad-key'));
  const keyed = state.keyed + key;
  return keyed.length === 4 ? { type: 'complete', value: keyed } : next({ keyed });
}

// PIN: digits then '#'; '#' alone is the empty PIN.
function pinKey(maxLength: number, state: CollectorState, key: Key): CollectorStep {
  if (key === '#') return { type: 'complete', value: state.keyed };
  if (!isDigit(key)) return next(spoil(state, 'bad-key'));
  const keyed = state.keyed + key;
  return keyed.length > maxLength ? next(spoil(state, 'too-long')) : next({ keyed });
}

/** Past the first key or the prompt's end, a '#' belongs to the PIN. */
function withoutRoomHash({ roomHashExpected: _, ...state }: CollectorState): CollectorState {
  return state;
}

/** What was keyed is dropped: nothing of a spoilt entry is ever used. */
function spoil(state: CollectorState, reason: InvalidReason): CollectorState {
  return { ...state, keyed: '', spoilt: reason };
}

function next(state: CollectorState): CollectorStep {
  return { type: 'continue', state, timer: 'next' };
}

function isDigit(key: Key): boolean {
  return key >= '0' && key <= '9';
}
