import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The file the build writes beside this module's compiled file (scripts/stamp-version.sh). */
export const VERSION_STAMP = 'version.json';

/**
 * The app's version, as `conference --version`, the start log line and /health show it: the
 * build's stamp (package.json's version and the commit it was built from, as 0.1.0+f846ed7a1b2c),
 * so an unpacked release needs no git; run from the sources, package.json's version alone.
 */
export function readVersion(dir: string): string {
  const stamp = join(dir, VERSION_STAMP);
  if (existsSync(stamp)) return (JSON.parse(readFileSync(stamp, 'utf8')) as { version: string }).version;
  // From src/ (ts-node) or a build without its stamp: the nearest package.json above.
  for (let folder = dir; ; folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    if (dirname(folder) === folder)
      throw new Error(`no ${VERSION_STAMP} in ${dir} and no package.json above it: cannot tell the app's version`);
  }
}

export const VERSION = readVersion(__dirname);
