/**
 * The package as a user gets it: `npm pack` of this repository (already built by `npm test`),
 * installed into a brand-new TypeScript project (ESM, `moduleResolution: nodenext`, `strict`,
 * `exactOptionalPropertyTypes`, no `skipLibCheck`, the tsconfig the README gives), which imports
 * every entry point, compiles the README's examples and runs the runnable ones. Also checks which
 * packages each entry point loads, so a heavy dependency imported eagerly fails here.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readmeBlocks, type ReadmeBlock } from './readme-blocks.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
};
const devTypesNode = (JSON.parse(readFileSync(join(ROOT, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as { version: string }).version;

// (@fastify/static is no longer used: the server serves artifacts itself, issue 16.)
/** Packages nobody may load just by importing an entry point (they are loaded when used). */
const HEAVY = ['etcd3', '@grpc/grpc-js', 'fastify', 'classic-level', 'prom-client', 'ajv'];

interface Packed {
  filename: string;
  files: Array<{ path: string }>;
}

let work: string;
let project: string;
let packed: Packed;
let installed: string;
let tscOutput = '';
let tscStatus = 0;
const examples: Array<ReadmeBlock & { file: string }> = [];
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = readmeBlocks(readme);

/** The tsconfig block of the README, as parsed JSON. */
function readmeTsconfig(): { compilerOptions: Record<string, unknown> } {
  const block = blocks.find((b) => b.lang === 'json' && b.tags.includes('tsconfig'));
  assert.ok(block, 'README.md has no ```json tsconfig block');
  return JSON.parse(block.body) as { compilerOptions: Record<string, unknown> };
}

/** Packages (by name under node_modules) that `node` loads for `code`, from the installed project. */
async function packagesLoadedBy(code: string): Promise<string[]> {
  const record = join(project, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(record, '');
  const { stdout } = await run(process.execPath, ['--import', './record-loads.mjs', '--input-type=module', '-e', `${code}\n${REPORT}`], {
    cwd: project,
    env: { ...process.env, RECORD_LOADS: record },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

/** Appended to every probe: CommonJS modules from require's cache, ES modules from the resolve hook. */
const REPORT = `
import { createRequire as __cr } from 'node:module';
import { readFileSync as __rf } from 'node:fs';
import { fileURLToPath as __fu } from 'node:url';
const __paths = [...Object.keys(__cr(import.meta.url).cache),
  ...__rf(process.env.RECORD_LOADS, 'utf8').split('\\n').filter((u) => u.startsWith('file:')).map((u) => __fu(u))];
const __names = new Set();
for (const p of __paths) { const m = [...p.matchAll(/node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/g)].at(-1); if (m) __names.add(m[1].replace(/\\\\/g, '/')); }
console.log(JSON.stringify([...__names].sort()));
process.exit(0);
`;

describe('the npm package, installed into a fresh TypeScript project', { timeout: 240_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'mesos-sdk-packaging-'));
    assert.ok(existsSync(join(ROOT, 'dist', 'src', 'index.js')), 'dist/src is not built: run `npm run build` first');
    // --ignore-scripts: `npm test` has just built dist; `prepare` would only build it again.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    packed = (JSON.parse(stdout) as Packed[])[0]!;

    project = join(work, 'user-project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, type: 'module' }, null, 2));
    // The README's tsconfig, made stricter: the package's own declarations must pass these too.
    const tsconfig = readmeTsconfig();
    tsconfig.compilerOptions = { ...tsconfig.compilerOptions, strict: true, exactOptionalPropertyTypes: true, outDir: 'out', rootDir: '.' };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['*.ts'] }, null, 2));
    await run('npm', ['install', join(work, packed.filename), `@types/node@${devTypesNode}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: project,
      timeout: 180_000,
    }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`npm install of ${packed.filename} into a fresh project failed (it needs the registry, or an npm cache filled by \`npm ci\`): ${err.stderr ?? err.message}`);
    });
    installed = join(project, 'node_modules', pkg.name);

    // Every entry point, so every declaration file it reaches is type-checked.
    const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`));
    writeFileSync(join(project, 'entries.ts'), entries.map((e, i) => `import * as e${i} from '${e}';\nconsole.log('${e}', Object.keys(e${i}).length);`).join('\n') + '\n');
    blocks.filter((b) => b.lang === 'ts' && b.tags.includes('example')).forEach((b, i) => {
      const file = `example-${i + 1}.ts`;
      writeFileSync(join(project, file), `// README.md line ${b.line}\n${b.body}`);
      examples.push({ ...b, file });
    });
    // Records every URL the ES module loader resolves (the CommonJS ones are in require.cache).
    writeFileSync(join(project, 'record-hooks.mjs'), [
      "import { appendFileSync } from 'node:fs';",
      'let out;',
      'export function initialize(data) { out = data.out; }',
      'export async function resolve(specifier, context, next) { const r = await next(specifier, context); appendFileSync(out, r.url + "\\n"); return r; }',
    ].join('\n'));
    writeFileSync(join(project, 'record-loads.mjs'), "import { register } from 'node:module';\nregister('./record-hooks.mjs', import.meta.url, { data: { out: process.env.RECORD_LOADS } });\n");

    try {
      await run(TSC, ['-p', 'tsconfig.json'], { cwd: project, timeout: 120_000 });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      tscOutput = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      tscStatus = e.code ?? 1;
    }
  });

  after(() => {
    // PACKAGING_KEEP=1 leaves the tarball and the project in place to look at.
    if (work && !process.env['PACKAGING_KEEP']) rmSync(work, { recursive: true, force: true });
    else if (work) console.log(`packaging: kept ${work}`);
  });

  describe('the tarball', () => {
    it('holds every entry point with its declarations, the bin, proto, schema, LICENSE, README and CHANGELOG', () => {
      const files = new Set(packed.files.map((f) => f.path));
      const wanted = ['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'proto/mesos/v1/mesos.proto', 'proto/mesos/v1/scheduler/scheduler.proto', 'schema/task-definition.schema.json', 'dist/src/index.js', 'dist/src/index.d.ts'];
      for (const target of Object.values(pkg.exports)) {
        if (typeof target === 'string') wanted.push(target.replace(/^\.\//, ''));
        else wanted.push(target.types.replace(/^\.\//, ''), target.default.replace(/^\.\//, ''));
      }
      wanted.push(...Object.values(pkg.bin));
      const missing = wanted.filter((f) => !files.has(f));
      assert.deepEqual(missing, [], `missing from ${packed.filename}`);
    });

    it('holds no tests, samples, benchmarks or build leftovers', () => {
      const stray = packed.files.map((f) => f.path).filter((f) => /^(dist\/)?(test|samples|benchmarks|scripts)\//.test(f) || f.endsWith('.tsbuildinfo') || f.startsWith('node_modules/'));
      assert.deepEqual(stray, []);
    });

    it('gives every compiled module its declarations and a source map whose sources are in the tarball', () => {
      const files = new Set(packed.files.map((f) => f.path));
      const modules = [...files].filter((f) => f.startsWith('dist/src/') && f.endsWith('.js'));
      assert.ok(modules.length > 50, `only ${modules.length} compiled modules in the tarball`);
      const problems: string[] = [];
      for (const js of modules) {
        if (!files.has(js.replace(/\.js$/, '.d.ts'))) problems.push(`${js}: no .d.ts`);
        if (!files.has(`${js}.map`)) {
          problems.push(`${js}: no .js.map`);
          continue;
        }
        const map = JSON.parse(readFileSync(join(installed, `${js}.map`), 'utf8')) as { sources: string[] };
        for (const source of map.sources) {
          const shipped = resolve(dirname(join(installed, js)), source).slice(installed.length + 1).replaceAll('\\', '/');
          if (!files.has(shipped)) problems.push(`${js}.map points to ${shipped}, which is not in the tarball`);
        }
      }
      assert.deepEqual(problems, []);
    });
  });

  describe('the README', () => {
    it('gives the tsconfig a user needs: ESM with nodenext resolution, experimental decorators with their metadata', () => {
      const { compilerOptions: o } = readmeTsconfig();
      assert.equal(String(o['module']).toLowerCase(), 'nodenext');
      assert.equal(String(o['moduleResolution']).toLowerCase(), 'nodenext');
      assert.equal(o['experimentalDecorators'], true);
      assert.equal(o['emitDecoratorMetadata'], true);
      assert.equal(o['skipLibCheck'], undefined, 'the package must not need skipLibCheck');
      // The first screen: it must come before the first section about the SDK itself.
      assert.ok(readme.indexOf('```json tsconfig') < readme.indexOf('\n## Running tasks'), 'the tsconfig is not near the top of the README');
      assert.match(readme.slice(0, readme.indexOf('## Running tasks')), /ESM only/);
    });

    it('marks every TypeScript block as an example, so each one is compiled here, and runs at least the quick start', () => {
      const ts = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
      assert.deepEqual(ts.filter((b) => !b.tags.includes('example')).map((b) => `line ${b.line}`), []);
      assert.ok(examples.length >= 5, `only ${examples.length} examples`);
      assert.ok(examples.some((b) => b.tags.includes('run') && b.body.includes('SimulatedMaster')), 'no runnable example on the simulated master');
    });
  });

  describe('in the user project (strict, exactOptionalPropertyTypes, no skipLibCheck)', () => {
    it("type-checks the package's own declarations through every entry point", () => {
      const inPackage = tscOutput.split('\n').filter((l) => l.includes(`node_modules/${pkg.name}/`) || l.startsWith('entries.ts'));
      assert.deepEqual(inPackage, [], tscOutput);
    });

    it("compiles the README's examples", () => {
      assert.equal(tscStatus, 0, tscOutput);
      for (const b of examples) assert.ok(existsSync(join(project, 'out', b.file.replace(/\.ts$/, '.js'))), `${b.file} (README line ${b.line}) was not emitted`);
    });

    it('runs the entry points and the runnable examples to completion', async () => {
      const entries = await run(process.execPath, ['out/entries.js'], { cwd: project, timeout: 30_000 });
      for (const line of entries.stdout.trim().split('\n')) assert.match(line, /^mesos-sdk\S* [1-9]\d*$/, 'an entry point exports nothing');
      const runnable = examples.filter((b) => b.tags.includes('run'));
      assert.ok(runnable.length >= 1);
      for (const b of runnable) {
        const { stdout } = await run(process.execPath, [join('out', b.file.replace(/\.ts$/, '.js'))], { cwd: project, timeout: 60_000, env: { ...process.env, LOG_LEVEL: 'warn' } }).catch((err: Error & { stdout?: string; stderr?: string }) => {
          throw new Error(`README example at line ${b.line} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
        });
        if (b.body.includes('SimulatedMaster.start')) assert.equal(stdout.match(/TASK_FINISHED/g)?.length, 2, `the quick start did not finish its two tasks:\n${stdout}`);
      }
    });
  });

  describe('the bin', () => {
    it('installs mesos-sim, which runs from the package (--help)', async () => {
      const { stdout } = await run(join(project, 'node_modules', '.bin', 'mesos-sim'), ['--help'], { cwd: project, timeout: 30_000 });
      assert.match(stdout, /Usage: mesos-sim/);
    });
  });

  describe('what an import loads', () => {
    it('mesos-sdk/protocol: protobufjs only, no DI, HTTP client, logger or heavy dependency', async () => {
      const loaded = await packagesLoadedBy("await import('mesos-sdk/protocol');");
      assert.ok(loaded.includes('protobufjs'), `the recorder saw nothing: ${loaded.join(' ')}`);
      for (const name of [...HEAVY, 'inversify', 'axios', 'tslog']) assert.ok(!loaded.includes(name), `mesos-sdk/protocol loads ${name}`);
    });

    it('mesos-sdk, mesos-sdk/executor, mesos-sdk/simulator and mesos-sdk/testing: none of etcd3, fastify, classic-level, prom-client, ajv', async () => {
      for (const entry of ['mesos-sdk', 'mesos-sdk/executor', 'mesos-sdk/simulator', 'mesos-sdk/testing']) {
        const loaded = await packagesLoadedBy(`await import('${entry}');`);
        assert.ok(loaded.includes('protobufjs'), `the recorder saw nothing for ${entry}: ${loaded.join(' ')}`);
        for (const name of HEAVY) assert.ok(!loaded.includes(name), `${entry} loads ${name} on import`);
      }
    });

    it('loads each heavy dependency once its feature is used (metrics, LevelDB, server, etcd, task validation)', async () => {
      const dir = join(work, 'level-db');
      const loaded = await packagesLoadedBy(`
        const sdk = await import('mesos-sdk');
        new sdk.FrameworkMetrics({ processMetrics: false });
        const level = new sdk.LevelStorage(${JSON.stringify(dir)});
        await level.put('a', new Uint8Array([1]));
        await level.close();
        await new sdk.FrameworkServer({ scheduler: {} }, { artifactsDir: ${JSON.stringify(project)} }).ready();
        const etcd = new sdk.EtcdStorage({ hosts: ['http://127.0.0.1:1'], timeoutMs: 200 });
        await etcd.get('a').then(() => { throw new Error('etcd on port 1 answered'); }, (err) => { if (err.code !== 'ERR_STORAGE_UNAVAILABLE') throw err; });
        await etcd.close();
        sdk.validateTaskDefinitions([{ name: 'x', resources: { cpus: 1, mem: 32 }, command: { shell: 'true' } }]);`);
      for (const name of HEAVY) assert.ok(loaded.includes(name), `${name} was not loaded by the feature that needs it: ${loaded.join(' ')}`);
    });
  });
});
