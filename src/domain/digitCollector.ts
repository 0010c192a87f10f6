import { Key } from './types';

/**
 * Digit collection as a pure reducer: the edge feeds it keys and timeouts,
 * it answers whether to keep collecting (and which timer to run) or what was entered.
 * No timers, no ARI: time is the edge's business.
 */
export type EntryMode = { kind: 'room' } | { kind: 'pin'; maxLength: number };

export interface CollectorState {
  readonly keyed: string;
}

export type CollectorInput = { type: 'key'; key: Key } | { type: 'timeout' };

export type InvalidReason = 'too-short' | 'too-long' | 'timeout' | 'bad-key';

export type CollectorStep =
  | { type: 'continue'; state: CollectorState; timer: TimerKind }
  | { type: 'complete'; value: string }
  | { type: 'invalid'; reason: InvalidReason };

/** `first`: nothing keyed yet (10 s by default); `next`: between digits (5 s). */
export type TimerKind = 'first' | 'next';

export const EMPTY_ENTRY: CollectorState = { keyed: '' };

export function timerFor(state: CollectorState): TimerKind {
  return state.keyed === '' ? 'first' : 'next';
}

export function collect(mode: EntryMode, state: CollectorState, input: CollectorInput): CollectorStep {
  if (input.type === 'timeout') return { type: 'invalid', reason: 'timeout' };
  return mode.kind === 'room' ? roomKey(state, input.key) : pinKey(mode.maxLength, state, input.key);
}

// Room: 3 digits need '#', the 4th digit completes.
function roomKey(state: CollectorState, key: Key): CollectorStep {
  if (key === '#') {
    return state.keyed.length === 3 ? { type: 'complete', value: state.keyed } : { type: 'invalid', reason: 'too-short' };
  }
  if (!isDigit(key)) return { type: 'invalid', reason: 'bad-key' };
  const keyed = state.keyed + key;
  return keyed.length === 4 ? { type: 'complete', value: keyed } : next(keyed);
}

// PIN: digits then '#'; '#' alone is the empty PIN.
function pinKey(maxLength: number, state: CollectorState, key: Key): CollectorStep {
  if (key === '#') return { type: 'complete', value: state.keyed };
  if (!isDigit(key)) return { type: 'invalid', reason: 'bad-key' };
  const keyed = state.keyed + key;
  return keyed.length > maxLength ? { type: 'invalid', reason: 'too-long' } : next(keyed);
}

function next(keyed: string): CollectorStep {
  return { type: 'continue', state: { keyed }, timer: 'next' };
}

function isDigit(key: Key): boolean {
  return key >= '0' && key <= '9';
}
