import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVersion, VERSION, VERSION_STAMP } from '../../src/version';

describe('readVersion (what --version, the start line and /health show)', () => {
  let root: string;
  let compiled: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'version-'));
    compiled = join(root, 'dist', 'src');
    mkdirSync(compiled, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'conference-server', version: '1.2.3' }));
  });

  it("takes the build's stamp beside the compiled module, package.json or not", () => {
    writeFileSync(join(compiled, VERSION_STAMP), JSON.stringify({ version: '1.2.3+0123456789ab' }));
    expect(readVersion(compiled)).toBe('1.2.3+0123456789ab');
  });

  it("without a stamp (the sources, or a build without one), the nearest package.json's version", () => {
    expect(readVersion(compiled)).toBe('1.2.3');
  });

  it("from this checkout's sources: package.json's version", () => {
    expect(VERSION).toBe((JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version);
  });
});
