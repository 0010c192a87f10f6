import { readFileSync, statSync } from 'node:fs';
import { schemaLeaves } from './schema';

/** The environment variables of the secret settings (ARI_PASSWORD, CONFERENCE_API_TOKEN). */
export const SECRET_VARIABLES: readonly string[] = [...schemaLeaves()].flatMap(([, leaf]) =>
  leaf.sensitive && leaf.env ? [leaf.env] : [],
);

export type SecretsResult = { ok: true; env: NodeJS.ProcessEnv } | { ok: false; errors: string[] };

/**
 * A secret may come from a file instead of the environment: <VARIABLE>_FILE names it (a Docker
 * secret, a systemd credential). The file must be of mode 600 or 640 (or stricter); its content,
 * less one trailing newline, is the secret. Gives back the environment with the secrets filled in.
 */
export function secretsFromFiles(env: NodeJS.ProcessEnv): SecretsResult {
  const resolved = { ...env };
  const errors: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (!path) continue;
    const secret = readSecret(`${name}_FILE`, path);
    if (typeof secret !== 'string') errors.push(secret.error);
    else if (env[name]) errors.push(`${name} and ${name}_FILE are both set: set one`);
    else resolved[name] = secret;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, env: resolved };
}

function readSecret(variable: string, path: string): string | { error: string } {
  try {
    const mode = statSync(path).mode & 0o777;
    // Group may read (640), nobody else may do anything.
    if (mode & 0o037) {
      return { error: `${variable} ${path}: mode ${mode.toString(8)} lets others at the secret; make it 600 or 640 (chmod 600 ${path})` };
    }
    const secret = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    return secret ? secret : { error: `${variable} ${path}: the file is empty` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'not readable by this user' : (error as Error).message;
    return { error: `${variable} ${path}: ${reason}` };
  }
}
