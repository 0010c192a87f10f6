import { admitCaller, AdmissionSettings, mayStartRoom } from '../../src/domain/admission';

const open: AdmissionSettings = { enabled: true, externalAccess: true, externalMayStart: true };

describe('admission (SPEC admin switches)', () => {
  it.each([
    [{ ...open }, 'internal', undefined],
    [{ ...open }, 'external', undefined],
    [{ ...open, enabled: false }, 'internal', 'service-unavailable'],
    [{ ...open, enabled: false }, 'external', 'service-unavailable'],
    [{ ...open, externalAccess: false }, 'internal', undefined],
    [{ ...open, externalAccess: false }, 'external', 'external-not-allowed'],
  ] as const)('%o admits %s callers: %p', (settings, caller, refusal) => {
    expect(admitCaller(settings, caller)).toBe(refusal);
  });

  it('lets external callers start rooms only when externalMayStart is on', () => {
    expect(mayStartRoom({ ...open, externalMayStart: false }, 'external')).toBe('external-may-not-start');
    expect(mayStartRoom({ ...open, externalMayStart: false }, 'internal')).toBeUndefined();
    expect(mayStartRoom(open, 'external')).toBeUndefined();
  });
});
