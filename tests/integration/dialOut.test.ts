import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObservedChannel } from '../../harness/observedChannel';
import { waitUntil } from '../../harness/waitUntil';
import { callApi } from '../helpers/statusApi';
import { joinRoom, useScenario } from '../helpers/scenario';
import { usePhones } from '../helpers/sipScenario';

const TOKEN = 'dial-out-test-token-0123456789';

type Line = Record<string, unknown>;

describe('calling someone into a room (dial-out)', () => {
  const phones = usePhones();
  const eventsPath = join(mkdtempSync(join(tmpdir(), 'dial-out-events-')), 'events.jsonl');
  const s = useScenario({
    api: { port: 0, token: TOKEN },
    eventsLog: { path: eventsPath },
    dialOut: { allowedNumbers: ['_20[2-3]'], answerSeconds: 15 },
    permanentRooms: [{ number: '540', pin: '1', leaderPin: '2' }],
  });
  const dialOuts = (): Line[] =>
    !existsSync(eventsPath)
      ? []
      : readFileSync(eventsPath, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Line)
          .filter((line) => line.event === 'dial-out');
  const inviteOf = (number: string): string | undefined =>
    s.harness.logs.find((l) => l.event === 'dial-out-calling' && l.number === number)?.invite as string | undefined;

  it('a leader keys a number: the phone answers, keys 1 and is in the room; the leader hears how it went', async () => {
    const callee = await phones.start({ user: '202' });
    const leader = await joinRoom(s.driver, '88540', { pin: '2' });
    await leader.entersBridge('conference-540');
    // Keys go to the room once the welcome has played.
    await leader.heardToEnd('sound:conf-onlyperson');
    await leader.dtmf('4');
    await leader.hears('sound:vm-enter-num-to-call');
    await leader.dtmf('202#');
    await leader.hears('sound:calling');

    await callee.answer();
    const invited = new ObservedChannel(s.driver, inviteOf('202')!);
    await invited.hears('sound:conference/invited');
    await callee.dtmf('1');
    await invited.entersBridge('conference-540');
    await leader.hears('sound:conference/dial-out-answered');
    await leader.hears('sound:conference/dial-out-joined');
    const room = (await callApi(s.harness, 'GET', '/rooms/540', TOKEN)).json as { participants: Array<{ callerId: string }> };
    expect(room.participants).toHaveLength(2);
    expect(room.participants.map((p) => p.callerId)).toContain('202');
    await waitUntil(() => dialOuts().length === 1, 5000, 'the call out in the events log');
    expect(dialOuts()[0]).toMatchObject({ room: '540', number: '202', by: 'leader', channel: leader.appChannel, outcome: 'joined' });
  }, 60000);

  it('the admin calls a phone that declines it: nobody joins; numbers not allowed are refused, naming the setting', async () => {
    const callee = await phones.start({ user: '203' });
    const leader = await joinRoom(s.driver, '88540', { pin: '2' });
    await leader.entersBridge('conference-540');

    const notAllowed = await callApi(s.harness, 'POST', '/rooms/540/dial/204', TOKEN);
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.json.error).toMatch(/dialOut\.allowedNumbers/);
    expect((await callApi(s.harness, 'POST', '/rooms/540/dial/20a', TOKEN)).status).toBe(400);
    expect((await callApi(s.harness, 'POST', '/rooms/541/dial/203', TOKEN)).status).toBe(404);

    const calling = await callApi(s.harness, 'POST', '/rooms/540/dial/203', TOKEN);
    expect(calling.status).toBe(202);
    expect(calling.json).toMatchObject({ room: '540', number: '203', calling: true });
    await callee.decline();
    await waitUntil(() => dialOuts().some((d) => d.number === '203'), 15000, 'the declined call in the events log');
    expect(dialOuts().find((d) => d.number === '203')).toMatchObject({ by: 'admin', outcome: 'refused' });
    expect(dialOuts().find((d) => d.number === '204')).toMatchObject({ by: 'admin', outcome: 'not-allowed' });
    expect(s.harness.app.rooms.memberCount('540')).toBe(1);
  }, 60000);
});
