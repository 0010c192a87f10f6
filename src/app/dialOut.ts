import { DialOutOutcome, NumberRefusal, numberRefusal, unansweredOutcome } from '../domain/dialOut';
import { RoomNumber } from '../domain/types';
import { Logger } from '../logger';
import { ConferenceEvents, DialOutBy } from './conferenceEvents';
import { Tell } from './leaderActions';
import { digitsOf, Sound } from './media';

/** The dial-out settings (`dialOut` in the settings file). */
export interface DialOutSettings {
  readonly allowedNumbers: readonly string[];
  readonly context: string;
  readonly answerSeconds: number;
  readonly maxPerRoom: number;
}

/** A call out of a room as Asterisk makes it: it comes to the app (StasisStart, with `appArgs`) once answered. */
export interface OutboundInvite {
  readonly channelId: string;
  readonly endpoint: string;
  readonly appArgs: string;
  readonly callerId: string;
  readonly timeoutSeconds: number;
}

/** Who was called into which room, by whom. */
export interface Invitation {
  readonly id: string;
  readonly room: RoomNumber;
  readonly number: string;
  readonly by: DialOutBy;
  /** The leader who called, to be told how it went. */
  readonly channel: string | undefined;
  answered: boolean;
}

export type InviteStart =
  | { kind: 'calling'; invitation: Invitation }
  | { kind: 'refused'; reason: NumberRefusal | 'too-many' | 'unknown-room' }
  | { kind: 'failed'; error: string };

export interface DialOutDeps {
  /** Rejects when Asterisk will not make the call. */
  readonly callOut: (invite: OutboundInvite) => Promise<void>;
  readonly settings: () => DialOutSettings;
  /** The server number: what the called phone shows as the caller, with the room. */
  readonly serverNumber: () => string;
  readonly holds: (room: RoomNumber) => boolean;
  readonly tell: Tell;
  readonly events: ConferenceEvents;
  readonly log: Logger;
  readonly now: () => number;
  readonly uniqueId: () => string;
}

/** What the leader who called hears at the end of it. */
const TOLD: Readonly<Record<DialOutOutcome, string>> = {
  joined: Sound.dialOutJoined,
  declined: Sound.dialOutDeclined,
  refused: Sound.dialOutRefused,
  'no-answer': Sound.dialOutNoAnswer,
  failed: Sound.dialOutFailed,
};

/** StasisStart's third argument for an invited call (after the room and the caller kind). */
export const INVITE_ARG = 'invite';

/**
 * Calls out of rooms (dial-out): a leader's key or the admin API calls a number allowed by
 * dialOut.allowedNumbers through dialOut.context. The call comes to the app once answered; the
 * callee is asked to press 1, and joins without a PIN (callerFlow). Each call ends in one
 * outcome, logged, in the events log, and told to the leader who made it.
 */
export class DialOut {
  private readonly pending = new Map<string, Invitation>();

  constructor(private readonly deps: DialOutDeps) {}

  async invite(room: RoomNumber, number: string, by: DialOutBy, channel?: string): Promise<InviteStart> {
    const { deps } = this;
    const settings = deps.settings();
    if (!deps.holds(room)) return { kind: 'refused', reason: 'unknown-room' };
    const refusal = numberRefusal(number, settings.allowedNumbers);
    const ringing = [...this.pending.values()].filter((invitation) => invitation.room === room).length;
    const refused = refusal ?? (ringing >= settings.maxPerRoom ? 'too-many' : undefined);
    if (refused) {
      deps.log.warn('call out of a room refused', {
        event: 'dial-out-refused',
        room,
        number,
        by,
        call: channel,
        reason: refused,
        setting: refused === 'too-many' ? `dialOut.maxPerRoom (${settings.maxPerRoom})` : 'dialOut.allowedNumbers',
      });
      if (refused !== 'bad-number') this.publish({ room, number, by, channel }, refused);
      return { kind: 'refused', reason: refused };
    }
    const invitation: Invitation = { id: `invite-${deps.uniqueId()}`, room, number, by, channel, answered: false };
    this.pending.set(invitation.id, invitation);
    try {
      await deps.callOut({
        channelId: invitation.id,
        // No optimisation: the channel in the room stays the app's, whatever the far side is.
        endpoint: `Local/${number}@${settings.context}/n`,
        appArgs: [room, 'internal', INVITE_ARG].join(','),
        callerId: `"Conference ${room}" <${deps.serverNumber()}>`,
        timeoutSeconds: settings.answerSeconds,
      });
    } catch (error) {
      deps.log.error('Asterisk would not make a call out of a room', { event: 'dial-out-failed', room, number, error: String(error) });
      // The caller of invite tells the leader.
      this.finish(invitation, 'failed', false);
      return { kind: 'failed', error: String(error) };
    }
    deps.log.info('calling out of a room', { event: 'dial-out-calling', room, number, by, call: channel, invite: invitation.id });
    return { kind: 'calling', invitation };
  }

  /** The invited call was answered and reached the app: its invitation, undefined for none the app made (or one over). */
  answered(id: string): Invitation | undefined {
    const invitation = this.pending.get(id);
    if (!invitation || invitation.answered) return undefined;
    invitation.answered = true;
    if (invitation.channel) void this.deps.tell(invitation.channel, [Sound.dialOutAnswered]);
    return invitation;
  }

  /** A channel ended (ChannelDestroyed): an invitation never answered ends here, busy, rejected, unanswered or failed. */
  ended(channelId: string, cause: number): boolean {
    const invitation = this.pending.get(channelId);
    if (!invitation || invitation.answered) return false;
    this.finish(invitation, unansweredOutcome(cause));
    return true;
  }

  /** The answered call joined the room, or did not. */
  settle(id: string, outcome: 'joined' | 'declined' | 'failed'): void {
    const invitation = this.pending.get(id);
    if (invitation) this.finish(invitation, outcome);
  }

  private finish(invitation: Invitation, outcome: DialOutOutcome, tell = true): void {
    this.pending.delete(invitation.id);
    const { room, number, by, channel } = invitation;
    this.deps.log.info('call out of a room ended', { event: 'dial-out', room, number, by, call: channel, outcome });
    this.publish(invitation, outcome);
    if (channel && tell) void this.deps.tell(channel, [TOLD[outcome]]);
  }

  private publish(
    { room, number, by, channel }: Pick<Invitation, 'room' | 'number' | 'by' | 'channel'>,
    outcome: DialOutOutcome | 'not-allowed' | 'too-many',
  ): void {
    this.deps.events.publish({ type: 'dial-out', at: this.deps.now(), room, number, by, channel, outcome });
  }
}

/** What the leader hears on keying a number: "calling 2 0 2", or why not. */
export function inviteStartSound(start: InviteStart, number: string): string[] {
  if (start.kind === 'calling') return [Sound.calling, digitsOf(number)];
  if (start.kind === 'failed') return [Sound.dialOutFailed];
  return [start.reason === 'too-many' ? Sound.dialOutBusyRoom : Sound.dialOutNotAllowed];
}
