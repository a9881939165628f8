/**
 * Bundle sizes of every shop handler (`npm run bench:bundles`). Each entry in infra/wiring.ts is bundled in
 * memory twice:
 * - shipped: the options the local stack bundles with, which are the ones `ShopFunction` gives NodejsFunction; the asset
 *   holds index.js and index.js.map, so both count;
 * - naive baseline: the same entry unminified, without a source map, with the AWS SDK bundled in.
 * Gzip sizes stand in for the zipped asset Lambda downloads on a cold start.
 */
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { shippedBuildOptions } from '../infra/local/lambda-bundles';
import { handlers } from '../infra/wiring';

const shipped: BuildOptions = { ...shippedBuildOptions, write: false, outfile: 'index.js', logLevel: 'error' };
const naive: BuildOptions = { ...shipped, minify: false, sourcemap: false, external: [] };

interface Size {
  bytes: number;
  gzip: number;
}

async function bundle(entry: string, options: BuildOptions): Promise<Size> {
  const { outputFiles = [] } = await build({ ...options, entryPoints: [entry] });
  return outputFiles.reduce((size, file) => ({ bytes: size.bytes + file.contents.length, gzip: size.gzip + gzipSync(file.contents).length }), { bytes: 0, gzip: 0 });
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ratio = (baseline: number, measured: number) => `${(baseline / measured).toFixed(1)}x`;

async function main(): Promise<void> {
  const rows: string[][] = [];
  const total = { shipped: { bytes: 0, gzip: 0 }, naive: { bytes: 0, gzip: 0 } };
  for (const [name, spec] of Object.entries(handlers)) {
    const ours = await bundle(spec.entry, shipped);
    const theirs = await bundle(spec.entry, naive);
    for (const key of ['bytes', 'gzip'] as const) {
      total.shipped[key] += ours[key];
      total.naive[key] += theirs[key];
    }
    rows.push([name, kb(ours.bytes), kb(ours.gzip), kb(theirs.bytes), kb(theirs.gzip), ratio(theirs.gzip, ours.gzip)]);
  }
  rows.push([`total (${rows.length} handlers)`, kb(total.shipped.bytes), kb(total.shipped.gzip), kb(total.naive.bytes), kb(total.naive.gzip), ratio(total.naive.gzip, total.shipped.gzip)]);

  const header = ['handler', 'shipped js+map', 'shipped gzip', 'naive js', 'naive gzip', 'naive/shipped gzip'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  console.log([line(header), rule, ...rows.map(line)].join('\n'));
  console.log('\nshipped: minified, source map without sources, @aws-sdk/* external (as ShopFunction). naive: unminified, AWS SDK bundled, no map.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
