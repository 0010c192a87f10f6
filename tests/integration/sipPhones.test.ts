import { useScenario } from '../helpers/scenario';
import { joinRoomByPhone, usePhones } from '../helpers/sipScenario';

/** Issue 7: real SIP phones (baresip), RFC 2833 DTMF, and what the phones hear. */
describe('SIP phones', () => {
  const phones = usePhones();
  const s = useScenario();

  it('a phone dials 88 and keys room and PIN in RFC 2833 DTMF; a second one dials 88123 and joins it', async () => {
    const first = await phones.start({ user: '201' });
    const firstCall = await joinRoomByPhone(s.driver, first, '88', { room: '123#', pin: '4711' });
    await firstCall.entersBridge('conference-123');

    const second = await phones.start({ user: '202' });
    const secondCall = await joinRoomByPhone(s.driver, second, '88123', { pin: '4711' });
    await secondCall.entersBridge('conference-123');
    expect(await firstCall.bridge()).toBe('conference-123');
    expect(await secondCall.bridge()).toBe('conference-123');
  });
});
