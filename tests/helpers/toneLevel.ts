import { Audio } from './wavAudio';

/**
 * The level of one frequency in the audio, in dB relative to a full-scale sine (dBFS):
 * a Goertzel filter over every sample. A sine of amplitude 0.5 at `hz` gives about -6;
 * other frequencies, speech and codec noise spread over the spectrum add next to nothing.
 */
export function toneLevelDb(audio: Audio, hz: number): number {
  const { samples, sampleRate } = audio;
  if (samples.length === 0) return -Infinity;
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (const sample of samples) {
    const current = sample / 32768 + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  const power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  const amplitude = (2 * Math.sqrt(Math.max(power, 0))) / samples.length;
  return 20 * Math.log10(amplitude);
}
