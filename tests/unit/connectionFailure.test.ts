import { ConnectionFailure, describeConnectionFailure } from '../../src/ari/connectionFailure';

const target = { url: 'http://127.0.0.1:8088', username: 'conference' };

describe('why ARI cannot be reached, in words', () => {
  it.each<[string, ConnectionFailure, string, string]>([
    [
      'a 401 (wrong user or password)',
      { status: 401 },
      'credentials',
      'ARI refused the user conference: check ARI_USER/ARI_PASSWORD (ari.username, ari.password) and ari.conf',
    ],
    [
      'a 404 (no ARI at that URL)',
      { status: 404 },
      'no-ari',
      'no ARI at http://127.0.0.1:8088 (404 Not Found on /ari): check ARI_URL (ari.url), and that Asterisk serves ARI there (http.conf without a prefix, ari.conf enabled)',
    ],
    ['another status', { status: 503 }, 'status', "ARI at http://127.0.0.1:8088 answered 503: check ARI_URL (ari.url) and Asterisk's log"],
    [
      'nothing listening',
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:8088' },
      'refused',
      'nothing listens at http://127.0.0.1:8088 (connection refused): check ARI_URL (ari.url), and that Asterisk runs with its HTTP server on',
    ],
    [
      'an unknown host',
      { code: 'ENOTFOUND' },
      'unknown-host',
      'the host of http://127.0.0.1:8088 is not found (ENOTFOUND): check ARI_URL (ari.url)',
    ],
    [
      'a DNS failure',
      { code: 'EAI_AGAIN' },
      'unknown-host',
      'the host of http://127.0.0.1:8088 is not found (EAI_AGAIN): check ARI_URL (ari.url)',
    ],
    [
      'https to an http port',
      { code: 'EPROTO' },
      'tls',
      "TLS with http://127.0.0.1:8088 failed (EPROTO): check ARI_URL (ari.url), http or https, and Asterisk's certificate",
    ],
    [
      'a certificate not trusted',
      { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      'tls',
      "TLS with http://127.0.0.1:8088 failed (DEPTH_ZERO_SELF_SIGNED_CERT): check ARI_URL (ari.url), http or https, and Asterisk's certificate",
    ],
    [
      'a certificate for another name',
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      'tls',
      "TLS with http://127.0.0.1:8088 failed (ERR_TLS_CERT_ALTNAME_INVALID): check ARI_URL (ari.url), http or https, and Asterisk's certificate",
    ],
    [
      'a host that does not answer',
      { code: 'EHOSTUNREACH' },
      'no-answer',
      'no answer from http://127.0.0.1:8088 (EHOSTUNREACH): check ARI_URL (ari.url) and the network',
    ],
    [
      'anything else',
      { message: 'Opening handshake has timed out' },
      'other',
      'ARI at http://127.0.0.1:8088 could not be reached (Opening handshake has timed out): check ARI_URL (ari.url)',
    ],
  ])('%s', (_what, failure, cause, text) => {
    expect(describeConnectionFailure(failure, target)).toEqual({ cause, text });
  });

  it('shows the URL without credentials written into it', () => {
    const { text } = describeConnectionFailure(
      { code: 'ECONNREFUSED' },
      { url: 'http://admin:secret@asterisk.example:8088', username: 'admin' },
    );
    expect(text).toContain('http://asterisk.example:8088');
    expect(text).not.toContain('secret');
  });
});
