// Builds the console into ../dist: app.js, app.css and index.html.
//
// The output is committed (plain `go build` embeds it), so it must be
// reproducible: fixed file names, no timestamps, no absolute paths, no
// source maps, no legal comments. `npm ci && npm run build` on any machine
// gives dist/ byte for byte; CI can check it with `git diff --exit-code`.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist');

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  write: false,
  legalComments: 'none',
  sourcemap: false,
  charset: 'utf8',
  logLevel: 'warning',
};

const js = await esbuild.build({
  ...common,
  entryPoints: ['src/main.jsx'],
  outfile: 'app.js',
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  define: { 'process.env.NODE_ENV': '"production"' },
});

const css = await esbuild.build({
  ...common,
  entryPoints: ['src/app.css'],
  outfile: 'app.css',
  loader: { '.css': 'css' },
  target: ['chrome100', 'firefox100', 'safari15'],
});

const one = (res) => {
  if (res.outputFiles.length !== 1) throw new Error('expected one output file, got ' + res.outputFiles.length);
  return Buffer.from(res.outputFiles[0].contents);
};
const jsBytes = one(js);
const cssBytes = one(css);

// The asset URLs carry a short content hash as a query, so a browser that
// kept an old app.js never pairs it with a new index.html.
const tag = (b) => createHash('sha256').update(b).digest('hex').slice(0, 12);
const template = await readFile(join(here, 'src', 'index.html'), 'utf8');
const html = template
  .replace('{{css}}', '/ui/app.css?v=' + tag(cssBytes))
  .replace('{{js}}', '/ui/app.js?v=' + tag(jsBytes));

await mkdir(out, { recursive: true });
await writeFile(join(out, 'app.js'), jsBytes);
await writeFile(join(out, 'app.css'), cssBytes);
await writeFile(join(out, 'index.html'), html);

const kib = (b) => (b.length / 1024).toFixed(1) + ' KiB';
console.log(`dist/app.js ${kib(jsBytes)}, dist/app.css ${kib(cssBytes)}, dist/index.html ${kib(Buffer.from(html))}`);
