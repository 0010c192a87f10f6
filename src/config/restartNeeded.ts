import { schemaLeaves, Settings } from './schema';

/** The settings the app reads once at start (marked `restart` in the schema), by dotted name. */
export const RESTART_SETTINGS: readonly string[] = [...schemaLeaves()].filter(([, leaf]) => leaf.restart).map(([name]) => name);

/** The restart-only settings whose value differs between two loads: they apply at the next restart. */
export function restartNeeded(next: Settings, previous: Settings): string[] {
  return RESTART_SETTINGS.filter((name) => JSON.stringify(valueAt(next, name)) !== JSON.stringify(valueAt(previous, name)));
}

function valueAt(settings: object, name: string): unknown {
  return name.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], settings);
}
