/** Mono 16-bit PCM audio, as the SIP test phones play and record it. */
export interface Audio {
  readonly sampleRate: number;
  readonly samples: Int16Array;
}

const HEADER_BYTES = 44;

/** A mono 16-bit WAV file holding a sine of `hz` at `amplitude` (0-1 of full scale), or silence for 0. */
export function toneWav(hz: number, seconds: number, sampleRate = 8000, amplitude = 0.3): Buffer {
  const count = Math.round(seconds * sampleRate);
  const wav = Buffer.alloc(HEADER_BYTES + count * 2);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(wav.length - 8, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28); // bytes per second
  wav.writeUInt16LE(2, 32); // bytes per frame
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(count * 2, 40);
  for (let i = 0; i < count; i++) {
    wav.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / sampleRate)), HEADER_BYTES + i * 2);
  }
  return wav;
}

/**
 * The samples of a mono 16-bit PCM WAV file. The data runs to the end of the file, not to
 * the size in its header: a recording still being written has a header that is not final yet.
 */
export function readWav(wav: Buffer): Audio {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let sampleRate: number | undefined;
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const format = wav.readUInt16LE(body);
      const channels = wav.readUInt16LE(body + 2);
      const bits = wav.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || bits !== 16)
        throw new Error(`expected mono 16-bit PCM, got format ${format}, ${channels} channels, ${bits} bits`);
      sampleRate = wav.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (sampleRate === undefined) throw new Error('WAV data before its fmt chunk');
      const end = body + Math.floor((wav.length - body) / 2) * 2;
      const samples = new Int16Array((end - body) >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = wav.readInt16LE(body + i * 2);
      return { sampleRate, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV file without a data chunk');
}
