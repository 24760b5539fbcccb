import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateTaskDefinitions } from '../../src/task-spec/task-spec-validator.js';
import { executorAmountsOf, taskCommandOf, toPlacementRequest, toTaskInfo } from '../../src/task-spec/to-task-info.js';
import { Codecs } from '../../src/protocol/messages.js';
import { ValidationError } from '../../src/errors/index.js';
import type { TaskDefinition } from '../../src/task-spec/task-definition.js';

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

  // Issue #14: an executor given no resources made a real master warn that executors need at least 0.01 cpus and 32 MB.
  it('gives a custom executor 0.1 cpus and 32 MiB by default, placed with the task', () => {
    const [def] = validateTaskDefinitions({ name: 'web', resources: { cpus: 0.5, mem: 64 }, command: { shell: 'x' }, executor: { command: { shell: 'node e.mjs' } } });
    assert.deepEqual(executorAmountsOf(def!), { cpus: 0.1, mem: 32 });
    assert.deepEqual(toPlacementRequest(def!, 'web.0.0').executor, { cpus: 0.1, mem: 32 });
  });

  it('takes the executor resources from the definition', () => {
    const [def] = validateTaskDefinitions({ name: 'web', resources: { cpus: 0.5, mem: 64 }, command: { shell: 'x' }, executor: { resources: { cpus: 0.25, mem: 128, disk: 5 }, command: { shell: 'node e.mjs' } } });
    assert.deepEqual(toPlacementRequest(def!, 'web.0.0').executor, { cpus: 0.25, mem: 128, disk: 5 });
    const [partial] = validateTaskDefinitions({ name: 'p', resources: { cpus: 0.5, mem: 64 }, command: { shell: 'x' }, executor: { resources: { mem: 64 }, command: { shell: 'node e.mjs' } } });
    assert.deepEqual(executorAmountsOf(partial!), { cpus: 0.1, mem: 64 });
  });

  it('refuses executor resources below what Mesos requires (0.01 cpus, 32 MiB) and unknown fields', () => {
    for (const resources of [{ cpus: 0.001 }, { mem: 16 }, { gpus: 1 }]) {
      assert.throws(
        () => validateTaskDefinitions({ name: 'a', resources: { cpus: 0.1, mem: 16 }, command: { shell: 'x' }, executor: { resources, command: { shell: 'x' } } }),
        (e: unknown) => e instanceof ValidationError && e.problems.some((p) => p.path.includes('executor.resources')),
        JSON.stringify(resources),
      );
    }
  });

  it('puts the executor share of the placement in ExecutorInfo.resources, and none on a command task', () => {
    const [def] = validateTaskDefinitions({ name: 'web', resources: { cpus: 0.5, mem: 64 }, command: { shell: 'x' }, executor: { command: { shell: 'node e.mjs' } } });
    const executorResources = [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR' as const, scalar: { value: 32 } }];
    const info = toTaskInfo(def!, { ...placement, executorResources });
    assert.deepEqual(info.executor?.resources, executorResources);
    assert.deepEqual(info.resources, placement.resources);
    const [plain] = validateTaskDefinitions({ name: 'plain', resources: { cpus: 0.5, mem: 64 }, command: { shell: 'x' } });
    assert.equal(toPlacementRequest(plain!, 'plain.0.0').executor, undefined);
  });

  // The schema is kept by hand beside the type: Required<> makes this fail to compile when the type
  // gains an executor field, and additionalProperties makes it fail to validate when the schema lacks it.
  it('the schema accepts every field the TaskDefinition type gives an executor', () => {
    type Executor = NonNullable<TaskDefinition['executor']>;
    const uri: Required<NonNullable<Executor['command']['uris']>[number]> = { value: 'http://h/e.mjs', extract: false, executable: true, cache: false, outputFile: 'e.mjs' };
    const executor: Required<Omit<Executor, 'resources' | 'command'>> & { resources: Required<NonNullable<Executor['resources']>>; command: Required<Omit<Executor['command'], 'argv'>> } = {
      id: 'shared.executor',
      name: 'shared',
      resources: { cpus: 0.2, mem: 64, disk: 1 },
      command: { shell: 'node e.mjs', env: { A: 'b' }, uris: [uri] },
    };
    assert.doesNotThrow(() => validateTaskDefinitions({ name: 'a', resources: { cpus: 0.1, mem: 16 }, command: { shell: 'x' }, executor }));
  });
});
