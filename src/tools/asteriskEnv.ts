import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface AriCredentials {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/** Reads `scripts/asterisk.sh env` output (`export NAME='value'` lines) into names and values. */
export function parseEnvOutput(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^(?:export\s+)?([A-Z_]+)=['"]?(.*?)['"]?$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) values[match[1]] = match[2];
  }
  return values;
}

/**
 * ARI credentials as `make run` gets them: ARI_URL, ARI_USER and ARI_PASSWORD from the
 * environment when all are set, else from `scripts/asterisk.sh env` (which honours
 * ASTERISK_INSTANCE and the port variables).
 */
export function ariCredentials(env: NodeJS.ProcessEnv, root: string): AriCredentials {
  const values =
    env.ARI_URL && env.ARI_USER && env.ARI_PASSWORD
      ? env
      : parseEnvOutput(
          execFileSync(join(root, 'scripts', 'asterisk.sh'), ['env'], {
            cwd: root,
            env,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
          }),
        );
  const { ARI_URL: url, ARI_USER: username, ARI_PASSWORD: password } = values;
  if (!url || !username || !password)
    throw new Error('no ARI credentials: set ARI_URL, ARI_USER and ARI_PASSWORD, or start Asterisk with scripts/asterisk.sh up');
  return { url, username, password };
}
