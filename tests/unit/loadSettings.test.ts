import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { loadSettings, validateSettings } from '../../src/config/loadSettings';
import { SettingsStore } from '../../src/config/settingsStore';

const env = { ARI_PASSWORD: 'secret' };

function fileWith(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'settings-')), 'conference.json');
  writeFileSync(path, content);
  return path;
}

describe('settings file', () => {
  it('loads the shipped default file', () => {
    const result = loadSettings('config/conference.json', env);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.settings.number).toBe('88');
  });

  it('names the file and each bad setting', () => {
    const result = validateSettings({ number: '8a', externalAccess: 'yes' }, 'f.json', env);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.join('\n')).toMatch(/f\.json: .*number/);
      expect(result.errors.join('\n')).toMatch(/externalAccess/);
    }
  });

  it('refuses unknown keys, so a typo is never silently ignored', () => {
    const result = validateSettings({ enabeld: false }, 'f.json', env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toContain('enabeld');
  });

  it('says when the file is missing or not JSON', () => {
    expect(loadSettings('/nonexistent/conference.json', env)).toEqual({
      ok: false,
      errors: ['/nonexistent/conference.json: file not found'],
    });
    const broken = loadSettings(fileWith('{ "enabled": '), env);
    expect(broken.ok).toBe(false);
    expect(loadSettings(fileWith('[1]'), env)).toEqual(expect.objectContaining({ ok: false }));
  });

  it('gives frozen settings (one immutable object per reload)', () => {
    const result = validateSettings({}, 'f.json', env);
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.isFrozen(result.settings.entry)).toBe(true);
  });
});

describe('settings are taken as written, never coerced', () => {
  it.each([
    [{ enabled: 'no' }, 'enabled: must be true or false'],
    [{ externalAccess: 'false' }, 'externalAccess: must be true or false'],
    [{ entry: { maxAttempts: '3' } }, 'entry.maxAttempts: must be a whole number from 1 to 10'],
    [{ number: 88 }, 'number: must be 1 to 6 digits'],
    [{ conferenceKeys: { toggleMute: '#' } }, 'conferenceKeys: leave and toggleMute share the key #'],
  ])('%o is refused: %s', (raw, message) => {
    const result = validateSettings(raw, 'f.json', env);
    expect(result).toEqual({ ok: false, errors: [expect.stringContaining(`f.json: ${message}`)] });
  });
});

describe('numbers from the environment', () => {
  it('takes a whole number given for a numeric setting, and refuses anything else naming the setting', () => {
    const port = validateSettings({}, 'f.json', { ...env, CONFERENCE_API_PORT: '8190' });
    expect(port.ok && port.settings.api.port).toBe(8190);
    for (const bad of ['81a0', '-1', '', '99999']) {
      const result = validateSettings({}, 'f.json', { ...env, CONFERENCE_API_PORT: bad });
      expect(result).toEqual({ ok: false, errors: [expect.stringContaining('api.port: must be a whole number from 0 to 65535')] });
    }
  });

  it('keeps the file strict: a number written as text there is refused', () => {
    expect(validateSettings({ api: { port: '8190' } }, 'f.json', env)).toEqual({
      ok: false,
      errors: [expect.stringContaining('api.port: must be a whole number')],
    });
  });
});

describe("the settings file's SHA-256", () => {
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

  it('is the one sha256sum prints for the file, and follows the file in force', () => {
    const text = '{ "number": "88" }\n';
    const path = fileWith(text);
    // As the store reloads it: with the process's environment.
    const loaded = loadSettings(path);
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    expect(loaded.sha256).toBe(sha256(text));

    const store = new SettingsStore(path, loaded);
    const changed: string[] = [];
    store.on('changed', (next) => changed.push(next.number));
    // The same settings written otherwise: a new file, no change of settings.
    writeFileSync(path, '{"number":"88"}');
    store.reload();
    expect(store.fileSha256).toBe(sha256('{"number":"88"}'));
    // A file refused leaves the one in force.
    writeFileSync(path, '{"number":"8a"}');
    store.reload();
    expect(store.fileSha256).toBe(sha256('{"number":"88"}'));
    writeFileSync(path, '{"number":"77"}');
    store.reload();
    expect([store.fileSha256, changed]).toEqual([sha256('{"number":"77"}'), ['77']]);
  });
});
