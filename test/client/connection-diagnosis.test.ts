import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agentAnswer, diagnoseConnectionFailure, diagnoseForeignAnswer } from '../../src/client/connection-diagnosis.js';

/** A Node network error as axios hands it on: its own code copied, the original as cause. */
function netError(code: string, message: string): Error {
  const cause = Object.assign(new Error(message), { code });
  return Object.assign(new Error(message), { code, cause });
}

describe('diagnoseConnectionFailure', () => {
  it('ECONNREFUSED: retryable, asks whether a master runs at the URL', () => {
    const d = diagnoseConnectionFailure(netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'http://127.0.0.1:1');
    assert.deepEqual(d, { code: 'ERR_CONNECTION', reason: 'connection refused (ECONNREFUSED)', hint: 'is a Mesos master running at http://127.0.0.1:1?', retryable: true });
  });

  it('ENOTFOUND: names the host and points at DNS', () => {
    const d = diagnoseConnectionFailure(netError('ENOTFOUND', 'getaddrinfo ENOTFOUND mesos.example'), 'http://mesos.example:5050');
    assert.equal(d.reason, 'host mesos.example not found (ENOTFOUND)');
    assert.match(d.hint, /host name .*DNS/);
    assert.equal(d.retryable, true);
  });

  it('EPROTO "wrong version number" on https: ERR_WRONG_SCHEME, not retryable, suggests http://', () => {
    const d = diagnoseConnectionFailure(netError('EPROTO', 'write EPROTO 80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'), 'https://m1:5050');
    assert.equal(d.code, 'ERR_WRONG_SCHEME');
    assert.equal(d.retryable, false);
    assert.match(d.hint, /plain HTTP\? use http:\/\/m1:5050/);
  });

  it('EPROTO on an http:// URL is not called a scheme mismatch', () => {
    assert.equal(diagnoseConnectionFailure(netError('EPROTO', 'write EPROTO'), 'http://m1:5050').code, 'ERR_CONNECTION');
  });

  const certs: Array<[string, RegExp, RegExp]> = [
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /self-signed/, /tls\.ca/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /CA this process does not know/, /tls\.ca/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /self-signed CA/, /tls\.ca/],
    ['CERT_HAS_EXPIRED', /expired/, /renew/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /does not name the host/, /tls\.servername/],
  ];
  for (const [code, reason, hint] of certs) {
    it(`${code}: ERR_TLS, not retryable, names the problem and what to set`, () => {
      const d = diagnoseConnectionFailure(netError(code, 'certificate problem'), 'https://m1:5050');
      assert.equal(d.code, 'ERR_TLS');
      assert.equal(d.retryable, false);
      assert.match(d.reason, reason);
      assert.match(d.reason, new RegExp(code));
      assert.match(d.hint, hint);
    });
  }

  it('a reset plain-HTTP connection hints at https://', () => {
    const d = diagnoseConnectionFailure(netError('ECONNRESET', 'socket hang up'), 'http://m1:5050');
    assert.equal(d.code, 'ERR_CONNECTION');
    assert.equal(d.retryable, true);
    assert.match(d.hint, /TLS, use https:\/\//);
  });

  it('its own connect timer: says connectTimeoutMs and the time', () => {
    const d = diagnoseConnectionFailure(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }), 'http://m1:5050', { timedOut: true, connectTimeoutMs: 1500 });
    assert.equal(d.reason, 'no answer within 1500 ms (connectTimeoutMs)');
    assert.equal(d.retryable, true);
  });

  it('an unknown failure keeps its message and code', () => {
    const d = diagnoseConnectionFailure(netError('EWEIRD', 'something odd'), 'http://m1:5050');
    assert.equal(d.reason, 'something odd (EWEIRD)');
    assert.equal(d.retryable, true);
  });
});

describe('diagnoseForeignAnswer', () => {
  it('a 404 is not a Mesos master (not retryable), with the body', () => {
    const d = diagnoseForeignAnswer(404, 'text/plain', 'Not Found', 'http://h:8080');
    assert.equal(d?.code, 'ERR_NOT_A_MESOS_MASTER');
    assert.equal(d?.retryable, false);
    assert.match(d!.reason, /404 "Not Found": this is not a Mesos master/);
    assert.match(d!.hint, /5050/);
  });

  it('an HTML page, whatever its status, with its title', () => {
    const d = diagnoseForeignAnswer(200, 'text/html; charset=utf-8', '<html><head><title>Welcome to nginx!</title></head></html>', 'http://h');
    assert.equal(d?.code, 'ERR_NOT_A_MESOS_MASTER');
    assert.match(d!.reason, /HTML page \("Welcome to nginx!"\)/);
  });

  it("a Mesos agent's 400 about agent::Call", () => {
    const d = diagnoseForeignAnswer(400, 'text/plain', "Failed to validate agent::Call: Expecting 'type' to be present", 'http://h:5051');
    assert.equal(d?.code, 'ERR_NOT_A_MESOS_MASTER');
    assert.match(d!.reason, /Mesos agent/);
    assert.deepEqual(d, agentAnswer('http://h:5051', `400 "Failed to validate agent::Call: Expecting 'type' to be present"`));
  });

  it("a master's own answers are left alone: 400 about the call, 503, 401", () => {
    assert.equal(diagnoseForeignAnswer(400, 'text/plain', 'Failed to validate scheduler::Call: Expecting framework_info', 'http://m'), undefined);
    assert.equal(diagnoseForeignAnswer(503, 'text/plain', 'No leader elected', 'http://m'), undefined);
    assert.equal(diagnoseForeignAnswer(401, 'text/plain', '', 'http://m'), undefined);
  });
});
