import { matchRoute } from '../../src/api/routes';

describe('status API routing', () => {
  it.each([
    ['GET', '/health', { name: 'health' }, 'open'],
    ['GET', '/metrics', { name: 'metrics' }, 'open'],
    ['GET', '/rooms', { name: 'rooms' }, 'read'],
    ['GET', '/rooms/', { name: 'rooms' }, 'read'],
    ['GET', '/rooms/0123', { name: 'room', room: '0123' }, 'read'],
    ['POST', '/rooms/123/kick/app-1', { name: 'kick', room: '123', channel: 'app-1' }, 'admin'],
    ['POST', '/rooms/123/mute/a%2Fb', { name: 'mute', room: '123', channel: 'a/b', muted: true }, 'admin'],
    ['DELETE', '/rooms/123/mute/c', { name: 'mute', room: '123', channel: 'c', muted: false }, 'admin'],
    ['POST', '/rooms/1234/lock', { name: 'lock', room: '1234', locked: true }, 'admin'],
    ['DELETE', '/rooms/1234/lock', { name: 'lock', room: '1234', locked: false }, 'admin'],
    ['GET', '/lockouts', { name: 'lockouts' }, 'read'],
    ['DELETE', '/lockouts/callers/0301', { name: 'clear-lockout', callerId: '0301' }, 'admin'],
    ['DELETE', '/lockouts/callers/%2B49301234', { name: 'clear-lockout', callerId: '+49301234' }, 'admin'],
    ['POST', '/drain', { name: 'drain', draining: true }, 'admin'],
    ['DELETE', '/drain', { name: 'drain', draining: false }, 'admin'],
  ])('%s %s', (method, path, route, access) => {
    expect(matchRoute(method, path)).toEqual({ kind: 'route', route, access });
  });

  it.each([
    ['GET', '/rooms/12', 400],
    ['GET', '/rooms/12345', 400],
    ['GET', '/rooms/000', 400],
    ['POST', '/rooms/0000/lock', 400],
    ['GET', '/rooms/abc', 400],
    ['GET', '/rooms/123/%E0%A4%A', 400],
    ['GET', '/nothing', 404],
    ['GET', '/rooms/123/kick', 404],
    ['POST', '/rooms/123/unmute/x', 404],
    ['GET', '/', 404],
  ])('%s %s is an error %i', (method, path, status) => {
    expect(matchRoute(method, path)).toMatchObject({ kind: 'error', status });
  });

  it('answers a wrong method with 405 and the methods allowed', () => {
    expect(matchRoute('GET', '/rooms/123/lock')).toMatchObject({ kind: 'error', status: 405, allow: ['POST', 'DELETE'] });
    expect(matchRoute('POST', '/health')).toMatchObject({ kind: 'error', status: 405, allow: ['GET'] });
    expect(matchRoute('GET', '/lockouts/callers/0301')).toMatchObject({ kind: 'error', status: 405, allow: ['DELETE'] });
  });
});
