import { hashPin, pinMatches } from '../../src/domain/pinHash';

describe('PIN hashes', () => {
  it('match the PIN they were made from, and nothing else', () => {
    const stored = hashPin('4321');
    expect(pinMatches(stored, '4321')).toBe(true);
    for (const other of ['432', '43210', '', '1234']) expect(pinMatches(stored, other)).toBe(false);
  });

  it('handle the empty PIN', () => {
    const stored = hashPin('');
    expect(pinMatches(stored, '')).toBe(true);
    expect(pinMatches(stored, '0')).toBe(false);
  });

  it('never contain the digits, and differ for the same PIN (salted)', () => {
    // Eight digits: four would turn up in a random hex hash once in about 700 runs.
    const a = hashPin('97531864');
    const b = hashPin('97531864');
    expect(a.hash).not.toBe(b.hash);
    expect(JSON.stringify(a)).not.toContain('97531864');
  });
});
