// Rewrites the README's settings table from the schema: npx ts-node scripts/settings-table.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTable } from '../src/config/settingsTable';

writeFileSync('README.md', withSettingsTable(readFileSync('README.md', 'utf8')));
