import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsTable } from '../../src/config/settingsTable';

describe('README settings table', () => {
  it('is the one the schema makes (run: npx ts-node scripts/settings-table.ts)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(`<!-- settings-table:start -->\n${settingsTable()}\n<!-- settings-table:end -->`);
  });
});
