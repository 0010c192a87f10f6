/**
 * `make soak`: a bounded soak of the conference app against the test Asterisk. Calls come in
 * waves, each one a random kind (join, wrong PIN, random room, hang up early at a random
 * point); at the end every caller has gone and the app must hold nothing: no sessions, rooms,
 * reservations, playbacks, queued bridge work, timers or listeners, and a flat heap.
 *
 *   SOAK_CALLS (2000)  SOAK_WAVE (50)  SOAK_SEED (random)
 * Exits non-zero on a leak or a failed call.
 */
import { randomInt } from 'node:crypto';
import { isDialplanSettingsChannel } from '../src/app/dialplanSettings';
import { AppHarness } from '../tests/helpers/appHarness';
import { waitUntil } from '../harness/waitUntil';
import { Caller } from '../harness/caller';
import { TestDriver } from '../harness/testDriver';
import { asteriskScript } from '../harness/testEnv';

const CALLS = Number(process.env.SOAK_CALLS ?? 2000);
const WAVE = Number(process.env.SOAK_WAVE ?? 50);
const SEED = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : randomInt(2 ** 31);

type Kind = 'join' | 'wrong-pin' | 'random-room' | 'hangup-at-prompt' | 'hangup-after-pin';
const KINDS: readonly Kind[] = ['join', 'join', 'join', 'wrong-pin', 'random-room', 'hangup-at-prompt', 'hangup-after-pin'];

let state = SEED >>> 0;
function next(n: number): number {
  state = (state * 1664525 + 1013904223) >>> 0;
  return state % n;
}
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rooms 900-919 come and go; rooms 920-929 are held open by a host for the whole run, so a
 * wrong PIN there is always wrong. A room's PIN is its number: every joiner knows it, and a
 * random room's creator sets it so too (a draw may land on one of the soak's numbers).
 */
async function oneCall(driver: TestDriver, kind: Kind): Promise<'joined' | 'done'> {
  const room = String(kind === 'wrong-pin' ? 920 + next(10) : 900 + next(30));
  const caller: Caller = await driver.call(kind === 'random-room' ? '88000' : `88${room}`);
  try {
    await caller.answered();
    switch (kind) {
      case 'hangup-at-prompt':
        await caller.hears('sound:conf-getpin');
        return 'done';
      case 'hangup-after-pin':
        await caller.dtmf(`${room}#`, 40, 40);
        await pause(next(300));
        return 'done';
      case 'wrong-pin':
        await caller.dtmf('0#', 40, 40);
        await caller.hears('sound:conf-invalidpin', { timeoutMs: 15000 });
        return 'done';
      case 'random-room':
        await caller.hears('sound:conf-getpin', { timeoutMs: 15000 });
        // The drawn number may be one of the soak's rooms: its PIN is its number, as for every room.
        await caller.dtmf(
          `${
            caller
              .played()
              .find((m) => m.startsWith('digits:'))
              ?.slice('digits:'.length) ?? ''
          }#`,
          40,
          40,
        );
        await driver.waitFor(
          (e) => e.type === 'ChannelEnteredBridge' && (e.channel as { id: string }).id === caller.appChannel,
          15000,
          'random room join',
        );
        await pause(next(1000));
        return 'joined';
      case 'join':
        await caller.dtmf(`${room}#`, 40, 40);
        await caller.entersBridge(`conference-${room}`, { timeoutMs: 15000 });
        await pause(next(1000));
        return 'joined';
    }
  } finally {
    await caller.hangup();
  }
}

/** A failure's story, from the app's log of its wave: the call's lines and its room's. */
function tellStory(failure: string, logs: ReadonlyArray<Record<string, unknown>>): void {
  const call = /app-[0-9a-f-]{36}/.exec(failure)?.[0];
  const room = /conference-(\d+)/.exec(failure)?.[1];
  const dialled = new Set(room === undefined ? [] : logs.filter((l) => l.dialled === room).map((l) => l.call));
  const story = logs.filter(
    (l) => (call !== undefined && l.call === call) || (room !== undefined && l.room === room) || dialled.has(l.call),
  );
  process.stderr.write(`\nfailure: ${failure}\n${story.map((l) => JSON.stringify(l)).join('\n')}\n`);
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
}

function heapMb(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function main(): Promise<void> {
  asteriskScript(['up'], { inherit: true });
  const driver = await TestDriver.connect();
  try {
    await soak(driver);
  } finally {
    // Whatever happens, the soak's callers do not outlive it (a next app would take them over).
    await driver.close();
  }
}

async function soak(driver: TestDriver): Promise<void> {
  const leftovers = await driver.rest.get<Array<{ id: string }>>('/channels');
  if (leftovers.length > 0)
    throw new Error(`the test Asterisk still has ${leftovers.length} channels from an earlier run: make down-test, then try again`);
  // Brute-force limits out of the way: the soak's wrong PINs must not lock its rooms.
  const harness = await AppHarness.start({
    bruteForce: { windowSeconds: 1, slowAfter: 1000, delayMs: 0, maxDelayMs: 0, lockAfter: 1000, lockoutSeconds: 1 },
  });
  const app = harness.app;
  const listenersBefore = app.events.listenerCount('event');
  const hosts: Caller[] = [];
  for (let room = 920; room < 930; room++) {
    const host = await driver.call(`88${room}`);
    await host.dtmf(`${room}#`, 40, 40);
    await host.entersBridge(`conference-${room}`);
    hosts.push(host);
  }
  let placed = 0;
  const ariErrors: string[] = [];
  let joined = 0;
  const failures: string[] = [];
  let heapBefore = 0;
  let timersBefore = 0;
  const started = Date.now();

  for (let wave = 0; placed < CALLS; wave++) {
    const size = Math.min(WAVE, CALLS - placed);
    placed += size;
    const outcomes = await Promise.allSettled(Array.from({ length: size }, () => oneCall(driver, KINDS[next(KINDS.length)]!)));
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') joined += outcome.value === 'joined' ? 1 : 0;
      else {
        failures.push(String(outcome.reason));
        tellStory(String(outcome.reason), harness.logs);
      }
    }
    // The driver's and the harness's own memory, not the app's.
    driver.events.length = 0;
    for (const line of harness.logs.filter((l) => l.event === 'ari-error'))
      ariErrors.push(String(line.error).replace(/[0-9a-f-]{36}/g, '<id>'));
    harness.logs.length = 0;
    harness.logText.length = 0;
    if (wave === 1) {
      await waitUntil(() => app.stats().sessions === hosts.length, 20000, 'the app to settle after warm-up');
      heapBefore = heapMb();
      timersBefore = timers();
    }
    process.stdout.write(`\rsoak: ${placed}/${CALLS} calls, ${joined} joined, ${failures.length} failed`);
  }
  process.stdout.write('\n');
  for (const host of hosts) await host.hangup();

  await waitUntil(
    async () => (await driver.conferenceBridges()).size === 0 && app.stats().sessions === 0,
    30000,
    'every call to be gone',
  ).catch(() => undefined);
  await pause(1500); // the brute-force window (1 s) passes; its sweep runs below
  await app.sweepGuard();
  const stats = app.stats();
  const leaks = {
    sessions: stats.sessions,
    rooms: stats.rooms,
    playbacks: stats.playbacks,
    queuedBridgeWork: stats.roomQueues,
    guardEntries: stats.guardEntries,
    conferenceBridgesInAsterisk: (await driver.conferenceBridges()).size,
    // The app's store of its number in AstDB (every 20 s, some 25 ms) is no call.
    channelsInAsterisk: (await driver.rest.get<Array<{ id: string }>>('/channels')).filter((c) => !isDialplanSettingsChannel(c.id)).length,
    timers: Math.max(0, timers() - timersBefore),
    eventListeners: app.events.listenerCount('event') - listenersBefore,
  };
  const heapAfter = heapMb();
  const leaked = Object.values(leaks).reduce((sum, n) => sum + n, 0);
  const report = {
    seed: SEED,
    calls: placed,
    joined,
    failures: failures.length,
    // Expected races show here too (a prompt stopped as it ended); each kind once.
    ariErrors: ariErrors.length,
    ariErrorKinds: [...new Set(ariErrors)],
    seconds: Math.round((Date.now() - started) / 1000),
    leaks,
    leakedObjects: leaked,
    heapMb: { before: Number(heapBefore.toFixed(1)), after: Number(heapAfter.toFixed(1)) },
  };
  console.log(JSON.stringify(report, null, 2));
  for (const failure of new Set(failures)) console.log(`failure: ${failure}`);
  await harness.stop();
  // Flat heap: growth past a few MB over thousands of calls would be per-call state kept.
  const heapGrew = heapAfter - heapBefore > 8;
  if (heapGrew) console.log('heap grew by more than 8 MB');
  process.exit(leaked === 0 && failures.length === 0 && !heapGrew ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
