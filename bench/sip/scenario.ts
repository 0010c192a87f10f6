/**
 * What SIPp is given for one run of `make bench-sip`: the callers (who dials which room, in the
 * order they arrive) and the scenario each of them follows.
 */

/** One caller of a run: the number dialled (the side's prefix and the room) and the room. */
export interface Arrival {
  readonly number: string;
  readonly room: string;
}

/** The smallest and largest room of a run: a meeting of two to a team meeting of twenty. */
export const ROOM_SIZES = { min: 2, max: 20 } as const;

/** A small seeded generator (mulberry32): the same seed gives both sides the same rooms and arrival order. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * N callers in rooms of 2 to 20, arriving in a random order (as people join a meeting start:
 * each room fills over the whole arrival). Rooms are numbered from 100; `prefix` is the side's
 * number (88 reaches the app, 77 the native baseline), the room follows it as a direct dial.
 */
export function arrivals(callers: number, prefix: string, seed: number): Arrival[] {
  if (!Number.isInteger(callers) || callers < ROOM_SIZES.min)
    throw new Error(`a run needs a whole number of at least ${ROOM_SIZES.min} callers, not ${callers}`);
  const random = seededRandom(seed);
  const sizes: number[] = [];
  let left = callers;
  while (left > 0) {
    let size = Math.min(left, ROOM_SIZES.min + Math.floor(random() * (ROOM_SIZES.max - ROOM_SIZES.min + 1)));
    // A caller left alone for the last room would be no meeting: this room takes one more or one less.
    if (left - size === 1) size += size < ROOM_SIZES.max ? 1 : -1;
    sizes.push(size);
    left -= size;
  }
  const rooms = sizes.flatMap((size, index) => Array.from({ length: size }, () => String(100 + index)));
  for (let i = rooms.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rooms[i], rooms[j]] = [rooms[j]!, rooms[i]!];
  }
  return rooms.map((room) => ({ number: `${prefix}${room}`, room }));
}

/** SIPp's injection file: one line per call, in order (field0: the number dialled). */
export function callersCsv(list: readonly Arrival[]): string {
  return `SEQUENTIAL\n${list.map((a) => `${a.number};`).join('\n')}\n`;
}

export interface ScenarioOptions {
  /** The endpoint the callers authenticate as (its password is given to SIPp as -ap). */
  readonly user: string;
  /** The caller's media: one pcap of audio with the PIN's keys in it (bench/sip/callPcap.ts). */
  readonly pcapPath: string;
  /** How long each caller stays after the answer, then hangs up. */
  readonly holdMs: number;
  /**
   * The caller puts the call on hold `atMs` after the answer (a re-INVITE with a=sendonly) and
   * takes it off `forMs` later (a=sendrecv), its audio going on all along: a phone or PBX that
   * plays its hold music down the line. Within holdMs.
   */
  readonly onHold?: { readonly atMs: number; readonly forMs: number } | undefined;
}

/**
 * The SDP of the caller's offer: G.711 µ-law and RFC 4733 keys, from a port of its own. A new
 * offer in the call (a re-INVITE) has the next version.
 */
const offer = (version: number, direction: 'sendrecv' | 'sendonly'): string => `v=0
      o=- 53655765 ${2353687637 + version} IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [auto_media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
      a=ptime:20
      a=${direction}`;

/**
 * A caller as a phone behind a trunk places it: an INVITE answered with a digest challenge, the
 * INVITE again with credentials, audio from the answer to the end (the pcap, with the PIN keyed
 * in it), then BYE. Every caller sends its media from a port of its own ([auto_media_port]).
 */
export function callerScenario({ user, pcapPath, holdMs, onHold }: ScenarioOptions): string {
  const invite = (cseq: number, auth: string): string => `
  <send retrans="500">
    <![CDATA[
      INVITE sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:${user}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: ${cseq} INVITE
      Contact: <sip:${user}@[local_ip]:[local_port]>${auth}
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      ${offer(0, 'sendrecv')}
    ]]>
  </send>`;
  const inDialog = (method: string, cseq: number): string => `
  <send${method === 'BYE' ? ' retrans="500"' : ''}>
    <![CDATA[
      ${method} [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}
      Contact: <sip:${user}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="conference caller">${invite(1, '')}
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send>
    <![CDATA[
      ACK sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      [last_From:]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>${invite(2, `\n      [authentication username=${user}]`)}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>${inDialog('ACK', 2)}
  <nop><action><exec play_pcap_audio="${pcapPath}"/></action></nop>${onHold ? holdAndResume(user, onHold, holdMs) : pause(holdMs)}${inDialog('BYE', onHold ? 5 : 3)}
  <recv response="200" crlf="true"/>
</scenario>
`;
}

function pause(ms: number): string {
  return `
  <pause milliseconds="${Math.round(ms)}"/>`;
}

/** The caller's hold and resume in the call (CSeq 3 and 4), each a re-INVITE answered and acknowledged. */
function holdAndResume(user: string, { atMs, forMs }: { atMs: number; forMs: number }, holdMs: number): string {
  if (atMs + forMs > holdMs) throw new Error(`callerScenario: the hold (${atMs} + ${forMs} ms) ends after the call (${holdMs} ms)`);
  const reinvite = (cseq: number, direction: 'sendonly' | 'sendrecv'): string => `
  <send retrans="500">
    <![CDATA[
      INVITE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: ${cseq} INVITE
      Contact: <sip:${user}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      ${offer(cseq - 2, direction)}
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [last_From:]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: ${cseq} ACK
      Contact: <sip:${user}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>`;
  return `${pause(atMs)}${reinvite(3, 'sendonly')}${pause(forMs)}${reinvite(4, 'sendrecv')}${pause(holdMs - atMs - forMs)}`;
}
