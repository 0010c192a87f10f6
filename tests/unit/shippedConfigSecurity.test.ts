import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const conf = (name: string): string => readFileSync(join(ROOT, 'asterisk-conf', name), 'utf8');
/** `key = value` lines of an Asterisk config file, comments left out. */
const settings = (text: string, key: string): string[] =>
  text
    .split('\n')
    .map((line) => line.replace(/;.*/, '').trim())
    .filter((line) => line.split('=')[0]?.trim() === key)
    .map((line) => line.slice(line.indexOf('=') + 1).trim());

/** What the repository ships must be safe to install as it is. */
describe('the shipped configuration', () => {
  it('binds ARI/HTTP and SIP to loopback', () => {
    expect(settings(conf('http.conf'), 'bindaddr')).toEqual(['127.0.0.1']);
    const binds = settings(conf('pjsip.conf'), 'bind');
    expect(binds.length).toBeGreaterThan(0);
    for (const bind of binds) expect(bind).toMatch(/^127\.0\.0\.1:/);
  });

  it('stores no password: every one is a placeholder filled in at set-up', () => {
    for (const file of readdirSync(join(ROOT, 'asterisk-conf'))) {
      for (const password of [...settings(conf(file), 'password'), ...settings(conf(file), 'secret')]) {
        expect([file, password]).toEqual([file, expect.stringMatching(/^@[A-Z_]+@$/)]);
      }
    }
  });

  it('what an existing Asterisk gets (install/asterisk/) binds ARI/HTTP to loopback and holds no password', () => {
    const dir = join(ROOT, 'install', 'asterisk');
    const text = (name: string): string => readFileSync(join(dir, name), 'utf8');
    expect(settings(text('http_conference.conf'), 'bindaddr')).toEqual(['127.0.0.1']);
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.conf')))
      expect([file, settings(text(file), 'password')]).toEqual([file, []]);
  });

  it('the default settings file carries no ARI password or API token', () => {
    const settingsFile = JSON.parse(readFileSync(join(ROOT, 'config', 'conference.json'), 'utf8')) as {
      ari?: { password?: string };
      api?: { token?: string };
    };
    expect(settingsFile.ari?.password ?? '').toBe('');
    expect(settingsFile.api?.token ?? '').toBe('');
  });
});
