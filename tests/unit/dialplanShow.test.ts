import { answeringBlock, isMissingContext, parseDialplanShow } from '../../src/tools/dialplanShow';

/** `dialplan show 88123@site-phones` of Asterisk 22, as Debian's sample dialplan plus a site's context gives it. */
const INCLUDED_FIRST = `[ Included context 'conference-internal' created by 'pbx_config' ]
  '_88XXX' =>       1. Set(CONF_CALLER=internal)                  [extensions_conference.conf:15]
                    2. Goto(conference-route,\${EXTEN},1)          [extensions_conference.conf:16]

[ Included context 'stdexten' created by 'pbx_config' ]
  '_X.' =>          50000. NoOp(Start stdexten)                   [extensions.conf:482]
                    50001. Set(LOCAL(ext)=\${EXTEN})               [extensions.conf:483]

-= 2 extensions (9 priorities) in 2 contexts. =-
`;

const OWN_FIRST = `[ Context 'site-phones' created by 'pbx_config' ]
  '_881XX' =>       1. Answer()                                   [extensions.conf:900]
[ Included context 'conference-internal' created by 'pbx_config' ]
  '_88XXX' =>       1. Set(CONF_CALLER=internal)                  [extensions_conference.conf:15]
`;

describe('reading `dialplan show <number>@<context>`', () => {
  it('the first context with an extension that has a priority 1 is the one a call meets', () => {
    expect(answeringBlock(parseDialplanShow(INCLUDED_FIRST))).toEqual({ context: 'conference-internal', answering: ['_88XXX'] });
    expect(answeringBlock(parseDialplanShow(OWN_FIRST))).toEqual({ context: 'site-phones', answering: ['_881XX'] });
  });

  it("an extension without a priority 1 (Debian's stdexten) answers no call", () => {
    expect(answeringBlock(parseDialplanShow(INCLUDED_FIRST.split('\n').slice(4).join('\n')))).toBeUndefined();
  });

  it('tells a context that is not in the dialplan', () => {
    expect(isMissingContext("There is no existence of 'nosuch' context\nCommand 'dialplan show 88@nosuch' failed.\n")).toBe(true);
    expect(isMissingContext(INCLUDED_FIRST)).toBe(false);
  });
});
