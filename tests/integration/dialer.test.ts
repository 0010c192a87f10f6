import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { joinRoom, useScenario } from '../helpers/scenario';
import { asteriskEnv, ROOT } from '../../harness/testEnv';

interface Run {
  status: number | null;
  stdout: string;
}

/** `npx conference dial ...` as a person runs it, against the test Asterisk, while the app runs here. */
function conference(...args: string[]): Promise<Run> {
  const env = asteriskEnv();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin', 'conference.js'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ARI_URL: env.ARI_URL, ARI_USER: env.ARI_USER, ARI_PASSWORD: env.ARI_PASSWORD },
        timeout: 60000,
      },
      (error, stdout) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout }),
    );
  });
}

/** The test dialer. */
describe('conference dial', () => {
  const s = useScenario();

  it('joins a room with others in it, says so, hangs up, and exits 0', async () => {
    const inside = await joinRoom(s.driver, '88980', { pin: '4321' });
    await inside.entersBridge('conference-980');
    const run = await conference('dial', '88980', '--pin', '4321');
    expect(run.stdout.trim()).toBe(
      'heard conf-getpin, conf-enteringno, digits:980, conf-thereare, number:1, conf-otherinparty; joined conference-980 with 1 other',
    );
    expect(run.status).toBe(0);
    expect(await inside.bridge()).toBe('conference-980');
    expect((await s.driver.conferenceBridges()).get('conference-980')).toEqual([inside.appChannel]);
  });

  it('keys the room when asked, for the server number alone', async () => {
    const run = await conference('dial', '88', '--room', '981');
    expect(run.stdout.trim()).toBe(
      'heard conf-getconfno, conf-getpin, conf-enteringno, digits:981, conf-onlyperson; joined conference-981 with 0 others',
    );
    expect(run.status).toBe(0);
  });

  it('exits non-zero with what it heard when it did not get in', async () => {
    const inside = await joinRoom(s.driver, '88982', { pin: '1' });
    await inside.entersBridge('conference-982');
    const run = await conference('dial', '88982', '--pin', '2');
    expect(run.stdout).toContain('conf-invalidpin');
    expect(run.stdout.trim()).toMatch(/goodbye; not joined: the call ended$/);
    expect(run.status).toBe(1);
  });

  it('exits 2 with its usage on bad arguments', async () => {
    expect((await conference('dial', '88x')).status).toBe(2);
  });
});
