import * as path from 'node:path';
import { build } from 'esbuild';
import { repositoryRoot } from '../function-defaults';

const bundles = new Map<string, Promise<string>>();

/**
 * The code of a worker thread, bundled once per process from its TypeScript source so the worker needs no
 * TypeScript loader: `new Worker(code, { eval: true })`. Packages named in `external` stay `require` calls, which
 * resolve from the project's node_modules whatever the working directory (an eval'd worker resolves from there).
 */
export function workerCode(sourceFile: string, external: string[] = []): Promise<string> {
  let code = bundles.get(sourceFile);
  if (!code) {
    code = build({
      entryPoints: [sourceFile],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      external,
      banner: { js: `module.paths.unshift(${JSON.stringify(path.join(repositoryRoot, 'node_modules'))});` },
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].text);
    bundles.set(sourceFile, code);
  }
  return code;
}
