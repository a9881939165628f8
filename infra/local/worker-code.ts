import { build } from 'esbuild';

const bundles = new Map<string, Promise<string>>();

/**
 * The code of a worker thread, bundled once per process from its TypeScript source so the worker needs no
 * TypeScript loader: `new Worker(code, { eval: true })`. Packages named in `external` stay `require` calls, for the
 * worker to resolve from absolute paths it is given.
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
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].text);
    bundles.set(sourceFile, code);
  }
  return code;
}
