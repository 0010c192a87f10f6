import convict from 'convict';
import { KeyMap, keyMapProblem } from '../domain/conferenceKeys';
import { PermanentRoomSetting, permanentRoomsProblem } from '../domain/permanentRooms';
import { numberPatternsProblem } from '../domain/dialOut';

declare const valueType: unique symbol;

/** A convict format registered by name, carrying the type of the values it accepts (the setting's type). */
export type Format<T> = string & { readonly [valueType]: T };

/**
 * Formats are registered by name: convict coerces values whose format is a function by the
 * type of the default (so "no" would become true for a boolean). A named format with an
 * identity coerce takes every value as written.
 */
function strict<T>(name: string, validate: (value: unknown) => void): Format<T> {
  convict.addFormat({ name, validate, coerce: (value: unknown) => value });
  // The name stands for the format in the schema; T, what validate lets through, types the setting.
  return name as Format<T>;
}

export const boolean = strict<boolean>('strict-boolean', (value) => {
  if (typeof value !== 'boolean') throw new Error('must be true or false');
});

const INTEGER = 'strict-integer-';

/** The format is a whole number's (the environment's text is read as one for it). */
export function isIntegerFormat(format: unknown): boolean {
  return typeof format === 'string' && format.startsWith(INTEGER);
}

export function integer(min: number, max: number): Format<number> {
  return strict(`${INTEGER}${min}-${max}`, (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`must be a whole number from ${min} to ${max}`);
    }
  });
}

export function text(pattern: RegExp, what: string): Format<string> {
  return strict(`strict-text-${what}`, (value) => {
    if (typeof value !== 'string' || !pattern.test(value)) throw new Error(`must be ${what}`);
  });
}

export const keyMap = strict<KeyMap>('strict-key-map', (value) => {
  const problem = typeof value === 'object' && value !== null ? keyMapProblem(value as Record<string, unknown>) : 'must be an object';
  if (problem) throw new Error(problem);
});

export const permanentRoomList = strict<readonly PermanentRoomSetting[]>('strict-permanent-rooms', (value) => {
  const problem = permanentRoomsProblem(value);
  if (problem) throw new Error(problem);
});

/** Numbers as Asterisk's dialplan patterns (_2XX); an empty list for none. */
export const numberPatterns = strict<readonly string[]>('strict-number-patterns', (value) => {
  const problem = numberPatternsProblem(value);
  if (problem) throw new Error(problem);
});
