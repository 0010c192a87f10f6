import { admission, Refusal, RoomState } from '../domain/admission';
import { EntryMode } from '../domain/digitCollector';
import { callerNumberOf, PinGuard } from '../domain/pinGuard';
import { Role } from '../domain/permanentRooms';
import { parseDialledSuffix, parseRoomEntry } from '../domain/roomNumber';
import { RoomRequest } from '../domain/types';
import { Settings } from '../config/schema';
import { Logger } from '../logger';
import { CallIO } from './callIO';
import { CallEnded, CallSession, endedBy } from './callSession';
import { ConferenceEvents, RefusalReason } from './conferenceEvents';
import { JoinsInFlight } from './joinsInFlight';
import { askToSpeak, digitsOf, othersAnnouncement, REFUSAL_SOUND, Sound } from './media';
import { Admit, EnterOutcome, RoomRegistry } from './roomRegistry';
import { RoomPlacement } from './roomPlacement';
import { RoomHome } from './roomStateStore';
import { SpokenNames } from './spokenNames';
import { DialOut } from './dialOut';
import { spokenNamesIn } from '../domain/spokenName';

export interface FlowDeps {
  /** The settings in force when the call arrived; a later change applies to later calls. */
  readonly settings: Settings;
  readonly rooms: RoomRegistry;
  readonly guard: PinGuard;
  readonly now: () => number;
  readonly log: Logger;
  readonly events: ConferenceEvents;
  /** Joins under way app-wide: announcements wait for a burst of them to go through. */
  readonly joins: JoinsInFlight;
  /** Where a room started by a caller landing here goes: here, or a less loaded node. */
  readonly placement: Pick<RoomPlacement, 'elsewhere'>;
  /** Callers' recorded names (spoken names). */
  readonly names: Pick<SpokenNames, 'nameFor'>;
  /** Calls out of rooms: an invited call, answered, comes through here. */
  readonly dialOut: Pick<DialOut, 'answered' | 'settle'>;
}

/** How a caller's flow ended: in a room (the call goes on), or done (hang the call up). */
export type FlowEnd = 'in-conference' | 'hang-up';
/** 'first': this caller sets the room's PIN; 'later': checked against it. */
type CallerRole = 'first' | 'later';

const ROOM_ENTRY: EntryMode = { kind: 'room' };
const CHOICE: EntryMode = { kind: 'key' };
/** How long a caller waits for the first caller's PIN in silence before the music starts. */
const HOLD_MUSIC_GRACE_MS = 400;
/** How often a caller passed on may find the room's node lost and the room started again, before being refused. */
const MAX_RELINKS = 2;
/** How often a caller back from a lost node asks whether the room is free to start again. */
const REHOME_POLL_MS = 500;
/** Past the lost node's lease: the store's answer and a renewal that was under way. */
const REHOME_SLACK_MS = 2000;

/**
 * The caller's way in, as SPEC.md tells it: admission, room (keyed, dialled or random),
 * PIN (set by the first caller, checked for the others), then the bridge.
 * Decisions come from the pure domain; this function only sequences them.
 */
export async function runCallerFlow(session: CallSession, io: CallIO, deps: FlowDeps): Promise<FlowEnd> {
  const { settings, log } = deps;
  const { callerKind, via } = session.info;
  await io.answer();
  if (via.kind === 'invited') return answerInvitation(session, io, deps);

  const admit: Admit = (room) => admission(settings, callerKind, room);
  const arrival = admit({ kind: 'none' });
  if (arrival.kind === 'refused') return refuseFor(session, io, deps, arrival.reason, undefined);

  const request = await askRoom(session, io, deps);
  if (!request) return goodbye(io, Sound.invalidRoom);

  // The room entry's '#' and the hangup can come in one read of the socket: the departure is
  // then handled before this line, and a room taken now would be held by nobody, for ever.
  if (session.signal.aborted) throw endedBy(session.signal);
  let room: string;
  let role: CallerRole;
  let announce: string[] = [];
  let relinked = false;
  // Refused before the room is taken: a caller who may not start one leaves no trace of it.
  if (request.kind === 'random') {
    const drawn = await deps.rooms.reserveRandom(request.digits, session.id, session.signal, admit);
    if (drawn.kind === 'refused') return refuseFor(session, io, deps, drawn.reason, undefined);
    if (drawn.kind === 'none-free') return refuse(session, io, deps, 'no-free-room', undefined, { digits: request.digits });
    room = drawn.room;
    role = 'first';
    announce = [Sound.yourNumberIs, digitsOf(room)];
    log.info('random room reserved', { event: 'reserved', room });
  } else {
    room = request.room;
    const entered = await enterOrPassOn(session, io, deps, room, admit);
    if (entered.kind === 'refused') return refuseFor(session, io, deps, entered.reason, roomOfRefusal(entered.reason, room));
    if (entered.kind === 'done') return entered.end;
    role = entered.kind === 'first' ? 'first' : 'later';
    relinked = entered.relinked;
  }
  session.room = room;

  // A caller the room let in on a node lost since is not asked again.
  const admittedAs = admittedId(session, relinked);
  const readmitted = role === 'later' && admittedAs !== undefined && (await deps.rooms.wasAdmitted(admittedAs, room));
  // After a 4-digit room the '#' is optional: one keyed right after it ends the room entry.
  const afterFourDigitRoom = room.length === 4;
  const admitted: Admitted | undefined = readmitted
    ? { keyedAt: deps.now(), role: 'participant' }
    : await askPin(session, io, deps, admit, room, role, announce, afterFourDigitRoom);
  if (admitted === undefined) return 'hang-up';
  return joinRoom(session, io, deps, room, admitted, admit, { readmitted, callerId: session.info.callerId });
}

/**
 * The way into the room once let in: the caller's name (spoken names), the leader waited for,
 * muted if they are to start so, into the bridge, then told where they are.
 * `readmitted`: back from a lost node, told they are reconnected.
 */
async function joinRoom(
  session: CallSession,
  io: CallIO,
  deps: FlowDeps,
  room: string,
  admitted: Admitted,
  admit: Admit,
  { readmitted, callerId }: { readmitted: boolean; callerId: string },
): Promise<FlowEnd> {
  const { settings, log } = deps;
  const { via } = session.info;
  let { keyedAt } = admitted;
  const inRole = admitted.role;
  // A caller back from a lost node was announced there already.
  const named = !readmitted && spokenNamesIn(deps.rooms.permanentOf(room), settings.spokenNames.enabled);
  const spokenName = named ? await recordName(session, io, deps, room) : undefined;
  if (named) keyedAt = deps.now();

  if (inRole === 'participant' && deps.rooms.waitsForLeader(room)) {
    await waitForLeader(session, io, deps, room);
    keyedAt = deps.now();
  }
  // Muted before being added: the room never hears a participant who is to start muted, nor one
  // joining a lecture (they ask to speak by raising a hand).
  const lecture = inRole === 'participant' && deps.rooms.isLecture(room);
  const muted = lecture || (inRole === 'participant' && deps.rooms.permanentOf(room)?.startMuted === true);
  if (muted) await io.mute(true);
  const joiner = { channelId: session.id, callerId, keyedAt, role: inRole, muted, spokenName };
  const joined = await deps.rooms.join(room, session.id, joiner, admit);
  if (joined.kind === 'gone') return 'hang-up';
  if (joined.kind === 'no-bridge') return refuse(session, io, deps, 'no-bridge', room);
  if (joined.kind === 'refused') return refuseFor(session, io, deps, joined.reason, room);
  session.inConference = true;
  // A participant is what a restarted app takes a caller for: only a leader is written down.
  if (inRole === 'leader') await io.markRole(inRole);
  // joinMs: from the PIN's last key, as the app saw it, to Asterisk's answer that the caller is in.
  log.info('joined', { event: 'joined', room, others: joined.others, joinMs: deps.now() - keyedAt, readmitted, role: inRole });
  if (via.kind === 'link' && via.landed) await recordAdmitted(deps, via.landed, room);

  // After a burst of joins has gone through: starting playbacks would slow the others' joins.
  await deps.joins.settled();
  const { enabled: detectTalking, ...thresholds } = settings.talkDetection;
  // Without it the call goes on: only GET /rooms's talking is missing.
  if (detectTalking) await io.detectTalking(thresholds).catch((error: unknown) => notFatal(error, log, 'talk-detection-failed'));
  const mutedTold = !muted ? [] : [Sound.muted, ...(lecture ? askToSpeak(settings.conferenceKeys) : [])];
  const welcome = [Sound.entering, digitsOf(room), ...othersAnnouncement(joined.others), ...mutedTold];
  await io.play(readmitted ? [Sound.reconnected] : welcome);
  if (joined.others === 0) await deps.rooms.startHoldMusicIfAlone(room);
  return 'in-conference';
}

/**
 * The caller's name, said after the tone, for "NAME has joined" and "NAME has left"; undefined
 * when Asterisk could not record it (the others then hear the tones).
 */
async function recordName(session: CallSession, io: CallIO, deps: FlowDeps, room: string): Promise<string | undefined> {
  const name = deps.names.nameFor(session.id);
  await io.play([Sound.sayYourName]);
  const recorded = await io.recordName(name, deps.settings.spokenNames.maxSeconds).catch((error: unknown) => {
    notFatal(error, deps.log, 'name-not-recorded');
    return false;
  });
  deps.log.info(recorded ? 'name recorded' : 'name not recorded: the room hears tones for this caller', {
    event: recorded ? 'name-recorded' : 'name-not-recorded',
    room,
  });
  return recorded ? name : undefined;
}

/**
 * A call out of a room, answered: "you are invited to conference 1 2 3, to join press 1". On 1
 * the callee joins as a participant without a PIN, even into a locked room (a leader or the admin
 * called them); anything else, or nothing, is a decline. The invitation ends in one outcome.
 */
async function answerInvitation(session: CallSession, io: CallIO, deps: FlowDeps): Promise<FlowEnd> {
  const invitation = deps.dialOut.answered(session.id);
  if (!invitation) {
    // Made by an app before a restart, or not a call out at all.
    deps.log.warn('an invited call the app knows nothing of: hung up', { event: 'invite-unknown' });
    await io.play([Sound.goodbye]);
    return 'hang-up';
  }
  const { room, number } = invitation;
  let outcome: 'joined' | 'declined' | 'failed' = 'declined';
  try {
    if (!(await acceptsInvitation(io, deps, room))) {
      await io.play([Sound.goodbye]);
      return 'hang-up';
    }
    outcome = 'failed';
    const admit: Admit = (state) => admission(deps.settings, 'internal', unlocked(state));
    const entered = deps.rooms.holds(room) ? await deps.rooms.enter(room, session.id, session.signal, admit) : undefined;
    session.room = room;
    if (entered?.kind !== 'later') {
      deps.log.warn('an invited caller found the room gone or not ready', { event: 'invite-no-room', room, entered: entered?.kind });
      if (entered?.kind === 'refused') return await refuseFor(session, io, deps, entered.reason, room);
      await io.play([Sound.conferenceEnded]);
      return 'hang-up';
    }
    const end = await joinRoom(session, io, deps, room, { keyedAt: deps.now(), role: 'participant' }, admit, {
      readmitted: false,
      callerId: number,
    });
    if (end === 'in-conference') outcome = 'joined';
    return end;
  } finally {
    deps.dialOut.settle(session.id, outcome);
  }
}

/** The callee's answer to the invitation: '1' accepts; another key or silence asks again, up to entry.maxAttempts. */
async function acceptsInvitation(io: CallIO, deps: FlowDeps, room: string): Promise<boolean> {
  for (let attempt = 1; attempt <= deps.settings.entry.maxAttempts; attempt++) {
    const answer = await io.prompt([Sound.invitedTo, digitsOf(room), Sound.pressOneToJoin], CHOICE);
    if (answer.type === 'complete' && answer.value === '1') return true;
  }
  return false;
}

/** A leader or the admin called them in: a locked room lets them in all the same. */
function unlocked(state: RoomState): RoomState {
  return state.kind === 'held' || state.kind === 'joining' ? { ...state, locked: false } : state;
}

type Entered = { kind: 'first' | 'later'; relinked: boolean } | { kind: 'refused'; reason: Refusal } | { kind: 'done'; end: FlowEnd };

/**
 * Into the room here, or passed on to the node that mixes it for as long as that node lasts: when
 * it is lost, the room is entered again (started here, or passed on to its new home).
 */
async function enterOrPassOn(session: CallSession, io: CallIO, deps: FlowDeps, room: string, admit: Admit): Promise<Entered> {
  let lostHome: RoomHome | undefined;
  for (let relinks = 0; ; relinks++) {
    const entered = await enterRoom(session, io, deps, room, admit, lostHome);
    if (entered.kind === 'refused') return entered;
    if (entered.kind !== 'elsewhere') return { kind: entered.kind === 'first' ? 'first' : 'later', relinked: lostHome !== undefined };
    if (relinks > MAX_RELINKS) {
      return {
        kind: 'done',
        end: await refuse(session, io, deps, 'room-elsewhere', room, { cause: `the room's node was lost ${relinks} times` }),
      };
    }
    if (entered.placed) deps.log.info('room started on a less loaded node', { event: 'placed', room, home: entered.home?.node });
    const passed = await passOn(session, io, deps, room, entered.home);
    if (passed !== 'lost') return { kind: 'done', end: passed };
    lostHome = entered.home;
    deps.log.warn("the room's node was lost: the caller enters the room again", { event: 'home-lost', room, home: lostHome?.node });
  }
}

/**
 * The room, entered. A caller whose room's node was lost (`lostHome`) finds the room held there
 * until that node's lease runs out: they wait for it with music, rather than be passed back to a
 * node that is gone, then start the room here or are passed on to its new home.
 */
async function enterRoom(
  session: CallSession,
  io: CallIO,
  deps: FlowDeps,
  room: string,
  admit: Admit,
  lostHome: RoomHome | undefined,
): Promise<EnterOutcome> {
  // A caller passed on here starts the room here: the node that passed it on has placed it.
  const place = session.info.via.kind === 'link' ? undefined : () => deps.placement.elsewhere();
  const enter = (): Promise<EnterOutcome> => deps.rooms.enter(room, session.id, session.signal, admit, place);
  const stillThere = (entered: EnterOutcome): boolean =>
    lostHome !== undefined && entered.kind === 'elsewhere' && entered.home?.node === lostHome.node;
  let entered = await enter();
  if (!stillThere(entered)) return entered;
  deps.log.info('waiting for a lost node to let go of the room', { event: 'rehoming', room, home: lostHome?.node });
  const deadline = deps.now() + deps.settings.store.leaseSeconds * 1000 + REHOME_SLACK_MS;
  await io.hold(true);
  while (stillThere(entered) && deps.now() < deadline) {
    await io.sleep(REHOME_POLL_MS);
    entered = await enter();
  }
  await io.hold(false);
  return entered;
}

/** Under which id the room records a caller it let in: the call's id on the node it landed on. */
function admittedId(session: CallSession, relinked: boolean): string | undefined {
  const { via } = session.info;
  if (via.kind === 'link') return via.landed || undefined;
  return relinked ? session.id : undefined;
}

/** Recorded for the room's next home, should this node be lost; a store that fails here costs the caller nothing now. */
async function recordAdmitted(deps: FlowDeps, landedId: string, room: string): Promise<void> {
  try {
    await deps.rooms.recordAdmitted(landedId, room);
  } catch (error) {
    deps.log.warn('could not record a caller passed on as admitted', { event: 'admitted-not-recorded', room, error: String(error) });
  }
}

/**
 * The room is mixed on another node of the cluster: the caller is passed on to it, and keys the
 * PIN there. Not when this call was passed on already (no loops between nodes), nor to a node
 * that gave no address.
 */
async function passOn(
  session: CallSession,
  io: CallIO,
  deps: FlowDeps,
  room: string,
  home: RoomHome | undefined,
): Promise<FlowEnd | 'lost'> {
  if (session.info.via.kind === 'link') {
    return refuse(session, io, deps, 'room-elsewhere', room, {
      cause: 'passed on here by another node, yet held by a third',
      home: home?.node,
    });
  }
  if (!home?.sipAddress) {
    const cause = home ? `the room's node ${home.node} has no store.sipAddress` : 'the room was let go meanwhile';
    return refuse(session, io, deps, 'room-elsewhere', room, { cause, home: home?.node });
  }
  const { id: channel, info } = session;
  deps.log.info("passed on to the room's node", { event: 'passed-on', room, home: home.node, address: home.sipAddress });
  deps.events.publish({ type: 'passed-on', at: deps.now(), room, channel, callerId: info.callerId, home: home.node });
  // The home ended the call (a leave key, a kick, a refusal): so does this node.
  return (await io.relay(room, home.sipAddress)) === 'lost' ? 'lost' : 'hang-up';
}

/** The room: from the dialled suffix, or keyed after a prompt, with the allowed attempts. */
async function askRoom(session: CallSession, io: CallIO, deps: FlowDeps): Promise<RoomRequest | undefined> {
  const dialled = parseDialledSuffix(session.info.suffix);
  if (dialled.kind === 'request') return dialled.request;
  // An invalid direct dial is said to be so, then the caller is asked as if the number alone was dialled.
  let prompt = dialled.kind === 'invalid' ? [Sound.invalidRoom, Sound.enterRoom] : [Sound.enterRoom];
  for (let attempt = 1; attempt <= deps.settings.entry.maxAttempts; attempt++) {
    const outcome = await io.prompt(prompt, ROOM_ENTRY);
    const request = outcome.type === 'complete' ? parseRoomEntry(outcome.value) : undefined;
    if (request) return request;
    deps.log.info('invalid room entry', {
      event: 'invalid-room',
      attempt,
      reason: outcome.type === 'invalid' ? outcome.reason : 'not-a-room',
    });
    prompt = [Sound.invalidRoom, Sound.enterRoom];
  }
  return undefined;
}

/** A caller let in by their PIN: when they keyed its last key (join latency runs from there), and in which role. */
interface Admitted {
  readonly keyedAt: number;
  readonly role: Role;
}

/**
 * The PIN. The first caller's PIN becomes the room's; a later caller keys theirs, waits if the
 * first is still keying, then is checked (a permanent room's PIN or leader PIN are the settings').
 * Wrong PINs count against the caller and the room.
 */
async function askPin(
  session: CallSession,
  io: CallIO,
  deps: FlowDeps,
  admit: Admit,
  room: string,
  role: CallerRole,
  announce: string[],
  afterFourDigitRoom: boolean,
): Promise<Admitted | undefined> {
  const { settings, rooms, guard, log } = deps;
  const mode: EntryMode = { kind: 'pin', maxLength: settings.entry.pinMaxLength };
  const pinTry = { caller: callerNumberOf(session.info.callerKind, session.info.callerId), room };
  let prompt = [...announce, Sound.enterPin];
  for (let attempt = 1; attempt <= settings.entry.maxAttempts; attempt++) {
    if (role === 'later') {
      const verdict = await guard.check(pinTry, deps.now());
      if (verdict.kind === 'locked') return lockedOut(session, io, deps, room, verdict.retryAfterMs);
      if (verdict.delayMs > 0) {
        log.info('PIN try delayed', { event: 'pin-delay', room, delayMs: verdict.delayMs, callerId: session.info.callerId });
        await io.sleep(verdict.delayMs);
      }
    }
    const outcome = await io.prompt(prompt, attempt === 1 && afterFourDigitRoom ? { ...mode, afterFourDigitRoom } : mode);
    // The PIN's '#' and the hangup can come in one read of the socket, as after the room entry.
    if (session.signal.aborted) throw endedBy(session.signal);
    const keyedAt = deps.now();
    prompt = [Sound.invalidPin, Sound.enterPin];
    if (outcome.type === 'invalid') {
      log.info('invalid PIN entry', { event: 'invalid-pin-entry', room, attempt, reason: outcome.reason });
      continue;
    }
    if (role === 'later' && (await waitForFirstPin(session, io, deps, room)) === 'promoted') {
      role = 'first';
      const promoted = admit(rooms.stateFor(room, session.id));
      if (promoted.kind === 'refused') return refuseFor(session, io, deps, promoted.reason, room).then(() => undefined);
    }
    if (role === 'first') {
      await rooms.setPin(room, session.id, outcome.value);
      log.info('room PIN set', { event: 'pin-set', room, emptyPin: outcome.value === '' });
      return { keyedAt, role: 'participant' };
    }
    const pinRole = await rooms.roleForPin(room, outcome.value);
    if (pinRole) {
      await guard.recordSuccess(pinTry.caller);
      return { keyedAt, role: pinRole };
    }
    const locked = await guard.recordFailure(pinTry, deps.now());
    log.warn('wrong PIN', {
      event: 'wrong-pin',
      room,
      attempt,
      callerId: session.info.callerId,
      callerKind: session.info.callerKind,
      locked,
    });
    deps.events.publish({
      type: 'wrong-pin',
      at: deps.now(),
      room,
      channel: session.id,
      callerId: session.info.callerId,
      lockedOut: locked,
    });
    if (locked) return lockedOut(session, io, deps, room, settings.bruteForce.lockoutSeconds * 1000);
  }
  await goodbye(io, Sound.invalidPin);
  return undefined;
}

/**
 * While the room's first caller is still keying the PIN: music, then the outcome. The music
 * starts only after a short grace: callers who key '#' together need no blip of music (and no
 * two extra requests on the way in).
 */
async function waitForFirstPin(session: CallSession, io: CallIO, deps: FlowDeps, room: string): Promise<'set' | 'promoted'> {
  const pending = deps.rooms.awaitFirstPin(room, session.id, session.signal);
  let settled = false;
  void pending.then(
    () => (settled = true),
    () => (settled = true),
  );
  await Promise.resolve();
  if (settled) return pending;
  deps.log.info('waiting for the first PIN', { event: 'waiting', room });
  const early = await Promise.race([pending, io.sleep(HOLD_MUSIC_GRACE_MS)]);
  if (early !== undefined) return early;
  await io.hold(true);
  const outcome = await pending;
  await io.hold(false);
  return outcome;
}

/**
 * A participant of a room that waits for its leader: told so, then music until a leader joins.
 * Counted among the leader's waiters from the start, so the leader is told they are in.
 */
async function waitForLeader(session: CallSession, io: CallIO, deps: FlowDeps, room: string): Promise<void> {
  let arrived = false;
  const leader = deps.rooms.awaitLeader(room, session.signal).then(() => (arrived = true));
  // Ended calls reject it: the flow ends through the prompt or the music's own CallEnded.
  leader.catch(() => undefined);
  deps.log.info('waiting for the leader', { event: 'waiting-for-leader', room });
  await io.play([Sound.waitForLeader]);
  if (arrived) return;
  await io.hold(true);
  await leader;
  await io.hold(false);
}

async function lockedOut(session: CallSession, io: CallIO, deps: FlowDeps, room: string, retryAfterMs: number): Promise<undefined> {
  await refuse(session, io, deps, 'pin-locked', room, { retryAfterMs, callerKind: session.info.callerKind });
  return undefined;
}

/** Every refusal: logged, published (metrics, events log), and said to the caller. */
async function refuse(
  session: CallSession,
  io: CallIO,
  deps: FlowDeps,
  reason: RefusalReason,
  room: string | undefined,
  details: Record<string, unknown> = {},
): Promise<FlowEnd> {
  deps.log.warn('caller refused', { event: 'refused', reason, room, callerId: session.info.callerId, ...details });
  deps.events.publish({ type: 'refused', at: deps.now(), reason, room, channel: session.id, callerId: session.info.callerId });
  await io.play(REFUSAL_SOUND[reason]);
  return 'hang-up';
}

/** An admission rule's refusal, with the limit that refused the caller. */
function refuseFor(session: CallSession, io: CallIO, deps: FlowDeps, reason: Refusal, room: string | undefined): Promise<FlowEnd> {
  const { limits } = deps.settings;
  if (reason === 'too-many-rooms') return refuse(session, io, deps, reason, room, { limit: limits.maxRooms });
  if (reason === 'room-full') {
    const limit = (room === undefined ? undefined : deps.rooms.permanentOf(room)?.maxParticipants) ?? limits.maxParticipantsPerRoom;
    return refuse(session, io, deps, reason, room, { limit });
  }
  return refuse(session, io, deps, reason, room);
}

/** Today's refusals name the room a caller asked for, except the room limit (no room was started). */
function roomOfRefusal(reason: Refusal, room: string): string | undefined {
  return reason === 'too-many-rooms' ? undefined : room;
}

/** After the last failed attempt: that entry is said to be invalid too, then goodbye. */
async function goodbye(io: CallIO, invalid: string): Promise<FlowEnd> {
  await io.play([invalid, Sound.goodbye]);
  return 'hang-up';
}

/** A step the call can do without (talk detection): logged, and the call goes on; its own end still ends the flow. */
function notFatal(error: unknown, log: Logger, event: string): void {
  if (error instanceof CallEnded) throw error;
  log.warn('could not do a step of the call; it goes on without it', { event, error: String(error) });
}
