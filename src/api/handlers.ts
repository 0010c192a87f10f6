import { AdminError, AdminOutcome, AdminRoom, ConferenceAdmin, Health, RecordingOutcome } from '../app/conferenceAdmin';
import { ConferenceMetrics } from '../app/conferenceMetrics';
import { ActiveRecording } from '../app/roomRecordings';
import { InviteStart } from '../app/dialOut';
import { GuardCounts } from '../domain/pinGuard';
import { VERSION } from '../version';
import { Route } from './routes';

export type ApiResponse =
  { readonly status: number; readonly json: unknown } | { readonly status: number; readonly text: string; readonly contentType: string };

/**
 * Each route, as a call to the app and its answer; HTTP details stay in the server. `node` (in a
 * cluster) names this node in its rooms' views.
 */
export function createHandler(admin: ConferenceAdmin, metrics: ConferenceMetrics, node?: string): (route: Route) => Promise<ApiResponse> {
  return async (route) => {
    switch (route.name) {
      case 'health': {
        const { writeFailures, ...health } = await admin.health();
        // Degraded still answers 200: calls go on, but an admin has something to see to.
        const status = !health.healthy ? 'unavailable' : writeFailures.length > 0 ? 'degraded' : 'ok';
        return {
          status: health.healthy ? 200 : 503,
          json: { status, version: VERSION, ...health, writeErrors: writeFailures.map(writeErrorView) },
        };
      }
      case 'metrics':
        return { status: 200, text: await metrics.text(), contentType: metrics.contentType };
      case 'rooms':
        return { status: 200, json: { rooms: admin.rooms().map((room) => roomView(room, node)) } };
      case 'room': {
        const room = admin.room(route.room);
        return room ? { status: 200, json: roomView(room, node) } : failure('unknown-room', `no room ${route.room}`);
      }
      case 'kick':
        return answer(await admin.kick(route.room, route.channel), route, { room: route.room, channel: route.channel, kicked: true });
      case 'mute':
        return answer(await admin.setMuted(route.room, route.channel, route.muted), route, {
          room: route.room,
          channel: route.channel,
          muted: route.muted,
        });
      case 'lock':
        return answer(await admin.setLocked(route.room, route.locked), route, { room: route.room, locked: route.locked });
      case 'lecture':
        return answer(await admin.setLecture(route.room, route.on), route, { room: route.room, lecture: route.on });
      case 'end':
        return answer(admin.end(route.room), route, { room: route.room, ended: true });
      case 'recording':
        return recordingAnswer(await admin.setRecording(route.room, route.on), route.room, route.on);
      case 'dial':
        return dialAnswer(await admin.dial(route.room, route.number), route.room, route.number);
      case 'lockouts':
        return { status: 200, json: lockoutsView(await admin.lockouts()) };
      case 'clear-lockout':
        return answer(await admin.clearLockout(route.callerId), route, { callerId: route.callerId, cleared: true });
      case 'drain':
        return answer(await admin.setDraining(route.draining), route, { node, draining: route.draining });
    }
  };
}

/** A file the app cannot write: which setting names it, where, what the system answered, since when. */
function writeErrorView({ cause, since, ...failure }: Health['writeFailures'][number]): unknown {
  return { ...failure, error: cause, since: new Date(since).toISOString() };
}

/** 202: the number is being called (the outcome is in the events log); else why not, naming the setting. */
function dialAnswer(start: InviteStart, room: string, number: string): ApiResponse {
  if (start.kind === 'calling') return { status: 202, json: { room, number, calling: true, invite: start.invitation.id } };
  if (start.kind === 'failed') return { status: 502, json: { error: `Asterisk would not call ${number}: ${start.error}` } };
  const refusals: Record<typeof start.reason, [number, string]> = {
    'unknown-room': [404, `no room ${room}`],
    'bad-number': [400, `${number} is not a number to call: up to 32 digits, with a leading + at most`],
    'not-allowed': [403, `${number} is not in dialOut.allowedNumbers: it may not be called`],
    'too-many': [409, `room ${room} has dialOut.maxPerRoom calls out under way already`],
  };
  const [status, error] = refusals[start.reason];
  return { status, json: { error } };
}

/** A recording started or stopped (with its file), or why not: 507 names the setting that stopped it. */
function recordingAnswer(outcome: RecordingOutcome, room: string, on: boolean): ApiResponse {
  if (outcome.ok) return { status: 200, json: { room, recording: on, ...recordingView(outcome.recording) } };
  if (outcome.error !== 'no-recording') {
    const unchanged = `room ${room} is ${on ? 'already being recorded' : 'not being recorded'}`;
    return failure(outcome.error, outcome.error === 'unchanged' ? unchanged : `no room ${room}`);
  }
  const { refusal } = outcome;
  if (refusal.kind === 'failed')
    return { status: 502, json: { error: `Asterisk would not record room ${room}: see the log (recording-failed)` } };
  const error =
    refusal.kind === 'disk-low'
      ? `only ${refusal.freeMb} MB free in ${refusal.folder}, below recording.minFreeMb (${refusal.minFreeMb} MB): no recording starts`
      : `the recordings folder ${refusal.folder} (recording.folder) cannot be used: ${refusal.error}`;
  return { status: 507, json: { error } };
}

function recordingView(recording: ActiveRecording): { name: string; file: string; startedAt: string } {
  return { name: recording.name, file: recording.file, startedAt: new Date(recording.startedAt).toISOString() };
}

/** What the API shows of a room: never its PIN, nor whether it has one. */
function roomView(room: AdminRoom, node: string | undefined): unknown {
  return {
    room: room.room,
    ...(node === undefined ? {} : { node }),
    bridge: room.bridgeId,
    createdAt: new Date(room.createdAt).toISOString(),
    locked: room.locked,
    permanent: room.permanent,
    lecture: room.lecture,
    participants: room.members.map((m) => ({
      channel: m.channelId,
      callerId: m.callerId,
      joinedAt: new Date(m.joinedAt).toISOString(),
      role: m.role,
      muted: m.muted,
      handRaised: m.handRaisedAt !== undefined,
      onHold: m.held,
      talking: m.talkingSince !== undefined,
      talkingSince: m.talkingSince === undefined ? null : new Date(m.talkingSince).toISOString(),
    })),
    raisedHands: room.members.filter((m) => m.handRaisedAt !== undefined).length,
    recording: room.recording ? recordingView(room.recording) : null,
    waitingToEnter: room.waiting,
    waitingForLeader: room.waitingForLeader,
  };
}

/** Who is locked out or slowed down, and for how long; never a PIN. */
function lockoutsView(counts: GuardCounts): unknown {
  return {
    callers: counts.callers.map((c) => ({
      callerId: c.number,
      callerKind: c.kind,
      failures: c.failures,
      lockedUntil: c.lockedUntil === undefined ? null : new Date(c.lockedUntil).toISOString(),
      delayMs: c.delayMs,
    })),
    rooms: counts.rooms.map((r) => ({ room: r.room, failures: r.failures, delayMs: r.delayMs })),
  };
}

function answer(outcome: AdminOutcome, route: Route, done: unknown): ApiResponse {
  if (outcome.ok) return { status: 200, json: done };
  const room = 'room' in route ? route.room : '';
  const channel = 'channel' in route ? route.channel : '';
  const messages: Record<AdminError, string> = {
    'unknown-room': `no room ${room}`,
    'unknown-channel': `no participant ${channel} in room ${room}`,
    'unknown-caller': `no wrong PINs counted for caller number ${'callerId' in route ? route.callerId : ''}`,
    unchanged: unchangedMessage(route),
    'not-a-cluster': 'only a node of a cluster (store.url set) can be drained: a single node takes every room',
  };
  return failure(outcome.error, messages[outcome.error]);
}

function unchangedMessage(route: Route): string {
  if (route.name === 'lock') return `room ${route.room} is already ${route.locked ? 'locked' : 'unlocked'}`;
  if (route.name === 'lecture') return `room ${route.room} is already ${route.on ? 'in' : 'out of'} lecture mode`;
  if (route.name === 'mute') return `participant ${route.channel} is already ${route.muted ? 'muted' : 'unmuted'}`;
  if (route.name === 'drain') return `this node is already ${route.draining ? 'draining' : 'taking new rooms'}`;
  return 'nothing to change';
}

function failure(error: AdminError, message: string): ApiResponse {
  return { status: error === 'unchanged' || error === 'not-a-cluster' ? 409 : 404, json: { error: message } };
}
