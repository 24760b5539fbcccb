// API docs: `npm run docs` -> docs/api/index.html.
//
// The entry points are the package's public entries, read from package.json "exports", so a new
// subpath export is documented (and its exports validated) without touching this file.
import { readFileSync, existsSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** `./dist/src/x/index.d.ts` (or `.js`) -> `./src/x/index.ts`, the source typedoc reads. */
function sourceOf(target) {
  const file = typeof target === 'string' ? target : (target.types ?? target.import ?? target.default);
  if (typeof file !== 'string' || !file.startsWith('./dist/')) return undefined;
  return file.replace(/^\.\/dist\//, './').replace(/\.d\.ts$|\.js$/, '.ts');
}

const entryPoints = Object.entries(pkg.exports ?? {}).flatMap(([subpath, target]) => {
  const file = sourceOf(target);
  if (file === undefined) return []; // not compiled code, e.g. "./package.json"
  if (!existsSync(new URL(file, import.meta.url))) {
    throw new Error(`package.json exports["${subpath}"] points at ${JSON.stringify(target)}, but its source ${file} does not exist`);
  }
  return [file];
});

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: pkg.name,
  entryPoints,
  entryPointStrategy: 'resolve',
  tsconfig: './tsconfig.docs.json',
  out: './docs/api',
  readme: './README.md',
  // No public repository to link "Defined in" to; typedoc would warn on the missing git remote.
  disableSources: true,
  excludePrivate: true,
  excludeProtected: false,
  excludeInternal: true,
  excludeExternals: true,
  validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
  // Simulator plumbing that public members mention (SimulatedMaster implements ClusterView and hands
  // out its MasterServer from failover()/leader(); SimEngine implements ExecutorHostEngine): not API.
  intentionallyNotExported: ['ClusterView', 'MasterServer', 'ExecutorHostEngine'],
  treatWarningsAsErrors: true,
};
