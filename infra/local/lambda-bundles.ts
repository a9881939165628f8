import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { functionDefaults, repositoryRoot } from '../function-defaults';

const cacheRoot = path.join(repositoryRoot, 'node_modules', '.cache', 'cake-shop-local', 'bundles');

let sources: string | undefined;

/**
 * What a bundle is built from: the handlers and what they import from infra/ (settings, tables), the locked
 * dependencies and the bundling options. Read once per process.
 */
function sourcesHash(): string {
  if (sources) return sources;
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return file === path.join(repositoryRoot, 'infra', 'local') ? [] : files(file);
      return [file];
    });
  const hash = createHash('sha256').update(JSON.stringify(functionDefaults.bundling));
  const inputs = [...files(path.join(repositoryRoot, 'functions')), ...files(path.join(repositoryRoot, 'infra')), path.join(repositoryRoot, 'package-lock.json')];
  for (const file of inputs.sort()) hash.update(file).update(fs.readFileSync(file));
  sources = hash.digest('hex').slice(0, 16);
  return sources;
}

/** The esbuild options CDK's NodejsFunction bundles a handler with (infra/function-defaults.ts). */
export const shippedBuildOptions = {
  absWorkingDir: repositoryRoot,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: functionDefaults.bundling.target,
  minify: functionDefaults.bundling.minify,
  sourcemap: functionDefaults.bundling.sourceMap,
  sourcesContent: functionDefaults.bundling.sourcesContent,
  external: [...functionDefaults.bundling.external],
  logLevel: 'silent',
} satisfies BuildOptions;

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({ ...shippedBuildOptions, entryPoints: [entry], outfile });
}

/** The handler's bundle in the cache, built there first unless a stack started from the same sources already did. */
async function cachedBundle(entry: string): Promise<string> {
  const entryFile = path.resolve(repositoryRoot, entry);
  // The entry's own content too: a handler may live outside functions/, as the runner's test fixtures do.
  const entryHash = createHash('sha256').update(fs.readFileSync(entryFile)).digest('hex').slice(0, 8);
  const directory = path.join(cacheRoot, sourcesHash(), `${path.relative(repositoryRoot, entryFile).replace(/[^\w.-]+/g, '_')}-${entryHash}`);
  const file = path.join(directory, 'index.js');
  if (fs.existsSync(file)) return file;
  // Built aside and renamed into place, so a stack starting at the same time never loads half a bundle.
  const building = `${directory}.${process.pid}.${Date.now()}`;
  await bundle(entry, path.join(building, 'index.js'));
  try {
    fs.renameSync(building, directory);
  } catch {
    fs.rmSync(building, { recursive: true, force: true });
  }
  pruneCache();
  return file;
}

/** Keeps the bundles of the newest sources, so the cache does not grow with every change to functions/. */
function pruneCache(keep = 10): void {
  const entries = fs
    .readdirSync(cacheRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ directory: path.join(cacheRoot, entry.name), modified: fs.statSync(path.join(cacheRoot, entry.name)).mtimeMs }))
    .sort((a, b) => b.modified - a.modified);
  for (const { directory } of entries.slice(keep)) fs.rmSync(directory, { recursive: true, force: true });
}

/**
 * Puts the handler's bundle in its code directory, as Lambda unpacks a function's code into /var/task, and
 * returns the handler file. Each handler is bundled once per change to its sources, not once per stack: the
 * bundle is copied from the cache, with its source map's paths made relative to where it now lies, so stack
 * traces still name the TypeScript lines.
 */
export async function installBundle(entry: string, codeDirectory: string): Promise<string> {
  const cached = await cachedBundle(entry);
  const handlerFile = path.join(codeDirectory, 'index.js');
  fs.mkdirSync(codeDirectory, { recursive: true });
  fs.copyFileSync(cached, handlerFile);
  const map = JSON.parse(fs.readFileSync(`${cached}.map`, 'utf8')) as { sources: string[] };
  map.sources = map.sources.map((source) => path.relative(codeDirectory, path.resolve(path.dirname(cached), source)));
  fs.writeFileSync(`${handlerFile}.map`, JSON.stringify(map));
  return handlerFile;
}
