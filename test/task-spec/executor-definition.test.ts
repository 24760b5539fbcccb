import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateTaskDefinitions } from '../../src/task-spec/task-spec-validator.js';
import { taskCommandOf, toTaskInfo } from '../../src/task-spec/to-task-info.js';
import { Codecs } from '../../src/protocol/messages.js';
import { ValidationError } from '../../src/errors/index.js';

const placement = { taskId: 'web.0.0', agentId: { value: 'A1' }, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 } }], ports: [31001] };

describe('task definitions run by a custom executor', () => {
  it('builds an ExecutorInfo instead of a command, and carries the task command in data', () => {
    const [def] = validateTaskDefinitions({ name: 'web', resources: { cpus: 0.1, mem: 16, ports: 1 }, command: { shell: 'serve --port $PORT0', env: { MODE: 'x' } }, executor: { command: { shell: 'node executor.mjs', uris: [{ value: 'http://h/artifacts/executor.mjs' }] } } });
    const info = toTaskInfo(def!, placement);
    assert.equal(info.command, undefined);
    assert.equal(info.executor?.executor_id.value, 'web.0.0.executor');
    assert.equal(info.executor?.command?.value, 'node executor.mjs');
    assert.equal(info.executor?.command?.uris?.[0]?.value, 'http://h/artifacts/executor.mjs');
    assert.deepEqual(taskCommandOf(info), { shell: 'serve --port $PORT0', env: { MODE: 'x', PORT0: '31001', PORT: '31001' } });
    // the TaskInfo survives the protobuf wire
    const wire = Codecs.schedulerCall().encode({ type: 'ACCEPT', framework_id: { value: 'f' }, accept: { offer_ids: [{ value: 'o' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [info] } }] } }, 'protobuf');
    const back = Codecs.schedulerCall().decode(wire, "protobuf").accept!.operations![0]!.launch!.task_infos![0]!;
    assert.deepEqual(taskCommandOf(back), taskCommandOf(info));
  });

  it('needs exactly one of shell or argv for the executor, and no task command then', () => {
    assert.doesNotThrow(() => validateTaskDefinitions({ name: 'a', resources: { cpus: 0.1, mem: 16 }, executor: { command: { argv: ['./exec'] } } }));
    assert.throws(() => validateTaskDefinitions({ name: 'a', resources: { cpus: 0.1, mem: 16 }, executor: { command: {} } }), (e: unknown) => e instanceof ValidationError && e.problems.some((p) => p.path === 'executor.command' || p.path.endsWith('.executor.command')));
    assert.throws(() => validateTaskDefinitions({ name: 'a', resources: { cpus: 0.1, mem: 16 }, executor: { id: 'bad id!', command: { shell: 'x' } } }), (e: unknown) => e instanceof ValidationError && e.problems.some((p) => p.path.includes('executor.id')));
  });

  it('taskCommandOf refuses data that is not a command with a typed error', () => {
    const base = { name: 't', task_id: { value: 't.0.0' }, agent_id: { value: 'A' } };
    assert.equal(taskCommandOf(base), undefined);
    for (const data of ['not json', '{"env":{}}', '{"argv":[]}', '{"argv":[1]}', 'null']) {
      assert.throws(() => taskCommandOf({ ...base, data: new TextEncoder().encode(data) }), (e: unknown) => e instanceof ValidationError && e.code === 'ERR_TASK_COMMAND_INVALID', data);
    }
    assert.throws(() => taskCommandOf({ ...base, data: new Uint8Array([0xff, 0xfe]) }), (e: unknown) => e instanceof ValidationError);
  });
});
