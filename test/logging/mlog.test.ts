import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { formatMlogLines, parseMlogLine, MlogLogger, MemoryLogger, ConsoleLogger, withCorrelationId, currentCorrelationId, SecretSet, REDACTED, type MlogRecord } from '../../src/logging/index.js';
import { ConfigurationError, ProtocolError } from '../../src/errors/families.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function capture(options: ConstructorParameters<typeof MlogLogger>[0] = {}) {
  const out: string[] = [];
  const logger = new MlogLogger({ env: {}, ...options, write: (text) => out.push(...text.split('\n')) });
  return { logger, out };
}

describe('MLOG line format', () => {
  it('parses back every field of a formatted line (property, fixed seed)', () => {
    const field = fc.string({ maxLength: 20 });
    const message = fc.string({ maxLength: 80 }).filter((s) => !/[\r\n]/.test(s));
    fc.assert(
      fc.property(fc.constantFrom('TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL' as const), field, fc.nat(), field, field, field, field, field, message, fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), (severity, taskId, pid, group, application, name, correlationId, source, msg, date) => {
        const record: MlogRecord = { severity, taskId, pid, group, application, name, correlationId, source, time: date.toISOString(), message: msg };
        const lines = formatMlogLines(record);
        assert.equal(lines.length, 1);
        const parsed = parseMlogLine(lines[0]!);
        const clean = (s: string) => (s === '' ? '-' : s.replace(/[|\r\n]/g, '_'));
        assert.deepEqual(parsed, { ...record, taskId: clean(taskId), group: clean(group), application: clean(application), name: clean(name), correlationId: clean(correlationId), source: clean(source) });
      }),
      { seed: 20261125, numRuns: 500 },
    );
  });

  it('writes one line per message line, each with the full prefix', () => {
    const record: MlogRecord = { severity: 'ERROR', taskId: 't-1', pid: 42, group: 'g', application: 'app', name: 'n', correlationId: 'c', source: 'a.js:1', time: '2026-11-25T00:00:00.000Z', message: 'first\r\nsecond|with bar\nthird\n' };
    const lines = formatMlogLines(record);
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.map((l) => parseMlogLine(l).message), ['first', 'second|with bar', 'third']);
    for (const l of lines) assert.equal(parseMlogLine(l).taskId, 't-1');
  });

  it('rejects what is not an MLOG line with ERR_MLOG_PARSE', () => {
    for (const bad of ['', 'hello', '*|2|INFO|-|1|-|-|-|-|-|2026-11-25T00:00:00.000Z|m', '*|1|LOUD|-|1|-|-|-|-|-|2026-11-25T00:00:00.000Z|m', '*|1|INFO|-|x|-|-|-|-|-|2026-11-25T00:00:00.000Z|m', '*|1|INFO|-|1|-|-|-|-|-|yesterday|m', '*|1|INFO|-|1|-|-|-|-|-|2026-11-25T00:00:00.000Z|a\nb']) {
      assert.throws(() => parseMlogLine(bad), (e: unknown) => e instanceof ProtocolError && e.code === 'ERR_MLOG_PARSE', bad);
    }
  });
});

describe('MlogLogger', () => {
  it('takes the task id from MESOS_EXECUTOR_ID when MESOS_TASK_ID is not set (a Mesos agent sets none; the command executor id is the task id)', () => {
    const { logger, out } = capture({ env: { MESOS_EXECUTOR_ID: 'web.2' } });
    logger.info('hello');
    assert.equal(parseMlogLine(out[0]!).taskId, 'web.2');
  });

  it('fills the fields from the environment, the logger name, the caller and the clock', () => {
    const { logger, out } = capture({ name: 'fw', env: { MESOS_TASK_ID: 'web.1', MLOG_GROUP: 'blue', MLOG_APPLICATION: 'shop' } });
    const before = Date.now();
    logger.child('scheduler').child('calls').info('subscribed as %s', 'fw-1'); // the line the caller field must name
    // tslog maps the position through the source map: the caller is this TypeScript line
    const source = readFileSync(new URL('../../../test/logging/mlog.test.ts', import.meta.url), 'utf8').split('\n');
    const expectedLine = source.findIndex((l) => l.includes('// the line the caller field must name')) + 1;
    assert.equal(out.length, 1);
    const r = parseMlogLine(out[0]!);
    assert.equal(r.severity, 'INFO');
    assert.equal(r.taskId, 'web.1');
    assert.equal(r.pid, process.pid);
    assert.equal(r.group, 'blue');
    assert.equal(r.application, 'shop');
    assert.equal(r.name, 'fw.scheduler.calls');
    assert.equal(r.correlationId, '-');
    assert.equal(r.source, `test/logging/mlog.test.ts:${expectedLine}`);
    assert.ok(Date.parse(r.time) >= before - 1 && Date.parse(r.time) <= Date.now() + 1);
    assert.equal(r.message, 'subscribed as %s fw-1');
  });

  it('filters by level, from options or LOG_LEVEL', () => {
    const a = capture({ level: 'warn' });
    a.logger.info('no');
    a.logger.debug('no');
    a.logger.warn('yes');
    a.logger.child('c').error('yes too');
    assert.deepEqual(a.out.map((l) => [parseMlogLine(l).severity, parseMlogLine(l).message]), [['WARN', 'yes'], ['ERROR', 'yes too']]);
    const b = capture({ env: { LOG_LEVEL: 'TRACE' } });
    b.logger.trace('t');
    assert.equal(parseMlogLine(b.out[0]!).severity, 'TRACE');
    const c = capture({});
    c.logger.debug('hidden at the default info');
    assert.equal(c.out.length, 0);
  });

  it('renders arguments: errors with their code, objects as JSON with secret keys masked', () => {
    const { logger, out } = capture();
    const err = Object.assign(new Error('offer gone'), { code: 'ERR_X' });
    logger.warn('decline failed', err, { agent: 'a1', password: 'hunter22', nested: { Token: 'abc' } }, 7);
    const r = parseMlogLine(out[0]!);
    assert.equal(r.message, 'decline failed Error [ERR_X]: offer gone {"agent":"a1","password":"[masked]","nested":{"Token":"[masked]"}} 7');
  });

  it('splits multi-line messages into lines that all parse', () => {
    const { logger, out } = capture();
    logger.error('line one\nline two\nline three');
    assert.equal(out.length, 3);
    assert.deepEqual(out.map((l) => parseMlogLine(l).message), ['line one', 'line two', 'line three']);
    assert.equal(new Set(out.map((l) => parseMlogLine(l).time)).size, 1);
  });

  it('writes one JSON object per record in JSON mode (LOG_FORMAT=json)', () => {
    const { logger, out } = capture({ env: { LOG_FORMAT: 'json', MESOS_TASK_ID: 't9' } });
    logger.child('x').warn('two\nlines');
    assert.equal(out.length, 1);
    const r = JSON.parse(out[0]!) as MlogRecord;
    assert.equal(r.severity, 'WARN');
    assert.equal(r.message, 'two\nlines');
    assert.equal(r.name, 'mesos-sdk.x');
    assert.equal(r.taskId, 't9');
    assert.match(r.source, /^test\/logging\/mlog\.test\.ts:\d+$/);
  });

  it('carries the correlation id across await and keeps concurrent ones apart', async () => {
    const { logger, out } = capture();
    const work = (id: string, delay: number) => withCorrelationId(id, async () => {
      logger.info(`start ${id}`);
      await sleep(delay);
      assert.equal(currentCorrelationId(), id);
      logger.info(`end ${id}`);
    });
    await Promise.all([work('req-1', 30), work('req-2', 5)]);
    logger.info('outside');
    const byMessage = Object.fromEntries(out.map((l) => parseMlogLine(l)).map((r) => [r.message, r.correlationId]));
    assert.deepEqual(byMessage, { 'start req-1': 'req-1', 'start req-2': 'req-2', 'end req-1': 'req-1', 'end req-2': 'req-2', outside: '-' });
  });

  it('refuses a bad level or format with a typed error', () => {
    assert.throws(() => new MlogLogger({ env: { LOG_LEVEL: 'verbose' } }), (e: unknown) => e instanceof ConfigurationError && e.code === 'ERR_LOG_BAD_LEVEL' && /verbose/.test(e.message));
    assert.throws(() => new MlogLogger({ env: { LOG_FORMAT: 'xml' } }), (e: unknown) => e instanceof ConfigurationError && e.code === 'ERR_LOG_BAD_FORMAT');
  });
});

describe('secret redaction', () => {
  const SECRET = 's3cr3t-Pa55';
  it('never writes a secret: messages, strings, errors, objects, children, names', () => {
    const { logger, out } = capture({ level: 'trace', secrets: [SECRET] });
    const child = logger.child('client');
    logger.addSecrets('bearer-xyz-123', 'ab'); // too short to redact: ignored
    child.info(`auth header Basic ${SECRET}`);
    child.debug('args', SECRET, new Error(`rejected ${SECRET}`), { header: `Bearer bearer-xyz-123`, list: [SECRET] });
    logger.child(`named-${SECRET}`).warn('odd name');
    withCorrelationId(`corr-${SECRET}`, () => logger.error('odd correlation id'));
    const text = out.join('\n');
    assert.ok(!text.includes(SECRET), text);
    assert.ok(!text.includes('bearer-xyz-123'), text);
    assert.ok(text.includes(REDACTED));
    assert.equal(out.length, 4);
    for (const l of out) parseMlogLine(l);
    assert.match(out[0]!, /auth header Basic \[redacted\]$/);
  });

  it('applies to every LevelLogger: memory and console loggers too, without mutating the caller objects', () => {
    const mem = new MemoryLogger();
    mem.addSecrets(SECRET);
    const payload = { pw: SECRET };
    mem.child('a').info(`x ${SECRET}`, payload);
    assert.deepEqual(mem.lines[0]!.message, `x ${REDACTED}`);
    assert.deepEqual(mem.lines[0]!.args, [{ pw: REDACTED }]);
    assert.equal(payload.pw, SECRET);
    const lines: string[] = [];
    const con = new ConsoleLogger('c', 'info', (l) => lines.push(l));
    con.addSecrets(SECRET);
    con.child('b').info(SECRET);
    assert.ok(!lines.join('').includes(SECRET));
  });

  it('redacts overlapping secrets fully (longest first)', () => {
    const s = new SecretSet();
    s.add('abcd', 'abcdefgh');
    assert.equal(s.redact('xxabcdefghyy abcd'), `xx${REDACTED}yy ${REDACTED}`);
  });
});
