import { isLinkLeg, legIdFor, LINK_LEG_ARG, LinkLegs } from '../../src/app/linkLegs';

describe('legs to other nodes, followed by their events', () => {
  it('is answered by its StasisStart, and ended by the home with normal clearing', async () => {
    const legs = new LinkLegs();
    const leg = legs.open('c1-leg1');
    expect(legs.claim('c1-leg1', [LINK_LEG_ARG])).toBe(true);
    expect(await leg.answered).toBe(true);
    expect(legs.ended('c1-leg1', 16)).toBe(true);
    expect(await leg.ended).toBe('ended');
    expect(legs.size).toBe(0);
  });

  it('is lost when the home stops sending media (44, rtp_timeout) or never answers', async () => {
    const legs = new LinkLegs();
    const quiet = legs.open('c1-leg1');
    legs.claim('c1-leg1', [LINK_LEG_ARG]);
    legs.ended('c1-leg1', 44);
    expect(await quiet.ended).toBe('lost');

    const unanswered = legs.open('c2-leg1');
    legs.ended('c2-leg1', 0);
    expect(await unanswered.answered).toBe(false);
    expect(await unanswered.ended).toBe('lost');
  });

  it('takes no call for a leg: a StasisStart without its argument, or a hangup of a channel it does not follow', () => {
    const legs = new LinkLegs();
    legs.open('c1-leg1');
    expect(legs.claim('c9', ['123', 'internal'])).toBe(false);
    expect(legs.ended('c9', 16)).toBe(false);
    legs.forget('c1-leg1');
    expect(legs.ended('c1-leg1', 16)).toBe(false);
  });
});

describe('leg channel ids', () => {
  it("are the caller's id and the leg's number, and no caller's id looks like one", () => {
    expect(legIdFor('test-b-1796280978.35', 2)).toBe('test-b-1796280978.35-leg2');
    expect(isLinkLeg(legIdFor('app-8f31c2b2', 1))).toBe(true);
    for (const call of ['test-1796280978.35', 'app-8f31c2b2-669d-4d1a-82c0-64af9070bf0a', 'dialplan-settings-1']) {
      expect(isLinkLeg(call)).toBe(false);
    }
  });
});
