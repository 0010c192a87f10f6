import { Key } from '../domain/types';
import { Logger } from '../logger';
import { CallSession, CallVia } from './callSession';
import { INVITE_ARG } from './dialOut';
import { ConferenceEvents } from './conferenceEvents';
import { logRequestFailed } from './requestFailed';

/** How long after a hangup request, or after leaving the room's bridge, a call's StasisEnd may take (it takes milliseconds). */
const DROPPED_GRACE_MS = 2000;

export interface SessionTableDeps {
  readonly log: Logger;
  readonly events: ConferenceEvents;
  readonly now: () => number;
  /** A new call's way in, then its keys in the room; runs until the call's signal aborts. */
  readonly runCall: (session: CallSession) => Promise<void>;
  /** Gives back what an ended call held in its room. */
  readonly leaveRoom: (session: CallSession) => Promise<void>;
  /** Hangs up a call the app lets go of, and lets it out of Stasis; false when it was gone already. */
  readonly release: (channelId: string) => Promise<boolean>;
  /** The call has left Stasis: none of its prompts will report back. */
  readonly forgetPlaybacks: (channelId: string) => void;
}

/**
 * The calls in the app, by channel id: one session per call, registered synchronously when the
 * call arrives (so its hangup and keys, however soon, find it) and ended when it leaves Stasis.
 * A session's end gives back what it held in its room, whatever it was doing.
 */
export class SessionTable {
  private readonly sessions = new Map<string, CallSession>();

  constructor(private readonly deps: SessionTableDeps) {}

  get size(): number {
    return this.sessions.size;
  }

  has(channelId: string): boolean {
    return this.sessions.has(channelId);
  }

  /** The calls held now. */
  channelIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** A call entered the app (StasisStart); a second StasisStart of the same channel changes nothing. */
  start(channel: { readonly id: string; readonly callerNumber: string; readonly answered: boolean }, args: readonly string[]): void {
    if (this.sessions.has(channel.id)) return;
    const [suffix = '', kind = 'internal'] = args;
    const callerKind = kind === 'external' ? 'external' : 'internal';
    const session = new CallSession({
      channelId: channel.id,
      callerKind,
      callerId: channel.callerNumber,
      suffix,
      answered: channel.answered,
      via: callVia(args),
    });
    this.sessions.set(channel.id, session);
    this.deps.events.publish({ type: 'call', at: this.deps.now(), channel: channel.id, callerId: channel.callerNumber, callerKind });
    this.leaveRoomAtEnd(session);
    void this.deps.runCall(session);
  }

  /** A participant found in a bridge after a restart gets a session, so its hangup and keys are handled. */
  adopt(channelId: string, callerId: string, room: string): void {
    const session = new CallSession({ channelId, callerKind: 'internal', callerId, suffix: room, answered: true, via: DIALLED });
    session.room = room;
    session.inConference = true;
    this.sessions.set(channelId, session);
    this.leaveRoomAtEnd(session);
  }

  /** The call has left Stasis (StasisEnd), or the app let go of it: its session ends. */
  end(channelId: string): void {
    const session = this.sessions.get(channelId);
    if (!session) return;
    this.sessions.delete(channelId);
    session.end('hangup');
    this.deps.forgetPlaybacks(channelId);
  }

  /** The room the call is in (in its bridge); undefined on the way in, or for a call passed on to another node. */
  roomIn(channelId: string): string | undefined {
    const session = this.sessions.get(channelId);
    return session?.inConference ? session.room : undefined;
  }

  key(channelId: string, key: Key): void {
    this.sessions.get(channelId)?.key(key);
  }

  /**
   * A participant out of the room's bridge without its call ending: an operator's `bridge kick`,
   * or Asterisk losing a hangup (22.10.1 can leave a caller who hung up waiting in Stasis, out of
   * any bridge, with no StasisEnd).
   */
  leftBridge(channelId: string): void {
    const session = this.sessions.get(channelId);
    if (session?.inConference) this.dropUnlessEnded(session, "participant taken out of the room's bridge: hung up", 'left-bridge');
  }

  /**
   * A call Asterisk says is hanging up leaves Stasis within milliseconds. 22.10.1 can keep such a
   * channel in the room's bridge, deaf to any later hangup, when the other participants leave
   * at the same moment (docs/DECISIONS.md, "A participant out of the bridge, with the call
   * still up"): its session is ended here, so the room ends and its bridge goes.
   */
  hangupRequested(channelId: string): void {
    const session = this.sessions.get(channelId);
    if (!session) return;
    session.hangupRequested = true;
    this.dropUnlessEnded(session, 'call hung up but still in Stasis: ended here', 'hangup-not-done');
  }

  /**
   * The app stops, which is not a hangup: callers stay in their rooms in Asterisk, and their rooms'
   * PINs in the state file, for the next app to take over. So the sessions end without leaving
   * their rooms, and the prompts they hear play out (no stop request, which the closed client would fail).
   */
  letGoAll(): void {
    for (const session of this.sessions.values()) {
      this.deps.forgetPlaybacks(session.id);
      session.room = undefined;
      session.end('shutdown');
    }
    this.sessions.clear();
  }

  private leaveRoomAtEnd(session: CallSession): void {
    // Whenever the call ends (in a prompt, waiting, or in the room), what it held is given back.
    session.signal.addEventListener('abort', () => void this.deps.leaveRoom(session), { once: true });
  }

  /** Unless the call has ended within the grace time: released (hung up, let out of Stasis), and its session ended here. */
  private dropUnlessEnded(session: CallSession, message: string, reason: string): void {
    const timer = setTimeout(() => {
      if (this.sessions.get(session.id) !== session) return;
      this.deps.log.warn(message, { call: session.id, event: 'dropped', reason, room: session.room });
      this.deps
        .release(session.id)
        .catch((error: unknown) => logRequestFailed(this.deps.log, error, 'release of a dropped call'))
        .finally(() => this.end(session.id));
    }, DROPPED_GRACE_MS);
    session.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  }
}

const DIALLED: CallVia = { kind: 'dialled' };
const INVITED: CallVia = { kind: 'invited' };

/** The dialplan's arguments after the suffix and caller kind (extensions_conference.conf): how the call came. */
function callVia(args: readonly string[]): CallVia {
  const [, , via, landed = ''] = args;
  if (via === INVITE_ARG) return INVITED;
  if (via !== 'link') return DIALLED;
  // A channel id of the landing node, as a header of the call: anything else is not one.
  return { kind: 'link', landed: CHANNEL_ID.test(landed) ? landed : '' };
}

const CHANNEL_ID = /^[A-Za-z0-9._-]{1,80}$/;
