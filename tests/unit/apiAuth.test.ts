import { authorize, bearerToken } from '../../src/api/auth';

const TOKEN = 'a-long-enough-token-1234';

describe('status API auth', () => {
  it('leaves health and metrics open, with or without a token', () => {
    expect(authorize('open', undefined, TOKEN)).toEqual({ ok: true });
    expect(authorize('open', undefined, '')).toEqual({ ok: true });
  });

  it('refuses admin actions with 403 naming api.token while no token is set', () => {
    expect(authorize('admin', `Bearer ${TOKEN}`, '')).toMatchObject({
      ok: false,
      status: 403,
      message: expect.stringContaining('api.token is not set'),
    });
  });

  it('opens room routes without a token only while none is set', () => {
    expect(authorize('read', undefined, '')).toEqual({ ok: true });
    expect(authorize('read', undefined, TOKEN)).toMatchObject({ ok: false, status: 401 });
    expect(authorize('read', `Bearer ${TOKEN}`, TOKEN)).toEqual({ ok: true });
  });

  it.each([[undefined], [''], [`Basic ${TOKEN}`], ['Bearer'], [`Bearer ${TOKEN}x`], [`Bearer ${TOKEN.slice(0, -1)}`]])(
    'answers 401 to Authorization %p',
    (header) => {
      expect(authorize('admin', header, TOKEN)).toMatchObject({ ok: false, status: 401 });
    },
  );

  it('takes the right bearer token, whatever the case of the scheme', () => {
    expect(authorize('admin', `Bearer ${TOKEN}`, TOKEN)).toEqual({ ok: true });
    expect(authorize('admin', `bearer ${TOKEN}`, TOKEN)).toEqual({ ok: true });
    expect(bearerToken(`Bearer  ${TOKEN} `)).toBe(TOKEN);
  });
});
