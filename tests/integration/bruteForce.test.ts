import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Caller } from '../../harness/caller';
import { joinRoom, useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';
import { callApi, metricValue } from '../helpers/statusApi';

const TOKEN = 'brute-force-test-token-0123456789';
const eventsPath = join(mkdtempSync(join(tmpdir(), 'conference-events-')), 'events.jsonl');

/**
 * SPEC "PIN": wrong PINs slow a caller number and a room down; a caller number
 * is then refused for a while, a room never is; the operator lists and clears lockouts.
 */
describe('PIN brute force', () => {
  const s = useScenario({
    api: { port: 0, token: TOKEN },
    eventsLog: { path: eventsPath },
    bruteForce: { windowSeconds: 600, slowAfter: 1, delayMs: 300, maxDelayMs: 600, lockAfter: 3, lockoutSeconds: 60, roomSlowAfter: 2 },
  });
  const api = (method: string, path: string, token: string | null = TOKEN): ReturnType<typeof callApi> =>
    callApi(s.harness, method, path, token);
  const logsOf = (caller: Caller, event: string): Array<Record<string, unknown>> =>
    s.harness.logs.filter((l) => l.call === caller.appChannel && l.event === event);

  /** Dials the room from this number and keys each PIN at its prompt. */
  async function guess(
    callerId: string,
    room: string,
    pins: string[],
    context: 'from-internal' | 'from-external' = 'from-internal',
  ): Promise<Caller> {
    const caller = await s.driver.call(`88${room}`, { callerId, context });
    for (const [index, pin] of pins.entries()) {
      await s.driver.waitFor(
        () => caller.played().filter((m) => m === 'sound:conf-getpin').length === index + 1,
        8000,
        `PIN prompt ${index + 1} of ${callerId}`,
      );
      await caller.dtmf(`${pin}#`);
    }
    return caller;
  }

  it('a room attacked by four numbers keying three wrong PINs each stays open: a caller with the right PIN gets in after the longest wait', async () => {
    const host = await joinRoom(s.driver, '88671', { pin: '77' });
    await host.entersBridge('conference-671');
    const attackers = await Promise.all(['701', '702', '703', '704'].map((callerId) => guess(callerId, '671', ['1', '2', '3'])));
    // Each attacking number is locked out by its own third wrong PIN.
    await Promise.all(attackers.map((attacker) => attacker.hears('sound:conference/pin-locked')));

    const rightful = await s.driver.call('88671', { callerId: '705' });
    await rightful.hears('sound:conf-getpin');
    await rightful.dtmf('77#');
    await rightful.entersBridge('conference-671');
    expect(rightful.played()).not.toContain('sound:conference/pin-locked');
    // The wait is the room's (12 wrong PINs): doubled from 300 ms up to the 600 ms cap, and heard as silence before the prompt.
    const [delay] = logsOf(rightful, 'pin-delay');
    expect(delay?.delayMs).toBe(600);
    const promptAt = Date.parse(
      String(
        s.driver.events.find(
          (e) => e.type === 'PlaybackStarted' && (e.playback as { target_uri: string }).target_uri === `channel:${rightful.appChannel}`,
        )?.timestamp,
      ),
    );
    expect(promptAt - Date.parse(String(delay?.timestamp))).toBeGreaterThanOrEqual(550);
    const waits = s.harness.logs.filter((l) => l.event === 'pin-delay' && l.room === '671').map((l) => l.delayMs as number);
    expect(Math.max(...waits)).toBe(600);

    const lockouts = await api('GET', '/lockouts');
    expect(lockouts.json.rooms).toContainEqual({ room: '671', failures: 12, delayMs: 600 });
    expect(
      lockouts.json.callers
        .filter((c: { callerId: string }) => c.callerId.startsWith('70'))
        .map((c: { callerId: string }) => c.callerId)
        .sort(),
    ).toEqual(['701', '702', '703', '704']);
  });

  it('refuses a number that keyed too many wrong PINs while another number gets in; the operator lists the lockout and clears it, then that number gets in', async () => {
    const lockoutsBefore = metricValue((await api('GET', '/metrics', null)).text, 'conference_pin_lockouts_total');
    const host = await joinRoom(s.driver, '88670', { pin: '4242' });
    await host.entersBridge('conference-670');
    const attacker = await guess('666', '670', ['9173', '8264', '7355']);
    await attacker.hears('sound:conference/pin-locked');
    await attacker.hears('sound:goodbye');
    await attacker.hungUp();

    // Calling back with the right PIN: refused before any PIN is taken.
    const again = await s.driver.call('88670', { callerId: '666' });
    await again.hears('sound:conference/pin-locked');
    await again.hungUp();
    expect(again.played()).not.toContain('sound:conf-getpin');
    const refusals = s.harness.logs.filter((l) => l.callerId === '666' && (l.event === 'wrong-pin' || l.reason === 'pin-locked'));
    expect(refusals.map((l) => l.event)).toEqual(['wrong-pin', 'wrong-pin', 'wrong-pin', 'refused', 'refused']);
    expect(metricValue((await api('GET', '/metrics', null)).text, 'conference_pin_lockouts_total')).toBe(lockoutsBefore + 1);

    // Another number keys the right PIN and gets in.
    const colleague = await joinRoom(s.driver, '88670', { pin: '4242' });
    await colleague.entersBridge('conference-670');

    // The operator sees the lockout (token needed, as for the room routes) and clears it.
    expect((await api('GET', '/lockouts', null)).status).toBe(401);
    const listed = await api('GET', '/lockouts');
    expect(listed.status).toBe(200);
    const entry = listed.json.callers.find((c: { callerId: string }) => c.callerId === '666');
    expect(entry).toEqual({ callerId: '666', callerKind: 'internal', failures: 3, lockedUntil: expect.any(String), delayMs: 0 });
    // Locked for lockoutSeconds (60) from the wrong PIN that locked it.
    const lockedAt = Date.parse(
      String(s.harness.logs.find((l) => l.callerId === '666' && l.event === 'wrong-pin' && l.locked === true)?.timestamp),
    );
    expect(Date.parse(entry.lockedUntil) - lockedAt).toBeGreaterThan(59_000);
    expect(Date.parse(entry.lockedUntil) - lockedAt).toBeLessThanOrEqual(60_000);
    expect(listed.json.rooms).toContainEqual({ room: '670', failures: 3, delayMs: 300 });
    for (const pin of ['4242', '9173', '8264', '7355']) expect(listed.text).not.toContain(pin);

    expect((await api('DELETE', '/lockouts/callers/666', null)).status).toBe(401);
    const cleared = await api('DELETE', '/lockouts/callers/666');
    expect([cleared.status, cleared.json]).toEqual([200, { callerId: '666', cleared: true }]);
    expect((await api('DELETE', '/lockouts/callers/666')).status).toBe(404);
    expect((await api('GET', '/lockouts')).json.callers.map((c: { callerId: string }) => c.callerId)).not.toContain('666');
    expect(s.harness.logs.filter((l) => l.event === 'admin' && l.action === 'clear-lockout')).toEqual([
      expect.objectContaining({ callerId: '666', wasLockedOut: true, failures: 3 }),
    ]);
    await waitUntil(() => readFileSync(eventsPath, 'utf8').includes('clear-lockout'), 5000, 'the clear in the events log');
    const audit = readFileSync(eventsPath, 'utf8')
      .split('\n')
      .filter((line) => line.includes('clear-lockout'))
      .map((line) => JSON.parse(line) as unknown);
    expect(audit).toEqual([{ event: 'admin', time: expect.any(String), action: 'clear-lockout', callerId: '666', wasLockedOut: true }]);

    const back = await s.driver.call('88670', { callerId: '666' });
    await back.hears('sound:conf-getpin');
    await back.dtmf('4242#');
    await back.entersBridge('conference-670');
    for (const pin of ['4242', '9173', '8264', '7355']) expect(s.harness.logText.some((line) => line.includes(pin))).toBe(false);
  });

  it('never locks out callers who withhold their number: one keying wrong PINs over and over shuts no other out', async () => {
    const host = await joinRoom(s.driver, '88674', { pin: '55' });
    await host.entersBridge('conference-674');
    for (let call = 0; call < 2; call++) {
      const withheld = await guess('anonymous', '674', ['1', '2', '3'], 'from-external');
      await withheld.hears('sound:goodbye');
      await withheld.hungUp();
      expect(withheld.played()).not.toContain('sound:conference/pin-locked');
    }
    const rightful = await guess('anonymous', '674', ['55'], 'from-external');
    await rightful.entersBridge('conference-674');
    expect((await api('GET', '/lockouts')).json.callers.map((c: { callerId: string }) => c.callerId)).not.toContain('anonymous');
  });

  it('slows a number down before locking it: a pause before its next try', async () => {
    const host = await joinRoom(s.driver, '88673', { pin: '5' });
    await host.entersBridge('conference-673');
    const slow = await guess('710', '673', ['1', '2']);
    await s.driver.waitFor(() => slow.played().filter((m) => m === 'sound:conf-invalidpin').length === 2, 8000, 'second refusal');
    expect(logsOf(slow, 'pin-delay').map((l) => l.delayMs)).toEqual([300]);
    // What the caller notices: silence between the second wrong PIN and "that PIN is invalid".
    const keyedAt = Date.parse(String(logsOf(slow, 'wrong-pin')[1]?.timestamp));
    const refusal = slow.played().lastIndexOf('sound:conf-invalidpin');
    const refusedAt = Date.parse(
      String(
        s.driver.events.filter(
          (e) => e.type === 'PlaybackStarted' && (e.playback as { target_uri: string }).target_uri === `channel:${slow.appChannel}`,
        )[refusal]?.timestamp,
      ),
    );
    expect(refusedAt - keyedAt).toBeGreaterThanOrEqual(250);
  });
});
