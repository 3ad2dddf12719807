// Harness for the console's browser tests: it runs the built railyard
// binary (RAILYARD_BIN, else `go build -o` into a temporary directory) with a
// throwaway config and store, and Debian's chromium through playwright-core.
//
// The tests skip with the reason when chromium or node_modules are missing
// on a developer's machine; in CI (RAILYARD_CI=1) the same absence fails them.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../../..');
export const screenshotDir = join(repoRoot, 'docs/screenshots');
export const chromiumPath = process.env.RAILYARD_CHROMIUM || '/usr/bin/chromium';
export const inCI = process.env.RAILYARD_CI === '1';

// The master key of the gateway under test; it exists only in this run.
export const masterKey = 'mk-console-e2e-' + process.pid;

// missing names what this machine lacks to run the tests, or is ''.
export async function missing() {
  if (!existsSync(chromiumPath)) {
    return `no chromium at ${chromiumPath} (apt-get install chromium, or set RAILYARD_CHROMIUM)`;
  }
  try {
    await import('playwright-core');
  } catch {
    return `playwright-core not installed (run npm ci in ${here})`;
  }
  return '';
}

// skipOptions are node:test options: skip with the reason locally, run (and
// fail in `before`) in CI.
export async function skipOptions() {
  const why = await missing();
  if (why && !inCI) return { skip: why };
  return {};
}

// freePort returns a loopback port that was free a moment ago.
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

// buildBinary returns RAILYARD_BIN or a freshly built binary in dir.
function buildBinary(dir) {
  if (process.env.RAILYARD_BIN) return process.env.RAILYARD_BIN;
  const bin = join(dir, 'railyard');
  execFileSync('go', ['build', '-o', bin, './cmd/railyard'], { cwd: repoRoot, stdio: 'inherit' });
  return bin;
}

// config is the gateway under test: the in-process simulator behind three
// model names. "fast" answers at once (traffic for the ledger); "smart"
// streams an echo of the prompt at 30ms a token, slow enough that the
// playground's incremental rendering is observable; "broken" always fails
// upstream (500), so the overview has errors to show. Body capture is on so
// the request log's detail shows bodies.
function config(dir, master) {
  return `auth: {master_key: ${master}}
log: {prompts: true}
store: sqlite://${join(dir, 'railyard.db')}
sim:
  seed: 7
  defaults:
    overhead: 1ms
    prefill_per_token: 0s
    inter_token_latency: 1ms
  models:
    - name: sim-smart
      inter_token_latency: 30ms
      output_tokens: 64
    - name: sim-broken
      faults: [{kind: status, status: 500}]
providers:
  - {name: sim-local, type: sim}
models:
  - name: fast
    targets: [{provider: sim-local, model: sim-fast, capacity: {concurrency: 8, rpm: 1000}}]
  - name: smart
    targets: [{provider: sim-local, model: sim-smart}]
  - name: broken
    targets: [{provider: sim-local, model: sim-broken}]
`;
}

// Gateway is one `railyard serve` process.
export class Gateway {
  // start runs a gateway; master defaults to this run's masterKey.
  static async start({ master = masterKey } = {}) {
    const g = new Gateway();
    g.master = master;
    g.dir = mkdtempSync(join(tmpdir(), 'railyard-ui-e2e-'));
    try {
      await g.launch();
    } catch (err) {
      await g.stop();
      throw err;
    }
    return g;
  }

  // launch builds (or takes) the binary, starts `railyard serve` on a free
  // loopback port and waits until /readyz answers 200.
  async launch() {
    const bin = buildBinary(this.dir);
    const cfg = join(this.dir, 'railyard.yaml');
    writeFileSync(cfg, config(this.dir, this.master), { mode: 0o600 });
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.output = '';
    const env = { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' };
    this.proc = spawn(bin, ['serve', '--config', cfg, '--listen', `127.0.0.1:${port}`], { cwd: this.dir, env });
    this.proc.stdout.on('data', (b) => { this.output += b; });
    this.proc.stderr.on('data', (b) => { this.output += b; });
    let done = false;
    this.exited = new Promise((ok) => {
      this.proc.on('exit', (code, signal) => { done = true; ok({ code, signal }); });
      this.proc.on('error', (err) => { this.output += `\n${err.message}`; done = true; ok({ err }); });
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (done) throw new Error(`railyard serve exited early:\n${this.output}`);
      try {
        const r = await fetch(this.url + '/readyz');
        if (r.status === 200) return;
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    throw new Error(`railyard serve was not ready within 30s:\n${this.output}`);
  }

  // stop sends SIGTERM, waits up to 10s, then kills; it removes the
  // temporary directory.
  async stop() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(t);
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  // admin calls the admin API with the master key; it returns the status
  // and the parsed JSON (or text) body.
  async admin(method, path, body) {
    const r = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.master}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, json, text };
  }

  // chat sends one non-streamed chat completion with a virtual key.
  async chat(key, model, content) {
    const r = await fetch(this.url + '/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
    });
    const text = await r.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, json, text, headers: r.headers };
  }
}

// launchBrowser starts Debian's chromium headless with a 1400x900 page.
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  // Everything the page complains about: script errors, CSP refusals,
  // failed loads. The tests decide which are expected.
  const complaints = [];
  page.on('pageerror', (err) => complaints.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') complaints.push(`console ${msg.type()}: ${msg.text()}`);
  });
  return { browser, context, page, complaints };
}

// tid is the CSS selector of a data-testid.
export const tid = (id) => `[data-testid="${id}"]`;

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// poll calls fn until it returns a truthy value or the time is up; it
// returns the last value (falsy on timeout).
export async function poll(fn, ms = 10_000, every = 100) {
  const deadline = Date.now() + ms;
  let v;
  for (;;) {
    v = await fn();
    if (v || Date.now() >= deadline) return v;
    await sleep(every);
  }
}

// parseCSV parses RFC 4180 CSV (quoted fields, doubled quotes) into rows of
// fields; the ledger export is small enough to hold.
export function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// nanos turns a decimal USD string ("0.000093000") into integer nano-USD,
// exactly (no float sum drift across rows).
export function nanos(usd) {
  const m = /^(-?)(\d+)(?:\.(\d{0,9}))?\d*$/.exec(usd.trim());
  if (!m) throw new Error(`not a decimal amount: ${usd}`);
  const n = BigInt(m[2]) * 1_000_000_000n + BigInt((m[3] || '').padEnd(9, '0'));
  return m[1] ? -n : n;
}

// screenshot writes docs/screenshots/<name>.png of the viewport (1400x900).
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

// pngSize reads a PNG's width and height from its IHDR chunk.
export function pngSize(path) {
  const b = readFileSync(path);
  if (b.readUInt32BE(0) !== 0x89504e47) throw new Error(`${path} is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
