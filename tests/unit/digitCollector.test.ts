import fc from 'fast-check';
import { collect, CollectorState, CollectorStep, EMPTY_ENTRY, EntryMode, timerFor } from '../../src/domain/digitCollector';
import { Key, KEYS } from '../../src/domain/types';

const ROOM: EntryMode = { kind: 'room' };
const PIN: EntryMode = { kind: 'pin', maxLength: 8 };

/** Feeds keys until the collector stops; what a caller's keying ends with. */
function run(mode: EntryMode, keys: readonly Key[]): CollectorStep {
  let state: CollectorState = EMPTY_ENTRY;
  for (const key of keys) {
    const step = collect(mode, state, { type: 'key', key });
    if (step.type !== 'continue') return step;
    state = step.state;
  }
  return { type: 'continue', state, timer: timerFor(state) };
}

const keys = (text: string): Key[] => [...text] as Key[];

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
    ['12*', { type: 'invalid', reason: 'bad-key' }],
    ['1A', { type: 'invalid', reason: 'bad-key' }],
  ])('%s gives %o', (typed, expected) => {
    expect(run(ROOM, keys(typed))).toEqual(expected);
  });

  it('keeps collecting on 3 digits, waiting for # or a 4th digit', () => {
    expect(run(ROOM, keys('123'))).toEqual({ type: 'continue', state: { keyed: '123' }, timer: 'next' });
  });

  it('a timeout makes the entry invalid, whatever was keyed', () => {
    expect(collect(ROOM, { keyed: '12' }, { type: 'timeout' })).toEqual({ type: 'invalid', reason: 'timeout' });
    expect(collect(ROOM, EMPTY_ENTRY, { type: 'timeout' })).toEqual({ type: 'invalid', reason: 'timeout' });
  });

  it('runs the first-digit timer before any key, the inter-digit one after', () => {
    expect(timerFor(EMPTY_ENTRY)).toBe('first');
    expect(timerFor({ keyed: '1' })).toBe('next');
  });
});

describe('PIN entry', () => {
  it.each([
    ['4321#', { type: 'complete', value: '4321' }],
    ['#', { type: 'complete', value: '' }],
    ['123456789', { type: 'invalid', reason: 'too-long' }],
    ['12*#', { type: 'invalid', reason: 'bad-key' }],
  ])('%s gives %o', (typed, expected) => {
    expect(run(PIN, keys(typed))).toEqual(expected);
  });
});

// Hostile input: any sequence of the 16 DTMF keys.
const keySequence = fc.array(fc.constantFrom(...KEYS), { maxLength: 200 });

describe('any key sequence (property)', () => {
  it('a room entry completes only with exactly the digits keyed: 3 then #, or 4', () => {
    fc.assert(
      fc.property(keySequence, (sequence) => {
        const step = run(ROOM, sequence);
        if (step.type !== 'complete') return;
        const typed = sequence.join('');
        expect(step.value).toMatch(/^[0-9]{3,4}$/);
        expect(typed.startsWith(step.value.length === 3 ? `${step.value}#` : step.value)).toBe(true);
      }),
    );
  });

  it('a PIN completes only with the digits keyed before the first #, within the length limit', () => {
    fc.assert(
      fc.property(keySequence, fc.integer({ min: 0, max: 12 }), (sequence, maxLength) => {
        const step = run({ kind: 'pin', maxLength }, sequence);
        if (step.type !== 'complete') return;
        expect(sequence.join('').startsWith(`${step.value}#`)).toBe(true);
        expect(step.value.length).toBeLessThanOrEqual(maxLength);
        expect(step.value).toMatch(/^[0-9]*$/);
      }),
    );
  });

  it('never keeps more state than the longest valid entry', () => {
    fc.assert(
      fc.property(keySequence, (sequence) => {
        const step = run(ROOM, sequence);
        if (step.type === 'continue') expect(step.state.keyed.length).toBeLessThanOrEqual(3);
      }),
    );
  });
});
