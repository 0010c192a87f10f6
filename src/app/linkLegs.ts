/** The Stasis argument of a leg this app calls to another node (its StasisStart is the answer). */
export const LINK_LEG_ARG = 'link-leg';
/** A leg's channel id: the caller's, and the leg's number for that call. */
export function legIdFor(callerChannelId: string, leg: number): string {
  return `${callerChannelId}-leg${leg}`;
}

/** A leg is not a call: a rebuild after a reconnect leaves it to the caller it relays. */
export function isLinkLeg(channelId: string): boolean {
  return /-leg\d+$/.test(channelId);
}

/** Q.850 normal clearing: the other node hung up on purpose. */
const NORMAL_CLEARING = 16;

/** How a leg to the room's home node ended: 'ended' by the home (a leave key, a kick, a refusal); 'lost' otherwise. */
export type LegEnd = 'ended' | 'lost';

/** A leg as its caller waits on it. */
export interface LinkLeg {
  /** True once the home answered; false when the leg ended first. */
  readonly answered: Promise<boolean>;
  readonly ended: Promise<LegEnd>;
}

interface OpenLeg {
  answer(up: boolean): void;
  end(how: LegEnd): void;
}

/**
 * The legs this app opened to other nodes for callers it passes on, followed to their end by
 * their events: a leg's StasisStart is its answer, its hangup (with the cause) its end. A home that
 * hangs up with normal clearing ended the call; anything else (no answer, no media: the endpoint's
 * rtp_timeout, an error) means the home is lost.
 */
export class LinkLegs {
  private readonly legs = new Map<string, OpenLeg>();

  open(channelId: string): LinkLeg {
    let answer: (up: boolean) => void = () => undefined;
    let end: (how: LegEnd) => void = () => undefined;
    const answered = new Promise<boolean>((resolve) => (answer = resolve));
    const ended = new Promise<LegEnd>((resolve) => (end = resolve));
    this.legs.set(channelId, {
      answer,
      end: (how) => {
        answer(false);
        end(how);
        this.legs.delete(channelId);
      },
    });
    return { answered, ended };
  }

  /** A StasisStart: one of these legs answered (true), or not a leg (false: a call). */
  claim(channelId: string, args: readonly string[]): boolean {
    if (args[0] !== LINK_LEG_ARG) return false;
    this.legs.get(channelId)?.answer(true);
    return true;
  }

  /** The leg is hanging up, or gone; false when it is none of ours. */
  ended(channelId: string, cause: number): boolean {
    const leg = this.legs.get(channelId);
    if (!leg) return false;
    leg.end(cause === NORMAL_CLEARING ? 'ended' : 'lost');
    return true;
  }

  /** The caller went first: the leg is hung up by its caller, and its end is nobody's concern. */
  forget(channelId: string): void {
    this.legs.delete(channelId);
  }

  get size(): number {
    return this.legs.size;
  }
}
