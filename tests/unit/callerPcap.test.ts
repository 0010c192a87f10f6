import { callerPcap, CallerPcapOptions, linearToUlaw } from '../../bench/sip/callPcap';

// The capture is read back here by a parser of its own, field by field as the formats define them
// (libpcap, Ethernet, IPv4, UDP, RTP, RFC 4733), so that a mistake in the writer is not mirrored.

interface Rtp {
  timeUs: number;
  dstPort: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

function checksumOk(bytes: Buffer, initial = 0): boolean {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/** The RTP packets of a pcap file, after checking the file's and every frame's headers. */
function readPcap(file: Buffer): Rtp[] {
  expect(file.readUInt32LE(0)).toBe(0xa1b2c3d4); // microsecond timestamps, little-endian
  expect([file.readUInt16LE(4), file.readUInt16LE(6)]).toEqual([2, 4]);
  expect(file.readUInt32LE(20)).toBe(1); // DLT_EN10MB
  const packets: Rtp[] = [];
  let offset = 24;
  while (offset < file.length) {
    const timeUs = file.readUInt32LE(offset) * 1e6 + file.readUInt32LE(offset + 4);
    const length = file.readUInt32LE(offset + 8);
    expect(file.readUInt32LE(offset + 12)).toBe(length);
    const frame = file.subarray(offset + 16, offset + 16 + length);
    expect(frame.length).toBe(length);
    offset += 16 + length;

    expect(frame.readUInt16BE(12)).toBe(0x0800); // IPv4
    const ip = frame.subarray(14);
    expect(ip[0]).toBe(0x45);
    expect(ip[9]).toBe(17); // UDP
    expect(ip.readUInt16BE(2)).toBe(ip.length);
    expect(checksumOk(ip.subarray(0, 20))).toBe(true);
    const udp = ip.subarray(20);
    expect(udp.readUInt16BE(4)).toBe(udp.length);
    const pseudoHeader = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, 17, udp.length >> 8, udp.length & 0xff])]);
    if (udp.readUInt16BE(6) !== 0) {
      let pseudoSum = 0;
      for (let i = 0; i < 12; i += 2) pseudoSum += pseudoHeader.readUInt16BE(i);
      expect(checksumOk(udp, pseudoSum)).toBe(true);
    }
    const rtp = udp.subarray(8);
    expect(rtp[0]).toBe(0x80); // version 2, no padding, extension or CSRCs
    packets.push({
      timeUs,
      dstPort: udp.readUInt16BE(2),
      marker: (rtp[1]! & 0x80) !== 0,
      payloadType: rtp[1]! & 0x7f,
      sequence: rtp.readUInt16BE(2),
      timestamp: rtp.readUInt32BE(4),
      ssrc: rtp.readUInt32BE(8),
      payload: rtp.subarray(12),
    });
  }
  return packets;
}

interface KeyPress {
  key: string;
  atMs: number;
  timestamp: number;
  durations: number[];
  ends: number;
  endDuration: number;
}

/** The keys a receiver would decode from the telephone-events, in the order they were pressed. */
function keyPresses(packets: Rtp[], payloadType: number): KeyPress[] {
  const presses: KeyPress[] = [];
  for (const p of packets.filter((q) => q.payloadType === payloadType)) {
    expect(p.payload.length).toBe(4);
    const end = (p.payload[1]! & 0x80) !== 0;
    expect(p.payload[1]! & 0x3f).toBe(10); // volume
    const duration = p.payload.readUInt16BE(2);
    let press = presses.at(-1);
    if (p.marker) {
      expect(press === undefined || press.ends === 3).toBe(true);
      press = {
        key: '0123456789*#ABCD'[p.payload[0]!]!,
        atMs: p.timeUs / 1000,
        timestamp: p.timestamp,
        durations: [],
        ends: 0,
        endDuration: 0,
      };
      presses.push(press);
    }
    if (press === undefined) throw new Error(`event packet ${p.sequence} before any marker`);
    expect(p.timestamp).toBe(press.timestamp);
    if (end) {
      press.ends++;
      press.endDuration = duration;
    } else {
      expect(press.ends).toBe(0);
      press.durations.push(duration);
    }
  }
  return presses;
}

const ulawToLinear = (code: number): number => {
  const u = ~code & 0xff;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7);
  return u & 0x80 ? 0x84 - magnitude : magnitude - 0x84;
};

const options: CallerPcapOptions = { durationMs: 4000, digits: '1234#', digitsAtMs: 1000 };

describe("a SIPp caller's media as a pcap file (make bench-sip)", () => {
  const packets = readPcap(callerPcap(options));

  it('is one RTP stream to one UDP port, a packet every 20 ms from 0 for the whole call', () => {
    expect(packets).toHaveLength(4000 / 20);
    expect(new Set(packets.map((p) => p.dstPort)).size).toBe(1);
    expect(new Set(packets.map((p) => p.ssrc)).size).toBe(1);
    packets.forEach((p, i) => expect(p.timeUs).toBe(i * 20_000));
  });

  it('runs its sequence numbers on without a gap through audio and events', () => {
    packets.forEach((p, i) => expect(p.sequence).toBe((packets[0]!.sequence + i) & 0xffff));
  });

  it('sends the keys as telephone-events at their times: marker first, one timestamp, growing duration, the end 3 times', () => {
    const presses = keyPresses(packets, 101);
    expect(presses.map((k) => k.key).join('')).toBe('1234#');
    expect(presses.map((k) => k.atMs)).toEqual([1000, 1200, 1400, 1600, 1800]);
    for (const press of presses) {
      // The event's timestamp is where the audio clock stood when the key went down.
      expect(press.timestamp).toBe((packets[0]!.timestamp + press.atMs * 8) >>> 0);
      expect(press.durations).toEqual([160, 320, 480, 640, 800]);
      expect(press).toMatchObject({ ends: 3, endDuration: 800 });
    }
  });

  it('sends no audio while a key is down or its end is repeated, and G.711 audio on the audio clock otherwise', () => {
    const keyDown = (ms: number) => [1000, 1200, 1400, 1600, 1800].some((start) => ms >= start && ms < start + 100 + 60);
    for (const p of packets) {
      const ms = p.timeUs / 1000;
      expect(`${ms} ms: payload type ${p.payloadType}`).toBe(`${ms} ms: payload type ${keyDown(ms) ? 101 : 0}`);
      if (!keyDown(ms)) {
        expect(p.payload).toHaveLength(160);
        expect(p.timestamp).toBe((packets[0]!.timestamp + ms * 8) >>> 0);
      }
    }
  });

  it('with beginsLost, sends each key as its end alone (marker on the first end packet), audio while it is down', () => {
    const lost = readPcap(callerPcap({ ...options, digits: '12', toneMs: 40, gapMs: 60, beginsLost: true }));
    const presses = keyPresses(lost, 101);
    expect(presses.map((k) => k.key).join('')).toBe('12');
    // Each end follows its key's 40 ms down, sent as audio; the next key goes down 60 ms after the release.
    expect(presses.map((k) => k.atMs)).toEqual([1040, 1140]);
    for (const press of presses) expect(press).toMatchObject({ durations: [], ends: 3, endDuration: 320 });
    expect(lost.filter((p) => p.timeUs >= 1_000_000 && p.timeUs < 1_040_000).map((p) => p.payloadType)).toEqual([0, 0]);
  });

  it('carries speech-like audio: a moderate level, with pauses', () => {
    const levels = packets
      .filter((p) => p.payloadType === 0)
      .map((p) => Math.sqrt([...p.payload].reduce((sum, code) => sum + ulawToLinear(code) ** 2, 0) / 160) / 32768);
    const loudest = 20 * Math.log10(Math.max(...levels));
    expect(loudest).toBeGreaterThan(-25);
    expect(loudest).toBeLessThan(-10);
    expect(levels.filter((level) => level < 0.001).length).toBeGreaterThan(levels.length / 10);
  });

  it('encodes µ-law as G.711 does', () => {
    expect([0, -1, 32767, -32768, 1000, -1000].map(linearToUlaw)).toEqual([0xff, 0x7f, 0x80, 0x00, 0xce, 0x4e]);
    for (const sample of [100, 1000, 10000, -2500])
      expect(Math.abs(ulawToLinear(linearToUlaw(sample)) - sample)).toBeLessThan(Math.abs(sample) / 16 + 8);
  });

  it('takes another payload type and SSRC, and grows in length with the call', () => {
    const longer = readPcap(callerPcap({ durationMs: 20_000, digits: '9', digitsAtMs: 500, eventPayloadType: 96, ssrc: 7 }));
    expect(longer).toHaveLength(1000);
    expect(longer.at(-1)!.timeUs).toBe(19_980_000);
    expect(keyPresses(longer, 96).map((k) => `${k.key}@${k.atMs}`)).toEqual(['9@500']);
    expect(new Set(longer.map((p) => p.ssrc))).toEqual(new Set([7]));
  });

  it.each([
    [{ durationMs: 1010 }, /durationMs must be a multiple of 20 ms/],
    [{ ...options, digits: '12x' }, /digits may hold 0-9, \*, #, A-D only, got 'X'/],
    [{ ...options, gapMs: 40 }, /gapMs must be a multiple of 20 ms and at least 60 ms, got 40/],
    [{ ...options, digitsAtMs: 3200 }, /key 5 of '1234#' ends after durationMs \(4000 ms\)/],
    [{ ...options, eventPayloadType: 0 }, /eventPayloadType must be a dynamic payload type/],
  ])('refuses %j with a message naming the option', (bad, message) => {
    expect(() => callerPcap(bad)).toThrow(message);
  });
});
