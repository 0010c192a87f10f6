import { SippOutcome, SippRun } from '../../bench/sip/sippRun';
import { callerPcap } from '../../bench/sip/callPcap';
import { waitUntil } from '../../harness/waitUntil';
import { RegistrationRefused, SipPhone } from '../helpers/sipPhone';
import { tonesHeard } from '../helpers/toneLevel';
import {
  FRONT_KAMAILIO,
  NodeSpec,
  StasisWatch,
  asteriskNode,
  freshSipPassword,
  frontLog,
  frontNodes,
  kamailioScript,
  nodeAri,
  nodeUri,
  startFront,
  stopFront,
} from '../helpers/kamailioFront';

/**
 * The cluster's SIP front (config/kamailio.cfg, scripts/kamailio.sh): Kamailio spreads trunk calls
 * over two Asterisk nodes, stops sending calls to a node that stopped answering, and to a drained
 * one, whose calls still end cleanly through it; the demo phones register with it and call each other
 * through it.
 */
const A: NodeSpec = { instance: 'front-a', ariPort: 28088, sipPort: 25060, rtpStart: 21000, rtpEnd: 21499 };
const B: NodeSpec = { instance: 'front-b', ariPort: 28188, sipPort: 25160, rtpStart: 21500, rtpEnd: 21999 };
const sipPassword = freshSipPassword();
const watches = new Map<NodeSpec, StasisWatch>();
const sipps: SippRun[] = [];
let runs = 0;

/** SIPp callers as the demo trunk (digest auth), dialling 88123 through Kamailio. */
function callThroughFront(calls: number, holdMs: number, callsPerSecond = 4): SippRun {
  const run = runs++;
  const sipp = SippRun.start({
    asteriskSipPort: Number(FRONT_KAMAILIO.KAMAILIO_PORT),
    sipPort: 15080 + run,
    mediaPort: 22000 + run * 200,
    user: 'trunk',
    password: sipPassword,
    pcap: callerPcap({ durationMs: Math.min(holdMs, 2000) }),
    holdMs,
    callsPerSecond,
    arrivals: Array.from({ length: calls }, () => ({ number: '88123', room: '123' })),
  });
  sipps.push(sipp);
  return sipp;
}

const landed = (node: NodeSpec): number => watches.get(node)!.started.length;
const counts = (outcome: SippOutcome): { successful: number; failed: number } => ({
  successful: outcome.successful,
  failed: outcome.failed,
});

async function watchNode(node: NodeSpec): Promise<void> {
  watches.get(node)?.stop();
  const watch = new StasisWatch(await nodeAri(node, sipPassword));
  watches.set(node, watch);
  await waitUntil(() => watch.isConnected, 10000, `the ARI websocket of ${node.instance}`);
}

async function untilStates(expected: Record<string, string>, timeoutMs: number): Promise<void> {
  let seen = new Map<string, string>();
  await waitUntil(
    () => {
      seen = frontNodes();
      return Object.entries(expected).every(([uri, state]) => seen.get(uri) === state);
    },
    timeoutMs,
    () => `nodes ${JSON.stringify(expected)}, saw ${JSON.stringify(Object.fromEntries(seen))}`,
  );
}

beforeAll(async () => {
  await Promise.all([A, B].map((node) => asteriskNode(node, sipPassword, ['up'])));
  startFront([A, B], sipPassword);
  await Promise.all([A, B].map(watchNode));
  await untilStates({ [nodeUri(A)]: 'active', [nodeUri(B)]: 'active' }, 15000);
}, 180000);

afterAll(async () => {
  await Promise.all(sipps.map((sipp) => sipp.kill()));
  for (const watch of watches.values()) watch.stop();
  stopFront();
  await Promise.all([A, B].map((node) => asteriskNode(node, sipPassword, ['down'])));
}, 60000);

describe('the SIP front (Kamailio) before two Asterisk nodes', () => {
  it('spreads calls over both nodes, each authenticated and answered on the node it landed on', async () => {
    const outcome = await callThroughFront(12, 1000).finished();
    expect(counts(outcome)).toEqual({ successful: 12, failed: 0 });
    expect(landed(A) + landed(B)).toBe(12);
    expect(landed(A)).toBeGreaterThanOrEqual(2);
    expect(landed(B)).toBeGreaterThanOrEqual(2);
  }, 60000);

  it('marks a stopped node inactive within 10 s and sends every new call to the other', async () => {
    await asteriskNode(B, sipPassword, ['down']);
    await untilStates({ [nodeUri(A)]: 'active', [nodeUri(B)]: 'inactive' }, 10000);

    const before = landed(A);
    const outcome = await callThroughFront(6, 1000).finished();
    expect(counts(outcome)).toEqual({ successful: 6, failed: 0 });
    expect(landed(A) - before).toBe(6);

    // Set active by hand while it is still down: the calls Kamailio sends it get no answer, and
    // go on to front-a (failure_route) after 2 s; it is inactive again.
    const retried = (): number => frontLog().match(/INVITE retried on node/g)?.length ?? 0;
    const retriedBefore = retried();
    kamailioScript(['undrain', nodeUri(B)]);
    const failover = await callThroughFront(10, 1000, 10).finished();
    expect(counts(failover)).toEqual({ successful: 10, failed: 0 });
    expect(landed(A) - before).toBe(16);
    // Half of them, by their Call-ID (none with a chance of 1 in 1024).
    expect(retried() - retriedBefore).toBeGreaterThan(0);
    expect(frontNodes().get(nodeUri(B))).toBe('inactive');
  }, 60000);

  it('sends no new call to a drained node, whose call in progress still hangs up through the front', async () => {
    await asteriskNode(B, sipPassword, ['up']);
    await watchNode(B);
    await untilStates({ [nodeUri(B)]: 'active' }, 15000);

    // A call held on front-a: front-b drained while it is placed.
    kamailioScript(['drain', nodeUri(B)]);
    const aBefore = landed(A);
    const held = callThroughFront(1, 12000);
    await waitUntil(() => landed(A) === aBefore + 1, 10000, 'the held call on front-a');
    const heldChannel = watches.get(A)!.started.at(-1)!;
    kamailioScript(['undrain', nodeUri(B)]);

    kamailioScript(['drain', nodeUri(A)]);
    await untilStates({ [nodeUri(A)]: 'draining', [nodeUri(B)]: 'active' }, 5000);
    const byesToA = (): number => frontLog().match(new RegExp(`in-dialog BYE to sip:[^ ]*:${A.sipPort}\\b`, 'g'))?.length ?? 0;
    const byesBefore = byesToA();
    // Two pings' time: the drain outlasts the answers front-a gives them.
    await new Promise((resolve) => setTimeout(resolve, 5000));

    const bBefore = landed(B);
    const outcome = await callThroughFront(6, 1000).finished();
    expect(counts(outcome)).toEqual({ successful: 6, failed: 0 });
    expect(landed(B) - bBefore).toBe(6);
    expect(landed(A)).toBe(aBefore + 1);

    // The held call ends: its BYE goes through Kamailio to front-a, which answers it.
    expect(counts(await held.finished())).toEqual({ successful: 1, failed: 0 });
    await waitUntil(() => watches.get(A)!.ended.has(heldChannel), 5000, 'the held call to leave Stasis on front-a');
    expect(byesToA()).toBe(byesBefore + 1);
    // Still drained after all the pings it answered meanwhile.
    expect(frontNodes().get(nodeUri(A))).toBe('draining');
  }, 90000);
});

describe('the SIP front as the registrar of the demo phones', () => {
  const front = { port: FRONT_KAMAILIO.KAMAILIO_PORT!, password: sipPassword };
  const phones: SipPhone[] = [];
  const phone = async (user: string, options: { toneHz?: number; password?: string; register?: boolean } = {}): Promise<SipPhone> => {
    const { password = sipPassword, ...rest } = options;
    const started = await SipPhone.start({ user, ...rest, front: { ...front, password } });
    phones.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(phones.splice(0).map((p) => p.stop()));
  });

  it('registers two demo phones and puts a call from one through to the other, each hearing the other', async () => {
    const [caller, callee] = await Promise.all([phone('201', { toneHz: 1000 }), phone('202', { toneHz: 2000 })]);
    const onNodesBefore = landed(A) + landed(B);
    await Promise.all([caller.dial('202'), callee.answer()]);
    const [heardByCaller, heardByCallee] = await Promise.all([caller.listen(2000), callee.listen(2000)]);
    expect(tonesHeard(heardByCaller, [1000, 2000])).toEqual({ 1000: 'not heard', 2000: 'heard' });
    expect(tonesHeard(heardByCallee, [1000, 2000])).toEqual({ 1000: 'heard', 2000: 'not heard' });
    expect(frontLog()).toMatch(/new INVITE from 201 to phone sip:202\b[^@]*@127\.0\.0\.1:\d+/);
    await caller.hangup();
    await callee.callEnded();
    // Phone to phone: no node took the call.
    expect(landed(A) + landed(B)).toBe(onNodesBefore);
  }, 60000);

  it('refuses a wrong password, a registration that is not a phone, and a call to a phone from the trunk', async () => {
    await expect(phone('203', { password: 'wrong' })).rejects.toThrow(RegistrationRefused);
    await expect(phone('trunk')).rejects.toThrow(RegistrationRefused);
    expect(frontLog()).toMatch(/REGISTER of trunk as trunk from 127\.0\.0\.1:\d+ refused/);
    await phone('204');
    const trunk = await phone('trunk', { register: false });
    await expect(trunk.dial('204')).rejects.toThrow(/403 Only the phones call the phones/);
  }, 60000);
});
