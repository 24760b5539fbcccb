// Issue 16 item 5: `cpus: 1e999` was accepted (201), stored as null, and from then on no task was
// launched. Submitted over the framework's HTTP API and through the JS API, with a real master (or
// the simulator) behind: the poison is refused with the field and its range, and a valid
// definition submitted afterwards runs all its instances to the end.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { sleep, uniqueName } from './support/sdk-framework.js';
import { createFramework } from '../../src/bootstrap/create-framework.js';
import { TOKENS } from '../../src/tokens.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';

const TOKEN = 'poison-input-token';

conformance('poison input', (target) => {
  it('a definition with cpus 1e999 is a 400 naming the field; a valid one submitted afterwards runs its 3 instances', async () => {
    const fw = createFramework({
      master: target().url,
      framework: { name: uniqueName('poison'), user: 'root' },
      taskManager: true,
      server: { token: TOKEN },
    });
    try {
      await fw.start();
      const url = fw.serverUrl!;
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const poison = await fetch(`${url}/api/v1/tasks`, { method: 'POST', headers, body: '{"name":"poison","resources":{"cpus":1e999,"mem":16},"command":{"shell":"true"}}' });
      assert.equal(poison.status, 400);
      const body = (await poison.json()) as { code: string; errors: Array<{ path: string; message: string }> };
      assert.equal(body.code, 'ERR_TASK_DEFINITION_INVALID');
      assert.deepEqual(body.errors.map((e) => e.path), ['resources.cpus']);
      const tasks = fw.get<TaskManager>(TOKENS.TaskManager);
      await assert.rejects(tasks.submit({ name: 'poison-js', resources: { cpus: Infinity, mem: 16 }, command: { shell: 'true' } }), { code: 'ERR_TASK_DEFINITION_INVALID' });

      const ok = await fetch(`${url}/api/v1/tasks`, { method: 'POST', headers, body: JSON.stringify({ name: 'after-poison', instances: 3, resources: { cpus: 0.1, mem: 16 }, command: { shell: 'true' }, restartPolicy: { policy: 'never' } }) });
      assert.equal(ok.status, 201);
      const deadline = Date.now() + 60_000;
      let finished: Array<{ id: string }> = [];
      while (finished.length < 3) {
        if (Date.now() > deadline) throw new Error(`3 tasks did not finish in 60 s: ${JSON.stringify(tasks.list())}`);
        await sleep(200);
        finished = ((await (await fetch(`${url}/api/v1/tasks?name=after-poison&state=TASK_FINISHED`)).json()) as { tasks: Array<{ id: string }> }).tasks;
      }
      assert.deepEqual(finished.map((t) => t.id).sort(), ['after-poison.0.0', 'after-poison.1.0', 'after-poison.2.0']);
      assert.deepEqual(tasks.list({ name: 'poison' }), []);
    } finally {
      await fw.stop({ teardown: true });
    }
  });
});
