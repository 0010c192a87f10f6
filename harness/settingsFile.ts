import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './testEnv';

export type SettingsFile = Record<string, unknown>;

/** The shipped default file, as the admin starts from it. */
export function defaultSettingsFile(): SettingsFile {
  return JSON.parse(readFileSync(join(ROOT, 'config', 'conference.json'), 'utf8')) as SettingsFile;
}
