import fc from 'fast-check';
import { collect, CollectorInput, CollectorState, CollectorStep, EntryMode, startEntry } from '../../src/domain/digitCollector';
import { Key, KEYS } from '../../src/domain/types';

const ROOM: EntryMode = { kind: 'room' };
const PIN: EntryMode = { kind: 'pin', maxLength: 8 };
const PIN_AFTER_4_DIGITS: EntryMode = { kind: 'pin', maxLength: 8, afterFourDigitRoom: true };

/**
 * Feeds keys until the collector stops; what a caller's keying ends with. In `typed`, `|` is
 * the prompt's end and `_` a pause of the timer running; with no `|`, the prompt ended first.
 */
function run(mode: EntryMode, typed: string): CollectorStep {
  return feed(mode, typed).last;
}

/** The step the inputs end with, and the keys fed up to it. */
function feed(mode: EntryMode, typed: string): { last: CollectorStep; keyed: string } {
  const inputs: CollectorInput[] = [...(typed.includes('|') ? typed : `|${typed}`)].map((c) =>
    c === '|' ? { type: 'prompt-finished' } : c === '_' ? { type: 'timeout' } : { type: 'key', key: c as Key },
  );
  let state: CollectorState = startEntry(mode);
  let last: CollectorStep = { type: 'unchanged', state };
  let keyed = '';
  for (const input of inputs) {
    last = collect(mode, state, input);
    if (input.type !== 'prompt-finished') keyed += input.type === 'key' ? input.key : '_';
    if (last.type !== 'continue' && last.type !== 'unchanged') break;
    state = last.state;
  }
  return { last, keyed };
}

describe('room entry', () => {
  it.each([
    ['123#', { type: 'complete', value: '123' }],
    ['1234', { type: 'complete', value: '1234' }],
    ['000#', { type: 'complete', value: '000' }],
    ['0000', { type: 'complete', value: '0000' }],
    ['0123', { type: 'complete', value: '0123' }],
    ['12#', { type: 'invalid', reason: 'too-short' }],
    ['#', { type: 'invalid', reason: 'too-short' }],
    ['1234#', { type: 'complete', value: '1234' }],
    ['12*#', { type: 'invalid', reason: 'bad-key' }],
    ['1A_', { type: 'invalid', reason: 'bad-key' }],
    ['12_', { type: 'invalid', reason: 'timeout' }],
    ['_', { type: 'invalid', reason: 'timeout' }],
    // Keyed over the prompt (barge-in): the entry is the same.
    ['12|3#', { type: 'complete', value: '123' }],
  ])('%s gives %o', (typed, expected) => {
    expect(run(ROOM, typed)).toEqual(expected);
  });

  it('keeps collecting on 3 digits, waiting for # or a 4th digit', () => {
    expect(run(ROOM, '123')).toEqual({ type: 'continue', state: { keyed: '123' }, timer: 'next' });
  });

  it('runs the first-digit timer once the prompt has been heard, the inter-digit one after each key', () => {
    expect(collect(ROOM, startEntry(ROOM), { type: 'prompt-finished' })).toEqual({
      type: 'continue',
      state: { keyed: '' },
      timer: 'first',
    });
    expect(collect(ROOM, { keyed: '1' }, { type: 'prompt-finished' })).toEqual({ type: 'unchanged', state: { keyed: '1' } });
    expect(collect(ROOM, { keyed: '1' }, { type: 'key', key: '2' })).toEqual({ type: 'continue', state: { keyed: '12' }, timer: 'next' });
  });

  it.each(['1*2345#', '*9_', 'A1234567#'])('swallows the rest of an entry gone invalid (%s): nothing of it completes a room', (typed) => {
    expect(run(ROOM, typed)).toEqual({ type: 'invalid', reason: 'bad-key' });
  });
});

describe('PIN entry', () => {
  it.each([
    ['4321#', { type: 'complete', value: '4321' }],
    ['#', { type: 'complete', value: '' }],
    ['123456789#', { type: 'invalid', reason: 'too-long' }],
    ['123456789_', { type: 'invalid', reason: 'too-long' }],
    ['12*#', { type: 'invalid', reason: 'bad-key' }],
    ['4_', { type: 'invalid', reason: 'timeout' }],
  ])('%s gives %o', (typed, expected) => {
    expect(run(PIN, typed)).toEqual(expected);
  });

  it('an entry gone too long swallows its tail up to its #: the tail is never a PIN', () => {
    const step = run(PIN, '123456789012');
    expect(step).toEqual({ type: 'continue', state: { keyed: '', spoilt: 'too-long' }, timer: 'next' });
    expect(run(PIN, '123456789012#')).toEqual({ type: 'invalid', reason: 'too-long' });
  });
});

describe("PIN entry after a 4-digit room (its '#' is optional)", () => {
  it.each([
    // The room's '#' keyed before the PIN prompt ended is used up: the PIN is what follows.
    ['#2580#|', { type: 'complete', value: '2580' }],
    ['#|2580#', { type: 'complete', value: '2580' }],
    ['#|#', { type: 'complete', value: '' }],
    // Once the prompt has been heard, '#' alone is the empty PIN.
    ['|#', { type: 'complete', value: '' }],
    // Only the first key may be the room's '#'.
    ['2#', { type: 'complete', value: '2' }],
    ['##', { type: 'complete', value: '' }],
  ])('%s gives %o', (typed, expected) => {
    expect(run(PIN_AFTER_4_DIGITS, typed)).toEqual(expected);
  });

  it("the room's '#' neither stops the prompt nor starts a timer", () => {
    expect(collect(PIN_AFTER_4_DIGITS, startEntry(PIN_AFTER_4_DIGITS), { type: 'key', key: '#' })).toEqual({
      type: 'unchanged',
      state: { keyed: '' },
    });
  });
});

// Hostile input: any sequence of the 16 DTMF keys, pauses and the prompt's end.
const inputSequence = fc.array(fc.constantFrom(...KEYS, '_', '|'), { maxLength: 200 }).map((items) => items.join(''));

describe('any input sequence (property)', () => {
  it('a room entry completes only with exactly the digits keyed: 3 then #, or 4, with no pause or other key', () => {
    fc.assert(
      fc.property(inputSequence, (typed) => {
        const step = run(ROOM, typed);
        if (step.type !== 'complete') return;
        expect(step.value).toMatch(/^[0-9]{3,4}$/);
        expect(feed(ROOM, typed).keyed).toBe(step.value.length === 3 ? `${step.value}#` : step.value);
      }),
    );
  });

  it('a PIN is one whole entry: its digits then #, nothing else before it', () => {
    fc.assert(
      fc.property(inputSequence, fc.integer({ min: 0, max: 12 }), fc.boolean(), (typed, maxLength, afterFourDigitRoom) => {
        const mode: EntryMode = { kind: 'pin', maxLength, afterFourDigitRoom };
        const step = run(mode, typed);
        if (step.type !== 'complete') return;
        const { keyed } = feed(mode, typed);
        expect(step.value.length).toBeLessThanOrEqual(maxLength);
        expect(step.value).toMatch(/^[0-9]*$/);
        // At most the room's one '#' before it.
        expect([`${step.value}#`, `#${step.value}#`]).toContain(keyed);
      }),
    );
  });

  it('never keeps more state than the longest valid entry', () => {
    fc.assert(
      fc.property(inputSequence, (typed) => {
        const step = run(ROOM, typed);
        if (step.type === 'continue' || step.type === 'unchanged') expect(step.state.keyed.length).toBeLessThanOrEqual(3);
      }),
    );
  });
});
