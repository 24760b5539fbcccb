// What the SDK says when it cannot reach the master it was given, or loses it, on both masters:
// https:// against the master's plain-HTTP port (real Mesos 1.11 resets the TLS handshake, the
// simulator's Node server fails it with EPROTO: both are ERR_WRONG_SCHEME), and a subscription
// cut mid-run (warn "lost", info "re-subscribed").
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { uniqueName } from './support/sdk-framework.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { MesosHttpClient } from '../../src/client/http-client.js';
import { MesosScheduler } from '../../src/scheduler/mesos-scheduler.js';
import { ConnectionError } from '../../src/errors/index.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import type { Encoding } from '../../src/protocol/codec.js';

function scheduler(url: string, encoding: Encoding, logger = new MemoryLogger()) {
  const s = new MesosScheduler(new MesosHttpClient({ masters: [url], encoding, logger: logger.child('client') }), {
    frameworkInfo: { user: 'root', name: uniqueName('reach'), roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }], failover_timeout: 60 },
    backoff: { initialMs: 100, maxMs: 500 },
    startTimeoutMs: 60_000,
    logger: logger.child('scheduler'),
  });
  return { s, logger };
}

conformance('reaching the master', (target) => {
  for (const encoding of ['protobuf', 'json'] as const) {
    it(`https:// against the master's plain-HTTP port: ERR_WRONG_SCHEME saying to use http:// (${encoding})`, async () => {
      const url = target().url.replace(/^http:/, 'https:');
      const { s } = scheduler(url, encoding);
      try {
        await assert.rejects(s.start(), (err: unknown) => {
          assert.ok(err instanceof ConnectionError);
          assert.equal(err.code, 'ERR_WRONG_SCHEME');
          assert.ok(err.message.includes(`use ${target().url}`), err.message);
          return true;
        });
      } finally {
        await s.stop();
      }
    });

    it(`a subscription cut mid-run: warn "subscription to <url> lost: <reason>; retrying in N ms", then info "re-subscribed" (${encoding})`, async () => {
      const proxy = await TcpProxy.start(target().url);
      const { s, logger } = scheduler(proxy.url, encoding);
      try {
        await s.start();
        proxy.cut();
        const deadline = Date.now() + 20_000;
        while (!logger.lines.some((l) => /re-subscribed/.test(l.message)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const lost = logger.lines.find((l) => / lost: /.test(l.message));
        assert.equal(lost?.level, 'warn');
        assert.equal(lost?.name, 'mesos-sdk.scheduler');
        assert.match(lost!.message, new RegExp(`^subscription to ${proxy.url.replace(/[.]/g, '\\.')} lost: .+ \\[ERR_[A-Z_]+\\]; retrying in \\d+ ms$`));
        const back = logger.lines.find((l) => /re-subscribed/.test(l.message));
        assert.equal(back?.level, 'info');
        assert.match(back!.message, new RegExp(`^re-subscribed to ${proxy.url.replace(/[.]/g, '\\.')} as framework ${s.frameworkId} after [\\d.]+ s$`));
      } finally {
        if (s.state === 'subscribed') await s.teardown().catch(() => {});
        await s.stop();
        await proxy.stop();
      }
    });
  }
});
