import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateTaskDefinitions, loadTaskDefinitions } from '../../src/task-spec/task-spec-validator.js';
import { toTaskInfo, toPlacementRequest } from '../../src/task-spec/to-task-info.js';
import type { TaskDefinition } from '../../src/task-spec/task-definition.js';
import { Codecs } from '../../src/protocol/messages.js';
import { ValidationError } from '../../src/errors/index.js';
import { fileURLToPath } from 'node:url';

const web: TaskDefinition = {
  name: 'web',
  instances: 3,
  role: 'prod',
  resources: { cpus: 0.5, mem: 256, disk: 100, ports: 2 },
  command: { shell: 'python3 -m http.server $PORT0', env: { MODE: 'prod' }, user: 'nobody', uris: [{ value: 'https://example.org/app.tgz', extract: true, cache: true }] },
  container: { type: 'MESOS', image: 'python:3.12-slim', networks: [{ mode: 'bridge', name: 'mesos-bridge' }], portMappings: [{ containerPort: 8000 }], volumes: [{ containerPath: 'data', hostPath: '/srv/data', mode: 'RO' }] },
  healthCheck: { type: 'HTTP', path: '/health', portIndex: 1, intervalSeconds: 5, timeoutSeconds: 2, consecutiveFailures: 3, gracePeriodSeconds: 30 },
  killPolicy: { gracePeriodSeconds: 15 },
  labels: { team: 'core' },
  constraints: [['hostname', 'UNIQUE'], ['rack', 'GROUP_BY', '3'], ['zone', 'LIKE', 'eu-.*']],
  restartPolicy: { policy: 'on-failure', maxRetries: 5, backoffSeconds: 1, backoffFactor: 2, maxBackoffSeconds: 60 },
};

function problemsOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    validateTaskDefinitions(input);
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.code, 'ERR_TASK_DEFINITION_INVALID');
    return [...err.problems];
  }
  assert.fail('expected a ValidationError');
}

describe('validateTaskDefinitions', () => {
  it('accepts a complete definition, an array of them, and { tasks: [...] }', () => {
    assert.equal(validateTaskDefinitions(web).length, 1);
    assert.equal(validateTaskDefinitions([web, { ...web, name: 'api' }]).length, 2);
    assert.equal(validateTaskDefinitions({ tasks: [web] })[0]!.name, 'web');
  });

  it('accepts the sample task file', () => {
    const file = fileURLToPath(new URL('../../../samples/01-launch-tasks/tasks.json', import.meta.url));
    assert.equal(loadTaskDefinitions(file).length, 3);
  });

  it('lists every problem with its path, across definitions', () => {
    const problems = problemsOf({
      tasks: [
        { name: 'Bad_Name', resources: { cpus: 0, mem: 'lots' }, command: { shell: 'x' }, restart: true },
        { name: 'ok', resources: { cpus: 1, mem: 1 }, command: { shell: 'x', argv: ['y'] }, healthCheck: { type: 'TCP', portIndex: 0 }, constraints: [['rack', 'MAX_PER', 'two'], ['x', 'LIKE', '([']] },
        { name: 'ok', resources: { cpus: 1, mem: 1 } },
      ],
    });
    const paths = problems.map((p) => p.path);
    for (const expected of ['tasks[0].name', 'tasks[0].resources.cpus', 'tasks[0].resources.mem', 'tasks[0]', 'tasks[1].command', 'tasks[1].healthCheck.portIndex', 'tasks[1].constraints[0][2]', 'tasks[1].constraints[1][2]', 'tasks[2].command', 'tasks[2].name']) {
      assert.ok(paths.includes(expected), `no problem reported at ${expected}: ${JSON.stringify(problems)}`);
    }
    assert.ok(problems.some((p) => p.path === 'tasks[0]' && /unknown field "restart"/.test(p.message)));
    assert.ok(problems.some((p) => p.path === 'tasks[2].name' && /duplicates/.test(p.message)));
  });

  it('says what is missing', () => {
    const problems = problemsOf({ name: 'x', command: { shell: 'y' } });
    assert.deepEqual(problems, [{ path: '(root)', message: 'is missing the required field "resources"' }]);
  });

  it('rejects input that is not an object', () => {
    assert.throws(() => validateTaskDefinitions('web'), { code: 'ERR_TASK_DEFINITION_INVALID' });
  });
});

describe('toTaskInfo', () => {
  const placement = {
    taskId: 'web.0.abc',
    agentId: { value: 'S1' },
    resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 0.5 } }],
    ports: [31001, 31002],
  };

  it('builds a TaskInfo that encodes and decodes through the protobuf schema', () => {
    const info = toTaskInfo(web, placement);
    const back = Codecs.taskInfo().decodeProtobuf(Codecs.taskInfo().encodeProtobuf(info));
    assert.deepEqual(Codecs.taskInfo().toJsonObject(back), Codecs.taskInfo().toJsonObject(info));
    assert.equal(info.command!.value, 'python3 -m http.server $PORT0');
    const env = Object.fromEntries(info.command!.environment!.variables!.map((v) => [v.name, v.value]));
    assert.deepEqual(env, { MODE: 'prod', PORT0: '31001', PORT1: '31002', PORT: '31001' });
    assert.equal(info.command!.uris![0]!.cache, true);
    assert.equal(info.container!.type, 'MESOS');
    assert.equal(info.container!.mesos!.image!.docker!.name, 'python:3.12-slim');
    assert.deepEqual(info.container!.network_infos![0]!.port_mappings, [{ container_port: 8000, host_port: 31001, protocol: 'tcp' }]);
    assert.deepEqual(info.health_check!.http, { port: 31002, path: '/health' });
    assert.equal(info.kill_policy!.grace_period!.nanoseconds, 15e9);
    assert.deepEqual(info.labels!.labels, [{ key: 'team', value: 'core' }]);
    assert.deepEqual(info.discovery!.ports!.ports!.map((p) => p.number), [31001, 31002]);
  });

  it('runs argv without a shell and builds Docker containers', () => {
    const info = toTaskInfo({ name: 'd', resources: { cpus: 1, mem: 64 }, command: { argv: ['/bin/app', '--flag'] }, container: { type: 'DOCKER', image: 'nginx:1', forcePull: true } }, { ...placement, ports: [] });
    assert.deepEqual([info.command!.shell, info.command!.value, info.command!.arguments], [false, '/bin/app', ['/bin/app', '--flag']]);
    assert.deepEqual(info.container!.docker, { image: 'nginx:1', network: 'HOST', force_pull_image: true });
    Codecs.taskInfo().encodeProtobuf(info);
  });

  it('turns a definition into a placement request', () => {
    assert.deepEqual(toPlacementRequest(web, 'web.0'), {
      id: 'web.0', group: 'web', resources: { cpus: 0.5, mem: 256, disk: 100, ports: 2 }, role: 'prod', constraints: web.constraints,
    });
  });
});
