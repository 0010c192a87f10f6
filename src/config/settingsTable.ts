import { schemaLeaves } from './schema';

/** The README's table of settings, made from the schema so the two cannot drift. */
export function settingsTable(): string {
  const rows = ['| setting | default | environment | a change applies | meaning |', '|---|---|---|---|---|'];
  for (const [name, leaf] of schemaLeaves()) {
    const value = leaf.default === '' ? '(empty)' : `\`${JSON.stringify(leaf.default)}\``;
    // A secret may come from a file too (src/config/secretFiles.ts).
    const env = !leaf.env ? '' : leaf.sensitive ? `\`${leaf.env}\` or \`${leaf.env}_FILE\`` : `\`${leaf.env}\``;
    rows.push(`| \`${name}\` | ${value} | ${env} | ${leaf.restart ? 'at restart' : 'live'} | ${leaf.doc} |`);
  }
  return rows.join('\n');
}

/** Puts the table between the README's markers. */
export function withSettingsTable(readme: string): string {
  return readme.replace(/(<!-- settings-table:start -->)[\s\S]*?(<!-- settings-table:end -->)/, `$1\n${settingsTable()}\n$2`);
}
