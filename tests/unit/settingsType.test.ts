import { validateSettings } from '../../src/config/loadSettings';
import { schemaLeaves, Settings } from '../../src/config/schema';
import { KeyMap } from '../../src/domain/conferenceKeys';
import { PermanentRoomSetting } from '../../src/domain/permanentRooms';
import { PinGuardSettings } from '../../src/domain/pinGuard';

/** True only when A and B are the same type (readonly and optional modifiers included). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/**
 * The settings type the schema must give, spelled out once here: this file does not compile when a
 * setting is missing from the derived type, has another type, or is no longer readonly.
 */
interface ExpectedSettings {
  readonly enabled: boolean;
  readonly number: string;
  readonly externalAccess: boolean;
  readonly externalMayStart: boolean;
  readonly ari: {
    readonly url: string;
    readonly username: string;
    readonly password: string;
    readonly app: string;
    readonly maxConnections: number;
    readonly requestTimeoutMs: number;
  };
  readonly entry: {
    readonly firstDigitTimeoutSeconds: number;
    readonly interDigitTimeoutSeconds: number;
    readonly maxAttempts: number;
    readonly pinMaxLength: number;
  };
  readonly bruteForce: PinGuardSettings;
  readonly sounds: {
    readonly language: string;
    readonly joinTone: boolean;
    readonly leaveTone: boolean;
    readonly musicOnHoldClass: string;
  };
  readonly conferenceKeys: KeyMap;
  readonly limits: { readonly maxParticipantsPerRoom: number; readonly maxRooms: number };
  readonly recording: {
    readonly folder: string;
    readonly minFreeMb: number;
    readonly maxMinutes: number;
    readonly format: 'wav' | 'wav16';
  };
  readonly talkDetection: { readonly enabled: boolean; readonly silenceMs: number; readonly threshold: number };
  readonly spokenNames: { readonly enabled: boolean; readonly maxSeconds: number };
  readonly dialOut: {
    readonly allowedNumbers: readonly string[];
    readonly context: string;
    readonly answerSeconds: number;
    readonly maxPerRoom: number;
  };
  readonly permanentRooms: readonly PermanentRoomSetting[];
  readonly stateFile: string;
  readonly store: {
    readonly url: string;
    readonly password: string;
    readonly node: string;
    readonly sipAddress: string;
    readonly busyParticipants: number;
    readonly leaseSeconds: number;
  };
  readonly api: { readonly enabled: boolean; readonly host: string; readonly port: number; readonly token: string };
  readonly eventsLog: { readonly path: string };
  readonly log: { readonly level: 'error' | 'warn' | 'info' | 'debug' };
}

const derivedIsExpected: Same<Settings, ExpectedSettings> = true;

describe('the settings type, read from the schema', () => {
  it('is the expected one, checked when this file compiles', () => {
    expect(derivedIsExpected).toBe(true);
  });

  it('names the settings a loaded file holds, no more and no fewer', () => {
    const result = validateSettings({}, 'f.json', { ARI_PASSWORD: 'secret' });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(leafNames(result.settings)).toEqual([...schemaLeaves()].map(([name]) => name));
  });
});

/** The dotted names of a loaded settings object's values; the key map and a list are one setting each. */
function leafNames(node: object, prefix = ''): string[] {
  return Object.entries(node).flatMap(([key, value]) => {
    const name = prefix ? `${prefix}.${key}` : key;
    return typeof value === 'object' && value !== null && !Array.isArray(value) && name !== 'conferenceKeys'
      ? leafNames(value as object, name)
      : [name];
  });
}
