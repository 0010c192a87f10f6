import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import convict from 'convict';
import { keysInForce } from '../domain/conferenceKeys';
import { pinsBeyond } from '../domain/permanentRooms';
import { isIntegerFormat } from './formats';
import { schemaDefinition, schemaLeaves, Settings } from './schema';
import { secretsFromFiles } from './secretFiles';

export type LoadResult = { ok: true; settings: Settings } | { ok: false; errors: string[] };
/** The settings of a file, and the SHA-256 of its bytes (as `sha256sum` prints it): the same file on every node gives the same. */
export type FileLoadResult = { ok: true; settings: Settings; sha256: string } | { ok: false; errors: string[] };

/**
 * Reads and validates the settings file. Expected failures (missing file, bad JSON, a bad
 * setting, an unknown key) come back as values, each message naming the file and the setting.
 */
export function loadSettings(path: string, env: NodeJS.ProcessEnv = process.env): FileLoadResult {
  let raw: unknown;
  let sha256: string;
  try {
    const bytes = readFileSync(path);
    sha256 = createHash('sha256').update(bytes).digest('hex');
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    return { ok: false, errors: [`${path}: ${reason}`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [`${path}: must hold one JSON object of settings`] };
  }
  const result = validateSettings(raw, path, env);
  return result.ok ? { ...result, sha256 } : result;
}

export function validateSettings(raw: object, source: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const secrets = secretsFromFiles(env);
  if (!secrets.ok) return secrets;
  const config = convict<Settings>(schemaDefinition, { env: withNumbers(secrets.env) as NodeJS.ProcessEnv, args: [] });
  try {
    config.load(raw);
    config.validate({ allowed: 'strict' });
  } catch (error) {
    return {
      ok: false,
      errors: String((error as Error).message)
        .split('\n')
        .map((line) => `${source}: ${line}`),
    };
  }
  const settings = { ...config.getProperties() };
  // Actions added since the file was written take their default keys where those are free.
  settings.conferenceKeys = keysInForce(settings.conferenceKeys);
  const beyond = pinsBeyond(settings.permanentRooms, settings.entry.pinMaxLength);
  if (beyond) return { ok: false, errors: [`${source}: permanentRooms: ${beyond}`] };
  return { ok: true, settings: deepFreeze(settings) };
}

/**
 * The environment holds text: a whole number given for a numeric setting (CONFERENCE_API_PORT=8190)
 * is taken as the number; anything else stays text, and is refused naming the setting. The file
 * stays strict: "8190" in JSON is text there. (convict types the environment as text; it takes
 * any value from it.)
 */
function withNumbers(env: NodeJS.ProcessEnv): Record<string, string | number | undefined> {
  const converted: Record<string, string | number | undefined> = { ...env };
  for (const [, leaf] of schemaLeaves()) {
    const value = leaf.env === undefined ? undefined : env[leaf.env];
    if (leaf.env !== undefined && value !== undefined && isIntegerFormat(leaf.format) && /^[0-9]{1,9}$/.test(value)) {
      converted[leaf.env] = Number(value);
    }
  }
  return converted;
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  return Object.freeze(value);
}
