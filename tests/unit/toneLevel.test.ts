import { toneLevelDb, tonesHeard } from '../helpers/toneLevel';
import { Audio, readWav, toneWav } from '../helpers/wavAudio';

// The measurement the SIP audio tests rest on: which tones a recording holds.
const rate = 8000;

function mix(...parts: Audio[]): Audio {
  const samples = new Int16Array(parts[0]!.samples.length);
  for (const part of parts) part.samples.forEach((s, i) => (samples[i] = samples[i]! + s));
  return { sampleRate: rate, samples };
}

describe('tone level (Goertzel)', () => {
  it('reads a sine of amplitude 0.5 at about -6 dBFS', () => {
    expect(toneLevelDb(readWav(toneWav(1000, 1, rate, 0.5)), 1000)).toBeCloseTo(-6, 0);
  });

  it('finds both tones of a mix at their own levels, and neither in the other', () => {
    const low = readWav(toneWav(1000, 2, rate, 0.3));
    const high = readWav(toneWav(2000, 2, rate, 0.1));
    const both = mix(low, high);
    expect(toneLevelDb(both, 1000)).toBeCloseTo(20 * Math.log10(0.3), 0);
    expect(toneLevelDb(both, 2000)).toBeCloseTo(20 * Math.log10(0.1), 0);
    expect(toneLevelDb(low, 2000)).toBeLessThan(-60);
    expect(toneLevelDb(high, 1000)).toBeLessThan(-60);
  });

  it('reads a tone whose phase jumps (a lost frame) at its level', () => {
    const tone = readWav(toneWav(1000, 2, rate, 0.5)).samples;
    const seamed = new Int16Array(tone.length);
    seamed.set(tone.subarray(0, 8000));
    seamed.set(tone.subarray(4 + 8000, tone.length), 8000); // half a period missing: the rest is in antiphase
    expect(toneLevelDb({ sampleRate: rate, samples: seamed }, 1000)).toBeCloseTo(-6, 0);
  });

  it('reads silence and audio shorter than a block as no tone', () => {
    expect(toneLevelDb(readWav(toneWav(0, 1, rate)), 1000)).toBe(-Infinity);
    expect(toneLevelDb({ sampleRate: rate, samples: new Int16Array(100) }, 1000)).toBe(-Infinity);
  });

  it('does not mistake broadband noise for a tone', () => {
    let seed = 1;
    const noise = new Int16Array(16000).map(() => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.round(((seed / 2 ** 31) * 2 - 1) * 10000);
    });
    const rmsDb = 10 * Math.log10(noise.reduce((sum, s) => sum + (s / 32768) ** 2, 0) / noise.length);
    expect(toneLevelDb({ sampleRate: rate, samples: noise }, 1000)).toBeLessThan(rmsDb - 20);
  });
});

describe('WAV files', () => {
  it('reads back what toneWav wrote, at its sample rate', () => {
    const audio = readWav(toneWav(440, 0.5, 16000));
    expect(audio.sampleRate).toBe(16000);
    expect(audio.samples.length).toBe(8000);
  });

  it('reads a recording still being written: data to the end of the file, whatever the header says', () => {
    const wav = toneWav(1000, 0.25, rate);
    wav.writeUInt32LE(0, 40);
    expect(readWav(Buffer.concat([wav, Buffer.alloc(3)])).samples.length).toBe(2000 + 1);
  });

  it('refuses what it cannot measure', () => {
    const stereo = toneWav(1000, 0.1, rate);
    stereo.writeUInt16LE(2, 22);
    expect(() => readWav(stereo)).toThrow(/mono 16-bit PCM/);
    expect(() => readWav(Buffer.from('not a wav file at all, really'))).toThrow(/not a WAV/);
  });
});

describe('which tones a recording holds', () => {
  it("calls a tone at the phones' level heard, an absent one not heard, and gives the level of one in between", () => {
    const recording = mix(readWav(toneWav(1000, 1, rate, 0.3)), readWav(toneWav(2000, 1, rate, 0.03)));
    expect(tonesHeard(recording, [1000, 1500, 2000])).toEqual({ 1000: 'heard', 1500: 'not heard', 2000: '-30.5 dBFS' });
  });
});
