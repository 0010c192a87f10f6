/**
 * `make bench`, part 2: the app's work per call event must not grow with the number of rooms
 * or participants. The room registry and the playback tracker (what every join, leave, key
 * and prompt event touches) are timed with 1 to 1,000 live rooms of 4 participants each,
 * without Asterisk (no-op bridge operations), and compared as ratios to the 1-room case.
 */
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AriCalls } from '../src/ari/ariCalls';
import { Playbacks } from '../src/ari/playbacks';
import { Admit, RoomRegistry } from '../src/app/roomRegistry';
import { EmbeddedRoomState } from '../src/app/roomStateStore';
import { admission } from '../src/domain/admission';
import { ConferenceEvents } from '../src/app/conferenceEvents';
import { JoinsInFlight } from '../src/app/joinsInFlight';
import { instantBridges, noSpokenNames } from '../harness/instantBridges';

/** The admission rules as a busy server runs them: every switch open, rooms of up to 5,000. */
const limits = { maxRooms: 10_000, maxParticipantsPerRoom: 5000 };
const admit: Admit = (room) => admission({ enabled: true, externalAccess: true, externalMayStart: true, limits }, 'internal', room);
/** The bench's callers never hang up on the way in. */
const LIVE = new AbortController().signal;
const pending = (): Promise<boolean> => new Promise(() => undefined);
const fakeAri = { playOnChannel: pending, stopPlayback: pending } as unknown as AriCalls;

async function populated(rooms: number): Promise<{ registry: RoomRegistry; playbacks: Playbacks }> {
  const registry = new RoomRegistry(
    new EmbeddedRoomState({ set: () => Promise.resolve(), delete: () => undefined }),
    instantBridges,
    randomInt,
    Date.now,
    { joinTone: undefined, leaveTone: undefined },
    new ConferenceEvents(),
    new JoinsInFlight(50, 1000),
    noSpokenNames,
  );
  const playbacks = new Playbacks(fakeAri, () => undefined);
  for (let r = 0; r < rooms; r++) {
    const room = String(1000 + r);
    for (let m = 0; m < 4; m++) {
      const id = `${room}-${m}`;
      await registry.enter(room, id, LIVE, admit);
      if (m === 0) await registry.setPin(room, id, '1');
      await registry.join(room, id, { channelId: id, callerId: '201', keyedAt: 0, role: 'participant', muted: false }, admit);
      playbacks.play(id, ['sound:beep'], 'en'); // a prompt still tracked for every participant
    }
  }
  return { registry, playbacks };
}

/** One caller's life in a busy server: a room, its PIN, a prompt, the join, a key, the leave. */
async function callCycle(registry: RoomRegistry, playbacks: Playbacks, i: number): Promise<void> {
  const id = `cycle-${i}`;
  const room = '555';
  await registry.enter(room, id, LIVE, admit);
  await registry.setPin(room, id, '4321');
  const prompt = playbacks.play(id, ['sound:conf-getpin'], 'en');
  playbacks.onEvent({ type: 'PlaybackStarted', playback: { id: prompt.id } });
  playbacks.onEvent({ type: 'PlaybackFinished', playback: { id: prompt.id } });
  await registry.join(room, id, { channelId: id, callerId: '201', keyedAt: 0, role: 'participant', muted: false }, admit);
  registry.isMuted(room, id);
  registry.memberCount(room);
  // A late caller into an existing room: PIN check and join.
  const other = `other-${i}`;
  await registry.enter('1000', other, LIVE, admit);
  await registry.roleForPin('1000', '1');
  await registry.join('1000', other, { channelId: other, callerId: '202', keyedAt: 0, role: 'participant', muted: false }, admit);
  await registry.depart('1000', other, other);
  await registry.depart(room, id, id);
  playbacks.forgetChannel(id);
}

async function nsPerCycle(rooms: number, cycles: number): Promise<number> {
  const { registry, playbacks } = await populated(rooms);
  for (let i = 0; i < 2000; i++) await callCycle(registry, playbacks, i); // warm-up
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.hrtime.bigint();
  for (let i = 0; i < cycles; i++) await callCycle(registry, playbacks, i);
  return Number(process.hrtime.bigint() - start) / cycles;
}

async function main(): Promise<void> {
  const cycles = Number(process.env.BENCH_CYCLES ?? 20000);
  const results: Array<{ rooms: number; participants: number; nsPerCall: number; ratioTo1Room: number }> = [];
  let base = 0;
  for (const rooms of [1, 10, 100, 1000]) {
    // Best of three: the figure is the code's cost, not the machine's noise.
    const runs = [await nsPerCycle(rooms, cycles), await nsPerCycle(rooms, cycles), await nsPerCycle(rooms, cycles)];
    const ns = Math.min(...runs);
    if (rooms === 1) base = ns;
    results.push({ rooms, participants: rooms * 4, nsPerCall: Math.round(ns), ratioTo1Room: Number((ns / base).toFixed(2)) });
  }
  const rows = ['| live rooms | live participants | app work per call (ns) | ratio to 1 room |', '|---|---|---|---|'];
  for (const r of results) rows.push(`| ${r.rooms} | ${r.participants} | ${r.nsPerCall} | ${r.ratioTo1Room} |`);
  console.log(`\nPer-call work in the registry and playback tracker, by number of live rooms:\n\n${rows.join('\n')}\n`);
  writeFileSync(join(__dirname, 'results', 'per-event.json'), JSON.stringify(results, null, 2));
  writeFileSync(join(__dirname, 'results', 'per-event.md'), `${rows.join('\n')}\n`);
}

void main();
