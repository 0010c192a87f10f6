/**
 * The audio Asterisk sends to the bench's listeners, as tcpdump captures it on loopback: when each
 * RTP packet left (the kernel's stamp), to which port, and how loud it is. A tone burst a speaker
 * sends reaches two listeners of one room, one on the room's node and one on another: the time
 * between the two arrivals is what the hop between the nodes adds.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CapturedRtp {
  /** The capture's stamp, in ms since the epoch (to the microsecond). */
  readonly atMs: number;
  readonly dstPort: number;
  /** Mean absolute sample of a G.711 µ-law payload, 0-32767; NaN for another payload type. */
  readonly level: number;
}

const PCMU = 0;
const ETHERTYPE_IPV4 = 0x0800;
const UDP = 17;

/** One 8-bit G.711 µ-law code as a 16-bit linear sample (ITU-T G.711). */
export function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function meanLevel(payload: Buffer): number {
  let sum = 0;
  for (const code of payload) sum += Math.abs(ulawToLinear(code));
  return payload.length === 0 ? 0 : sum / payload.length;
}

/** The RTP packets of a classic pcap file (Ethernet, IPv4, UDP) as tcpdump writes it on Linux's loopback. */
export function readRtpCapture(file: Buffer): CapturedRtp[] {
  if (file.length < 24) return [];
  const magic = file.readUInt32LE(0);
  const nanoseconds = magic === 0xa1b23c4d;
  if (magic !== 0xa1b2c3d4 && !nanoseconds) throw new Error(`not a little-endian pcap file (magic ${magic.toString(16)})`);
  if (file.readUInt32LE(20) !== 1) throw new Error(`a capture of Ethernet frames expected, link type ${file.readUInt32LE(20)}`);
  const packets: CapturedRtp[] = [];
  for (let offset = 24; offset + 16 <= file.length;) {
    const seconds = file.readUInt32LE(offset);
    const fraction = file.readUInt32LE(offset + 4);
    const length = file.readUInt32LE(offset + 8);
    const frame = file.subarray(offset + 16, offset + 16 + length);
    offset += 16 + length;
    if (frame.length < 14 + 20 + 8 + 12 || frame.readUInt16BE(12) !== ETHERTYPE_IPV4) continue;
    const ip = frame.subarray(14);
    if (ip[9] !== UDP) continue;
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    const rtp = udp.subarray(8, udp.readUInt16BE(4));
    if (rtp.length < 12 || rtp[0]! >> 6 !== 2) continue;
    const headerBytes = 12 + 4 * (rtp[0]! & 0x0f) + (rtp[0]! & 0x10 ? 4 + 4 * rtp.readUInt16BE(12 + 4 * (rtp[0]! & 0x0f) + 2) : 0);
    const payloadType = rtp[1]! & 0x7f;
    packets.push({
      atMs: seconds * 1000 + fraction / (nanoseconds ? 1e6 : 1e3),
      dstPort: udp.readUInt16BE(2),
      level: payloadType === PCMU ? meanLevel(rtp.subarray(headerBytes)) : NaN,
    });
  }
  return packets;
}

/** A packet this loud carries a burst: the bursts are at about 6000, the silence of a mix near 0. */
const LOUD = 1000;
/** Quiet packets before a loud one for it to start a burst: a burst's own quieter packets do not. */
const QUIET_BEFORE = 5;

/** When each burst reached a listener: the first loud packet after a quiet stretch, in order. */
export function burstOnsets(packets: readonly CapturedRtp[]): number[] {
  const onsets: number[] = [];
  let quiet = QUIET_BEFORE;
  for (const packet of [...packets].sort((a, b) => a.atMs - b.atMs)) {
    if (Number.isNaN(packet.level)) continue;
    if (packet.level >= LOUD) {
      if (quiet >= QUIET_BEFORE) onsets.push(packet.atMs);
      quiet = 0;
    } else quiet++;
  }
  return onsets;
}

/**
 * For each burst heard on the room's node, how much later the listener on the other node heard it:
 * the first onset there from 20 ms before to `withinMs` after. A burst one of them missed counts for neither.
 */
export function hopDelays(home: readonly number[], other: readonly number[], withinMs = 300): number[] {
  const delays: number[] = [];
  for (const at of home) {
    const match = other.find((t) => t >= at - 20 && t <= at + withinMs);
    if (match !== undefined) delays.push(match - at);
  }
  return delays;
}

/**
 * tcpdump on loopback, writing the UDP packets to the given destination ports to a file: started
 * before the audio, stopped (by its pid) after it.
 */
export class RtpCapture {
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** Resolves once tcpdump listens (it says so on stderr). */
  static async start(portRanges: ReadonlyArray<readonly [number, number]>): Promise<RtpCapture> {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cluster-capture-'));
    const filter = `udp and (${portRanges.map(([from, to]) => `dst portrange ${from}-${to}`).join(' or ')})`;
    // -U: each packet written as it comes; -s 300: an RTP packet of 20 ms of G.711 whole.
    const child = spawn('tcpdump', ['-i', 'lo', '-n', '-U', '-s', '300', '-w', join(dir, 'rtp.pcap'), filter], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const capture = new RtpCapture(dir, child);
    const deadline = Date.now() + 10000;
    while (!/listening on/.test(capture.stderr)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await capture.stop().catch(() => undefined);
        throw new Error(`tcpdump did not start: ${capture.stderr.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return capture;
  }

  /** Stops tcpdump and reads what it wrote. */
  async stop(): Promise<CapturedRtp[]> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
    try {
      return readRtpCapture(readFileSync(join(this.dir, 'rtp.pcap')));
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
