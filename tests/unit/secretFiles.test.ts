import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSettings } from '../../src/config/loadSettings';

function secretFile(content: string, mode: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'secret-')), 'secret');
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function errorsOf(env: NodeJS.ProcessEnv): string {
  const result = validateSettings({}, 'f.json', env);
  if (result.ok) throw new Error('expected the settings to be refused');
  return result.errors.join('\n');
}

describe('secrets from files (<VARIABLE>_FILE)', () => {
  it('reads ARI_PASSWORD_FILE and CONFERENCE_API_TOKEN_FILE, less the trailing newline', () => {
    const result = validateSettings({}, 'f.json', {
      ARI_PASSWORD_FILE: secretFile('from-a-file\n', 0o600),
      CONFERENCE_API_TOKEN_FILE: secretFile('a-token-of-24-characters', 0o640),
    });
    expect(result.ok && result.settings.ari.password).toBe('from-a-file');
    expect(result.ok && result.settings.api.token).toBe('a-token-of-24-characters');
  });

  it('refuses a file others may read, naming the variable, the file and the fix', () => {
    const path = secretFile('secret', 0o644);
    expect(errorsOf({ ARI_PASSWORD_FILE: path })).toBe(
      `ARI_PASSWORD_FILE ${path}: mode 644 lets others at the secret; make it 600 or 640 (chmod 600 ${path})`,
    );
  });

  it('refuses a missing or empty file', () => {
    expect(errorsOf({ ARI_PASSWORD_FILE: '/nonexistent/ari-password' })).toBe(
      'ARI_PASSWORD_FILE /nonexistent/ari-password: file not found',
    );
    const empty = secretFile('\n', 0o600);
    expect(errorsOf({ ARI_PASSWORD_FILE: empty })).toBe(`ARI_PASSWORD_FILE ${empty}: the file is empty`);
  });

  it('refuses the variable and its file both set: which one wins would be a guess', () => {
    expect(errorsOf({ ARI_PASSWORD: 'x', ARI_PASSWORD_FILE: secretFile('y', 0o600) })).toBe(
      'ARI_PASSWORD and ARI_PASSWORD_FILE are both set: set one',
    );
  });
});
