import { CallerKind } from './types';

/** The admin switches that decide who may use the service at all. */
export interface AdmissionSettings {
  readonly enabled: boolean;
  readonly externalAccess: boolean;
  readonly externalMayStart: boolean;
}

export type Refusal = 'service-unavailable' | 'external-not-allowed' | 'external-may-not-start';

/** Checked when the call arrives: may this caller use the service? */
export function admitCaller(settings: AdmissionSettings, caller: CallerKind): Refusal | undefined {
  if (!settings.enabled) return 'service-unavailable';
  if (caller === 'external' && !settings.externalAccess) return 'external-not-allowed';
  return undefined;
}

/** Checked when the caller would start a room (a new or a random one). */
export function mayStartRoom(settings: AdmissionSettings, caller: CallerKind): Refusal | undefined {
  return caller === 'external' && !settings.externalMayStart ? 'external-may-not-start' : undefined;
}
