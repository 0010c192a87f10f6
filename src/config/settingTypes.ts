/**
 * The settings' TypeScript type is read from the schema itself, so a setting is described once:
 * each format says the type of the values it lets through, and the schema's shape gives the rest.
 */

import { Format } from './formats';

/** What a format lets through: a typed named format, an enumeration (a union), or String. */
type ValueOf<F> = F extends Format<infer T> ? T : F extends readonly (infer U)[] ? U : F extends StringConstructor ? string : never;

/** One setting in the schema. Convict takes a node with a default for a setting, as here. */
export interface SettingLeaf<F = unknown> {
  readonly doc: string;
  readonly format: F;
  readonly default: ValueOf<F>;
  readonly env?: string;
  readonly sensitive?: boolean;
  /** Read once at start: a change is logged (`restart-needed`) and applies at the next restart. */
  readonly restart?: true;
}

type FormatOf<Leaf> = Leaf extends { readonly format: infer F } ? F : never;

/** A schema whose every setting has a doc, a format, and a default that format accepts. */
export type CheckedSchema<S> = {
  readonly [K in keyof S]: S[K] extends { readonly default: unknown } ? SettingLeaf<FormatOf<S[K]>> : CheckedSchema<S[K]>;
};

/** The settings a schema describes, as loaded: nested, readonly, each of its format's type. */
export type SettingsOf<S> = {
  readonly [K in keyof S]: S[K] extends { readonly default: unknown } ? ValueOf<FormatOf<S[K]>> : SettingsOf<S[K]>;
};
