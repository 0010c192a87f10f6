/**
 * One SIP caller's media for `make bench-sip`, as a pcap file that SIPp replays with
 * `<exec play_pcap_audio="..."/>`: G.711 µ-law every 20 ms for the whole call, with the PIN's keys
 * as RFC 4733 telephone-events in the same RTP stream, the way a phone sends them. SIPp sends the
 * UDP payloads paced by the capture's timestamps and rewrites only addresses and ports, so
 * everything a receiver checks (sequence, timestamps, SSRC, events) is decided here.
 */

/** What one caller sends. Times are multiples of the 20 ms packet interval. */
export interface CallerPcapOptions {
  /** The length of the stream: packets at 0, 20, ... up to (not including) this. */
  durationMs: number;
  /** Keys sent as telephone-events: 0-9, *, #, A-D. None when absent or empty. */
  digits?: string;
  /** When the first key goes down; default 0. */
  digitsAtMs?: number;
  /** How long each key is held; default 100 ms. */
  toneMs?: number;
  /** From one key's release to the next key; at least 60 ms, the time the event's end takes to send 3 times. */
  gapMs?: number;
  /**
   * Send only each key's end (its 3 end packets), audio while it is down: what Asterisk sees when
   * the key-down packets were lost or read late, as under load. Default false.
   */
  beginsLost?: boolean;
  /** The telephone-event payload type agreed in SDP; default 101. */
  eventPayloadType?: number;
  /** Default 0x5eed0001; give callers different ones if their streams must be told apart in a capture. */
  ssrc?: number;
  /** The voice's pitch (fundamental), default 120 Hz. */
  pitchHz?: number;
  /** What the caller sends besides its keys: speech-like audio (the default), silence, or tone bursts on silence. */
  audio?: 'speech' | 'silence' | ToneBursts;
}

/** Bursts of a tone on silence: marks whose arrival a capture can time (bench/cluster/hopDelay.ts). */
export interface ToneBursts {
  readonly hz: number;
  /** The first burst's start, the time from one burst's start to the next, and each burst's length. */
  readonly fromMs: number;
  readonly everyMs: number;
  readonly lengthMs: number;
  readonly count: number;
}

/** The UDP port the packets are sent from and to; SIPp maps the lowest destination port to the call's media port. */
export const CALLER_PCAP_PORT = 6000;
export const PCMU_PAYLOAD_TYPE = 0;

const PACKET_MS = 20;
const SAMPLES_PER_PACKET = 160; // 8 kHz
const SAMPLE_RATE = 8000;
const END_PACKETS = 3; // RFC 4733 2.5.1.4: the end of an event is sent three times
const EVENT_CODES = '0123456789*#ABCD';
const EVENT_VOLUME = 10; // -10 dBm0, what phones commonly send

const ETHERNET_BYTES = 14;
const IP_BYTES = 20;
const UDP_BYTES = 8;
const RTP_BYTES = 12;
const SOURCE_IP = [10, 0, 0, 1];
const DESTINATION_IP = [10, 0, 0, 2];

/** The G.711 µ-law code of one 16-bit linear sample (ITU-T G.711, the bias-and-segment form). */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let magnitude = Math.round(sample);
  const sign = magnitude < 0 ? 0x80 : 0;
  magnitude = Math.min(Math.abs(magnitude), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/**
 * Speech-like µ-law audio: a voiced sound (a gliding pitch and three harmonics) shaped into
 * syllables at about 4 a second and phrases of about 2 s with pauses between them, at a moderate
 * level (peaks near -12 dBFS). Cheap and the same every time, yet neither a steady tone nor silence,
 * so mixing, silence detection and jitter buffers see something like a talker.
 */
function speechUlaw(packets: number, pitchHz: number): Buffer {
  const samples = packets * SAMPLES_PER_PACKET;
  const audio = Buffer.alloc(samples);
  const harmonics = [1, 0.6, 0.35, 0.2];
  const scale = (0.25 * 32767) / harmonics.reduce((sum, a) => sum + a, 0);
  let phase = 0;
  for (let i = 0; i < samples; i++) {
    const t = i / SAMPLE_RATE;
    phase += (2 * Math.PI * pitchHz * (1 + 0.1 * Math.sin(2 * Math.PI * 0.7 * t))) / SAMPLE_RATE;
    const syllable = 0.5 - 0.5 * Math.cos(2 * Math.PI * 3.7 * t);
    const phrase = Math.min(1, Math.max(0, 2 * Math.sin((2 * Math.PI * t) / 3.1) + 1));
    let voice = 0;
    harmonics.forEach((amplitude, h) => (voice += amplitude * Math.sin((h + 1) * phase)));
    audio[i] = linearToUlaw(scale * syllable * phrase * voice);
  }
  return audio;
}

/** µ-law silence, or tone bursts at -10 dBFS on silence. */
function burstsUlaw(packets: number, bursts: ToneBursts | undefined): Buffer {
  const audio = Buffer.alloc(packets * SAMPLES_PER_PACKET, linearToUlaw(0));
  if (!bursts) return audio;
  const { hz, fromMs, everyMs, lengthMs, count } = bursts;
  if (!(hz > 0 && hz < SAMPLE_RATE / 2 && lengthMs > 0 && everyMs > lengthMs && fromMs >= 0 && Number.isInteger(count) && count > 0))
    throw new Error(
      `callerPcap: tone bursts need 0 < hz < 4000, 0 < lengthMs < everyMs, fromMs >= 0 and a count, got ${JSON.stringify(bursts)}`,
    );
  for (let b = 0; b < count; b++) {
    const first = Math.round(((fromMs + b * everyMs) * SAMPLE_RATE) / 1000);
    const length = Math.round((lengthMs * SAMPLE_RATE) / 1000);
    if (first + length > audio.length) throw new Error(`callerPcap: tone burst ${b + 1} ends after durationMs`);
    for (let i = 0; i < length; i++) audio[first + i] = linearToUlaw(0.3 * 32767 * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE));
  }
  return audio;
}

function multipleOfPacket(name: string, ms: number, minimum: number): number {
  if (!Number.isInteger(ms / PACKET_MS) || ms < minimum)
    throw new Error(`callerPcap: ${name} must be a multiple of ${PACKET_MS} ms and at least ${minimum} ms, got ${ms}`);
  return ms / PACKET_MS;
}

interface RtpPacket {
  marker: boolean;
  payloadType: number;
  timestamp: number;
  payload: Buffer;
}

/** The telephone-event packets, keyed by the 20 ms slot each replaces an audio packet in. */
function eventPackets(options: CallerPcapOptions, packets: number): Map<number, RtpPacket> {
  const digits = (options.digits ?? '').toUpperCase();
  const payloadType = options.eventPayloadType ?? 101;
  if (!Number.isInteger(payloadType) || payloadType < 96 || payloadType > 127)
    throw new Error(`callerPcap: eventPayloadType must be a dynamic payload type (96-127), got ${payloadType}`);
  const firstSlot = multipleOfPacket('digitsAtMs', options.digitsAtMs ?? 0, 0);
  const toneSlots = multipleOfPacket('toneMs', options.toneMs ?? 100, PACKET_MS);
  const gapSlots = multipleOfPacket('gapMs', options.gapMs ?? 100, END_PACKETS * PACKET_MS);
  const events = new Map<number, RtpPacket>();
  [...digits].forEach((digit, k) => {
    const code = EVENT_CODES.indexOf(digit);
    if (code < 0) throw new Error(`callerPcap: digits may hold 0-9, *, #, A-D only, got '${digit}' in '${options.digits}'`);
    const start = firstSlot + k * (toneSlots + gapSlots);
    if (start + toneSlots + END_PACKETS > packets)
      throw new Error(`callerPcap: key ${k + 1} of '${options.digits}' ends after durationMs (${options.durationMs} ms)`);
    const event = (duration: number, end: boolean): Buffer =>
      Buffer.from([code, (end ? 0x80 : 0) | EVENT_VOLUME, duration >> 8, duration & 0xff]);
    // The timestamp stays at the key's start; the duration says how long it has been down so far.
    if (!options.beginsLost)
      for (let j = 0; j < toneSlots; j++)
        events.set(start + j, {
          marker: j === 0,
          payloadType,
          timestamp: start * SAMPLES_PER_PACKET,
          payload: event((j + 1) * SAMPLES_PER_PACKET, false),
        });
    for (let j = 0; j < END_PACKETS; j++)
      events.set(start + toneSlots + j, {
        marker: j === 0 && options.beginsLost === true,
        payloadType,
        timestamp: start * SAMPLES_PER_PACKET,
        payload: event(toneSlots * SAMPLES_PER_PACKET, true),
      });
  });
  return events;
}

/** The one's-complement sum of 16-bit words that IP and UDP checksums use, folded, not yet inverted. */
function onesComplementSum(bytes: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** One Ethernet frame carrying an IPv4/UDP datagram from SOURCE_IP to DESTINATION_IP, both on CALLER_PCAP_PORT. */
function udpFrame(payload: Buffer, ipId: number): Buffer {
  const frame = Buffer.alloc(ETHERNET_BYTES + IP_BYTES + UDP_BYTES + payload.length);
  Buffer.from([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]).copy(frame, 0); // locally administered MACs
  frame.writeUInt16BE(0x0800, 12);
  const ip = frame.subarray(ETHERNET_BYTES, ETHERNET_BYTES + IP_BYTES);
  ip[0] = 0x45;
  ip[1] = 0xb8; // DSCP EF, as phones mark voice
  ip.writeUInt16BE(IP_BYTES + UDP_BYTES + payload.length, 2);
  ip.writeUInt16BE(ipId, 4);
  ip.writeUInt16BE(0x4000, 6); // don't fragment
  ip[8] = 64;
  ip[9] = 17; // UDP
  Buffer.from([...SOURCE_IP, ...DESTINATION_IP]).copy(ip, 12);
  ip.writeUInt16BE(~onesComplementSum(ip) & 0xffff, 10);
  const udp = frame.subarray(ETHERNET_BYTES + IP_BYTES);
  udp.writeUInt16BE(CALLER_PCAP_PORT, 0);
  udp.writeUInt16BE(CALLER_PCAP_PORT, 2);
  udp.writeUInt16BE(UDP_BYTES + payload.length, 4);
  payload.copy(udp, UDP_BYTES);
  const pseudoHeader = Buffer.alloc(12);
  ip.copy(pseudoHeader, 0, 12, 20);
  pseudoHeader[9] = 17;
  pseudoHeader.writeUInt16BE(udp.length, 10);
  const checksum = ~onesComplementSum(udp, onesComplementSum(pseudoHeader)) & 0xffff;
  udp.writeUInt16BE(checksum === 0 ? 0xffff : checksum, 6); // 0 would mean "no checksum"
  return frame;
}

/**
 * A classic pcap file (microsecond timestamps from 0, Ethernet) of one caller's RTP: µ-law audio
 * every 20 ms, the keys' telephone-events in place of the audio while each key is down (and while
 * its end is repeated), one SSRC, sequence numbers and timestamps running on through both.
 */
export function callerPcap(options: CallerPcapOptions): Buffer {
  const packets = multipleOfPacket('durationMs', options.durationMs, PACKET_MS);
  const ssrc = options.ssrc ?? 0x5eed0001;
  if (!Number.isInteger(ssrc) || ssrc < 0 || ssrc > 0xffffffff)
    throw new Error(`callerPcap: ssrc must be a 32-bit unsigned integer, got ${ssrc}`);
  const pitchHz = options.pitchHz ?? 120;
  if (!(pitchHz >= 50 && pitchHz <= 1000)) throw new Error(`callerPcap: pitchHz must be within 50-1000 Hz, got ${pitchHz}`);
  const events = eventPackets(options, packets);
  const sound = options.audio ?? 'speech';
  const audio = sound === 'speech' ? speechUlaw(packets, pitchHz) : burstsUlaw(packets, sound === 'silence' ? undefined : sound);

  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps, written little-endian
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // DLT_EN10MB
  const records: Buffer[] = [header];
  for (let slot = 0; slot < packets; slot++) {
    const packet = events.get(slot) ?? {
      marker: false,
      payloadType: PCMU_PAYLOAD_TYPE,
      timestamp: slot * SAMPLES_PER_PACKET,
      payload: audio.subarray(slot * SAMPLES_PER_PACKET, (slot + 1) * SAMPLES_PER_PACKET),
    };
    const rtp = Buffer.alloc(RTP_BYTES + packet.payload.length);
    rtp[0] = 0x80; // version 2
    rtp[1] = (packet.marker ? 0x80 : 0) | packet.payloadType;
    rtp.writeUInt16BE(slot & 0xffff, 2);
    rtp.writeUInt32BE(packet.timestamp >>> 0, 4);
    rtp.writeUInt32BE(ssrc, 8);
    packet.payload.copy(rtp, RTP_BYTES);
    const frame = udpFrame(rtp, slot & 0xffff);
    const record = Buffer.alloc(16);
    const timeUs = slot * PACKET_MS * 1000;
    record.writeUInt32LE(Math.floor(timeUs / 1e6), 0);
    record.writeUInt32LE(timeUs % 1e6, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    records.push(record, frame);
  }
  return Buffer.concat(records);
}
