import { schemaDefinition } from './schema';

interface Leaf {
  doc: string;
  default: unknown;
  env?: string;
}

/** The README's table of settings, made from the schema so the two cannot drift. */
export function settingsTable(): string {
  const rows = ['| setting | default | environment | meaning |', '|---|---|---|---|'];
  for (const [name, leaf] of leaves(schemaDefinition as unknown as Record<string, unknown>, '')) {
    const value = leaf.default === '' ? '(empty)' : `\`${JSON.stringify(leaf.default)}\``;
    rows.push(`| \`${name}\` | ${value} | ${leaf.env ? `\`${leaf.env}\`` : ''} | ${leaf.doc} |`);
  }
  return rows.join('\n');
}

function* leaves(node: Record<string, unknown>, prefix: string): Generator<[string, Leaf]> {
  for (const [key, value] of Object.entries(node)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && 'doc' in value) yield [name, value as Leaf];
    else yield* leaves(value as Record<string, unknown>, name);
  }
}

/** Puts the table between the README's markers. */
export function withSettingsTable(readme: string): string {
  return readme.replace(
    /(<!-- settings-table:start -->)[\s\S]*?(<!-- settings-table:end -->)/,
    `$1\n${settingsTable()}\n$2`,
  );
}
