import { Audio } from './wavAudio';

const BLOCK_SECONDS = 0.1;

/**
 * The level of one frequency in the audio, in dB relative to a full-scale sine (dBFS): a
 * Goertzel filter over each 100 ms block, averaged in power over the blocks. A sine of
 * amplitude 0.5 at `hz` gives about -6; other frequencies, speech and codec noise spread
 * over the spectrum add next to nothing. Blocks, not one filter over the whole audio,
 * because a call's audio has seams (a frame lost or repeated) where the phase jumps, and
 * one long filter would let the parts on either side cancel.
 */
export function toneLevelDb(audio: Audio, hz: number): number {
  const block = Math.round(audio.sampleRate * BLOCK_SECONDS);
  const blocks = Math.floor(audio.samples.length / block);
  if (blocks === 0) return -Infinity;
  let power = 0;
  for (let b = 0; b < blocks; b++)
    power += goertzelAmplitude(audio.samples.subarray(b * block, (b + 1) * block), audio.sampleRate, hz) ** 2;
  return 10 * Math.log10(power / blocks);
}

/** The amplitude (0-1 of full scale) of the `hz` component of the samples. */
function goertzelAmplitude(samples: Int16Array, sampleRate: number, hz: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (const sample of samples) {
    const current = sample / 32768 + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  const power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  return (2 * Math.sqrt(Math.max(power, 0))) / samples.length;
}

// The test phones send their tone at -10.5 dBFS; through a codec and the mix it stays within
// a few dB. What a phone does not hear (its own voice, a muted one) measures below -70, and
// prompts' speech, the loudest thing besides the tones, below -30.
const HEARD_DB = -20;
const NOT_HEARD_DB = -40;

/** For each tone: `heard`, `not heard`, or its level when it is neither (a failing test shows all of them at once). */
export function tonesHeard(audio: Audio, tones: readonly number[]): Record<number, string> {
  const verdicts: Record<number, string> = {};
  for (const hz of tones) {
    const level = toneLevelDb(audio, hz);
    verdicts[hz] = level > HEARD_DB ? 'heard' : level < NOT_HEARD_DB ? 'not heard' : `${level.toFixed(1)} dBFS`;
  }
  return verdicts;
}
