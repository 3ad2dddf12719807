// Browser tests of the web console (issue 6): log in, send known traffic
// and see the overview match the ledger, create and revoke a key (the
// revoked key is refused), stream a reply in the playground, browse usage,
// the request log and providers; a screenshot of every page lands in
// docs/screenshots/.
//
// The tests share one gateway and one browser and run in order: each
// leaves the state the next builds on (traffic, a logged-in session).
//
//   cd internal/ui/web/e2e && npm ci && node --test

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Gateway, launchBrowser, masterKey, missing, nanos, parseCSV, pngSize, poll,
  screenshot, screenshotDir, skipOptions, tid,
} from './harness.mjs';

const opts = await skipOptions();

let gw; // the gateway under test
let b; // { browser, context, page, complaints }
let trafficKey; // a virtual key made through the admin API
let trafficKeyID; // its id
const shot = new Set(); // pages photographed by this run

// snap writes docs/screenshots/<name>.png and remembers it was this run's.
async function snap(page, name) {
  await screenshot(page, name);
  shot.add(name);
}

// Pages every run photographs, in docs/screenshots/<name>.png.
const pages = ['login', 'overview', 'overview-dark', 'keys', 'usage', 'requests', 'request-detail', 'providers', 'playground'];

// A bounded run: building the binary (without RAILYARD_BIN) and starting it
// may take a few minutes on a loaded machine, a scenario at most a minute.
before(async () => {
  if (opts.skip) return;
  const why = await missing();
  if (why) throw new Error(`RAILYARD_CI=1 and the browser tests cannot run: ${why}`);
  gw = await Gateway.start();
  b = await launchBrowser();
  const k = await gw.admin('POST', '/admin/api/keys', { name: 'e2e-traffic', budget_usd: 1, budget_period: 'monthly' });
  assert.equal(k.status, 201, `create key: ${k.text}`);
  trafficKey = k.json.key;
  trafficKeyID = k.json.id;
}, { timeout: 300_000 });

after(async () => {
  await b?.browser.close();
  if (gw) {
    await gw.stop();
  }
});

// scenario is test() that, on failure, saves a screenshot of the page and
// prints the gateway's output, so a red CI run shows what the browser saw.
function scenario(name, fn) {
  test(name, { ...opts, timeout: 60_000 }, async (t) => {
    try {
      await fn(t);
    } catch (err) {
      const dir = join(tmpdir(), 'railyard-ui-e2e-failures');
      mkdirSync(dir, { recursive: true });
      const path = join(dir, name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60) + '.png');
      await b?.page.screenshot({ path }).then(() => t.diagnostic(`screenshot of the failure: ${path}`), () => {});
      t.diagnostic(`railyard serve output:\n${gw?.output}`);
      throw err;
    }
  });
}

// text is an element's trimmed text content (input values included).
async function text(page, id) {
  const el = page.locator(tid(id)).first();
  const tag = await el.evaluate((n) => n.tagName);
  if (tag === 'INPUT' || tag === 'TEXTAREA') return (await el.inputValue()).trim();
  return ((await el.textContent()) || '').trim();
}

// go clicks a nav link and waits for the page's marker element.
async function go(page, nav, marker) {
  await page.locator(tid(nav)).click();
  await page.locator(tid(marker)).first().waitFor({ state: 'visible', timeout: 10_000 });
}

// pick chooses value in a <select> (or types it into an input).
async function pick(page, id, value) {
  const el = page.locator(tid(id));
  const tag = await el.evaluate((n) => n.tagName);
  if (tag === 'SELECT') await el.selectOption(value);
  else await el.fill(value);
}

// ledger reads the ledger export since a range (default 24h) as objects.
async function ledger(since = '24h') {
  const r = await fetch(gw.url + `/admin/api/ledger.csv?since=${since}`, { headers: { authorization: `Bearer ${masterKey}` } });
  assert.equal(r.status, 200);
  const [head, ...rows] = parseCSV(await r.text()).filter((row) => row.length > 1);
  return rows.map((row) => Object.fromEntries(head.map((h, i) => [h, row[i]])));
}

// ledgerRequests is the number of requests the ledger holds for the last 24h.
async function ledgerRequests() {
  const u = await gw.admin('GET', '/admin/api/usage?by=model&since=24h');
  assert.equal(u.status, 200, u.text);
  return u.json.rows.reduce((n, r) => n + r.requests, 0);
}

scenario('login: a wrong master key is refused, the right one opens the console', async () => {
  const { page } = b;
  await page.goto(gw.url + '/ui/');
  await page.locator(tid('login-key')).waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await page.locator(tid('login-key')).getAttribute('type'), 'password');
  await snap(page, 'login');

  await page.locator(tid('login-key')).fill('not-the-master-key');
  await page.locator(tid('login-submit')).click();
  await page.locator(tid('login-error')).waitFor({ state: 'visible', timeout: 10_000 });
  assert.notEqual(await text(page, 'login-error'), '', 'login-error is empty');
  assert.equal(await page.locator(tid('nav-overview')).count(), 0, 'the app opened after a wrong key');
  const denied = await page.evaluate(async () => (await fetch('/admin/api/session')).status);
  assert.equal(denied, 401, 'session after a wrong key');

  await page.locator(tid('login-key')).fill(masterKey);
  await page.locator(tid('login-submit')).click();
  await page.locator(tid('nav-overview')).waitFor({ state: 'visible', timeout: 10_000 });
  const ok = await page.evaluate(async () => (await fetch('/admin/api/session')).status);
  assert.equal(ok, 200, 'session after the right key');
  assert.ok(!(await page.content()).includes(masterKey), 'the master key is in the page');
  const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]));
  assert.ok(!stored.includes(masterKey), 'the master key is kept in the browser');
  // CSRF guard: with the cookie alone a write is refused; the console's
  // header makes it pass the guard (here: a body the API then rejects).
  const logged = b.complaints.length;
  const csrf = await page.evaluate(async () => {
    const post = (headers) => fetch('/admin/api/teams', { method: 'POST', headers, body: '{"nope":1}' }).then((r) => r.status);
    return [await post({ 'content-type': 'application/json' }), await post({ 'content-type': 'application/json', 'X-Railyard-Console': '1' })];
  });
  assert.deepEqual(csrf, [403, 400], 'a cookie-only write is refused, a write with X-Railyard-Console passes the guard');
  await page.waitForTimeout(100);
  b.complaints.splice(logged); // the two refusals just provoked
  const cookie = (await b.context.cookies()).find((c) => c.name === 'railyard_session');
  assert.ok(cookie, 'no railyard_session cookie');
  assert.deepEqual([cookie.httpOnly, cookie.sameSite, cookie.path], [true, 'Strict', '/'], 'session cookie attributes');
});

scenario('overview: stat tiles equal the ledger export exactly', async () => {
  const { page } = b;
  const n = 7;
  const before = await ledgerRequests();
  for (let i = 0; i < n; i++) {
    const r = await gw.chat(trafficKey, 'fast', `overview traffic number ${i} ${'x'.repeat(i * 5)}`);
    assert.equal(r.status, 200, r.text);
  }
  const failed = await gw.chat(trafficKey, 'broken', 'this one fails upstream');
  assert.equal(failed.status, 502, failed.text);
  const got = await poll(async () => (await ledgerRequests()) >= before + n + 1, 15_000);
  assert.ok(got, `the ledger did not reach ${before + n + 1} requests within 15s`);

  const rows = await ledger();
  const wantRequests = String(rows.length);
  const spend = rows.reduce((s, r) => s + nanos(r.cost_usd), 0n);
  assert.ok(spend > 0n, 'the sim models are priced: the ledger should show spend');
  const wantSpend = '$' + (Number(spend) / 1e9).toFixed(6);

  await page.locator(tid('nav-overview')).click();
  await page.reload(); // fresh numbers, whatever the app cached
  await page.locator(tid('stat-requests')).waitFor({ state: 'visible', timeout: 10_000 });
  let seen = {};
  await poll(async () => {
    seen = { requests: await text(page, 'stat-requests'), spend: await text(page, 'stat-spend') };
    return seen.requests === wantRequests && seen.spend === wantSpend;
  }, 10_000, 200);
  assert.equal(seen.requests, wantRequests, 'stat-requests against the ledger rows');
  assert.equal(seen.spend, wantSpend, 'stat-spend against the ledger cost sum');
  // The other tiles: token sums (digits only; separators tolerated) and
  // the share of rows with status >= 400.
  const sum = (col) => String(rows.reduce((n, r) => n + Number(r[col]), 0));
  const digits = async (id) => (await text(page, id)).replace(/[,\s\u202f\u00a0]/g, '');
  assert.equal(await digits('stat-input-tokens'), sum('input_tokens'), 'stat-input-tokens against the ledger');
  assert.equal(await digits('stat-output-tokens'), sum('output_tokens'), 'stat-output-tokens against the ledger');
  const errors = rows.filter((r) => Number(r.status) >= 400).length;
  assert.equal(errors, 1, 'one failed request in the ledger');
  const rate = ((100 * errors) / rows.length).toFixed(1) + '%';
  assert.equal((await text(page, 'stat-error-rate')).replace(/\s/g, '').slice(0, rate.length), rate, 'stat-error-rate');
  // The tile counts the errors in words, singular for one.
  const tile = await page.locator('.stat', { has: page.locator(tid('stat-error-rate')) }).innerText();
  assert.match(tile, /\b1 error(?!s)\b/, `the error-rate tile: ${JSON.stringify(tile)}`);
  for (const id of ['chart-requests', 'chart-spend', 'chart-tokens', 'chart-errors', 'chart-latency']) {
    assert.equal(await page.locator(tid(id)).count(), 1, `${id} present`);
  }
  await snap(page, 'overview');

  // Split by model: the charts get one line per model, named in the legend.
  await pick(page, 'overview-by', 'model');
  const split = await poll(async () => /fast/.test(await text(page, 'chart-requests')), 10_000, 200);
  assert.ok(split, `chart-requests split by model does not name "fast": ${await text(page, 'chart-requests')}`);
  await pick(page, 'overview-by', '');

  // Every range agrees with the ledger over the same range.
  for (const range of ['1h', '7d', '30d', '24h']) {
    await pick(page, 'overview-range', range);
    const want = String((await ledger(range)).length);
    const same = await poll(async () => (await text(page, 'stat-requests')) === want, 10_000, 200);
    assert.ok(same, `range ${range}: stat-requests ${await text(page, 'stat-requests')}, ledger ${want}`);
  }

  // The same page in the dark scheme (prefers-color-scheme).
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(300);
  await snap(page, 'overview-dark');
  await page.emulateMedia({ colorScheme: 'light' });
});

scenario('keys: a key created in the console works once and is refused after revoking', async () => {
  const { page } = b;
  await go(page, 'nav-keys', 'keys-table');
  // The traffic key's bar shows its spend in the ledger against its budget.
  const spent = (await ledger()).filter((r) => r.key_id === trafficKeyID).reduce((n, r) => n + nanos(r.cost_usd), 0n);
  const bar = await poll(async () => {
    const t = await text(page, `key-budget-${trafficKeyID}`);
    return t.startsWith('$' + (Number(spent) / 1e9).toFixed(6)) && t;
  }, 10_000, 200);
  assert.ok(bar, `key-budget-${trafficKeyID} "${await text(page, `key-budget-${trafficKeyID}`)}" does not start with the ledger's $${Number(spent) / 1e9}`);
  assert.match(bar, /\$1\.00 monthly/, 'the budget and its period');
  // A team first, so the key can belong to it.
  await page.locator(tid('team-name')).fill('research');
  await page.locator(tid('team-budget')).fill('5');
  await page.locator(tid('team-create')).click();
  let team;
  await poll(async () => (team = (await gw.admin('GET', '/admin/api/teams')).json.teams.find((x) => x.name === 'research')), 10_000);
  assert.ok(team, 'the team made in the console is not in the admin API');
  assert.equal(team.budget_usd, 5, 'team budget');
  await page.locator(tid(`team-row-${team.id}`)).waitFor({ state: 'visible' });
  for (const id of ['team-name', 'team-budget']) assert.equal(await text(page, id), '', `${id} after the team was created`);

  const name = 'console-made-' + Date.now();
  await page.locator(tid('key-name')).fill(name);
  await page.locator(tid('key-team')).fill('research');
  await page.locator(tid('key-models')).fill('fast, smart');
  await page.locator(tid('key-budget')).fill('0.5');
  await page.locator(tid('key-rpm')).fill('600');
  await page.locator(tid('key-create')).click();
  await page.locator(tid('key-secret')).waitFor({ state: 'visible', timeout: 10_000 });
  const shown = await page.locator(tid('key-secret')).evaluate((n) =>
    [n.textContent, ...[...n.querySelectorAll('input,textarea')].map((i) => i.value), n.value || ''].join(' '));
  const secret = (/ry-[A-Za-z0-9_-]+/.exec(shown) || [])[0];
  assert.ok(secret, `no ry- secret in key-secret: ${JSON.stringify(shown)}`);

  const used = await gw.chat(secret, 'fast', 'hello from the console key');
  assert.equal(used.status, 200, `the new key: ${used.text}`);

  const list = await gw.admin('GET', '/admin/api/keys');
  const key = list.json.keys.find((k) => k.name === name);
  assert.ok(key, `key ${name} not in the admin API's list`);
  assert.deepEqual([key.team, key.models, key.budget_usd, key.rpm], ['research', ['fast', 'smart'], 0.5, 600], 'the form\'s fields reach the key');
  await page.locator(tid(`key-row-${key.id}`)).waitFor({ state: 'visible', timeout: 10_000 });
  await page.locator(tid(`key-budget-${key.id}`)).waitFor({ state: 'visible', timeout: 10_000 });
  // The form starts empty again: nothing of this key carries over to the next.
  for (const id of ['key-name', 'key-team', 'key-models', 'key-budget', 'key-rpm', 'key-tpm']) {
    assert.equal(await text(page, id), '', `${id} after the key was created`);
  }

  await page.locator(tid('key-secret-close')).click();
  await page.locator(tid('key-secret')).waitFor({ state: 'detached', timeout: 5_000 });
  assert.ok(!(await page.content()).includes(secret), 'the secret is still in the page after closing');
  await snap(page, 'keys');

  // Edit (key-edit-<id> per the contract; the form's fields are the front
  // end's key-edit-budget, key-edit-rpm, key-edit-save).
  await page.locator(tid(`key-edit-${key.id}`)).click();
  await page.locator(tid('key-edit-budget')).fill('0.75');
  await page.locator(tid('key-edit-rpm')).fill('900');
  await page.locator(tid('key-edit-save')).click();
  let edited;
  await poll(async () => {
    edited = (await gw.admin('GET', `/admin/api/keys/${key.id}`)).json;
    return edited.budget_usd === 0.75 && edited.rpm === 900;
  }, 10_000, 200);
  assert.deepEqual([edited.budget_usd, edited.rpm, edited.name], [0.75, 900, name], 'the edit reached the key');

  await page.locator(tid(`key-revoke-${key.id}`)).click();
  await page.locator(tid('confirm-yes')).click();
  const refused = await poll(async () => (await gw.chat(secret, 'fast', 'after revoke')).status === 401, 3_000, 100);
  assert.ok(refused, 'the revoked key was not refused with 401 within 3s');
  const row = await poll(async () => /revoked/i.test(await text(page, `key-row-${key.id}`)), 5_000, 100);
  assert.ok(row, `key-row-${key.id} does not say revoked`);
  const after = await gw.admin('GET', `/admin/api/keys/${key.id}`);
  assert.ok(after.json.revoked_at, 'the admin API does not show the key revoked');
});

scenario('playground: the reply streams into the page and ends complete', async () => {
  const { page } = b;
  await go(page, 'nav-playground', 'playground-input');
  await poll(async () => (await page.locator(`${tid('playground-model')} option`).count()) > 1
    || (await page.locator(tid('playground-model')).evaluate((n) => n.tagName)) !== 'SELECT', 10_000);
  await pick(page, 'playground-model', 'smart');
  const prompt = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen';
  // The complete reply is what the same request gets without streaming (the
  // simulator's echo is deterministic).
  const full = await gw.chat(trafficKey, 'smart', prompt);
  assert.equal(full.status, 200, full.text);
  const want = full.json.choices[0].message.content.trim();
  assert.ok(want.split(' ').length >= 10, `a reply long enough to stream: ${want}`);
  await page.locator(tid('playground-input')).fill(prompt);

  // Record every distinct length the output takes while the reply streams.
  await page.evaluate((sel) => {
    window.__lengths = [];
    const note = () => {
      const el = document.querySelector(sel);
      const n = el ? el.textContent.length : 0;
      if (n > 0 && window.__lengths[window.__lengths.length - 1] !== n) window.__lengths.push(n);
    };
    window.__observer = new MutationObserver(note);
    window.__observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }, tid('playground-output'));
  await page.locator(tid('playground-send')).click();

  let out = '';
  await poll(async () => (out = await text(page, 'playground-output')).includes(want), 20_000, 50);
  assert.ok(out.includes(want), `playground-output ${JSON.stringify(out)} lacks the full reply ${JSON.stringify(want)}`);
  const lengths = await page.evaluate(() => { window.__observer.disconnect(); return window.__lengths; });
  assert.ok(lengths.length >= 2 && lengths[0] < lengths[lengths.length - 1],
    `playground-output did not fill incrementally: lengths seen ${JSON.stringify(lengths)}`);

  let meta = '';
  await poll(async () => /sim-local/.test(meta = await text(page, 'playground-meta')), 10_000, 100);
  assert.match(meta, /sim-local/, 'playground-meta names the provider');
  // Once the reply ended, the meta shows its cost: the request log's.
  await assertPlaygroundCost(page, 'the complete reply');
  await snap(page, 'playground');

  // Stop ends a streaming reply where it is: the output stops growing short
  // of the whole echo (60 words at 30ms a word would take 1.8s).
  const long = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
  await page.locator(tid('playground-input')).fill(long);
  await page.locator(tid('playground-send')).click();
  const started = await poll(async () => (await text(page, 'playground-output')).startsWith('w0'), 10_000, 20);
  assert.ok(started, 'the second reply did not start');
  await page.locator(tid('playground-stop')).click();
  await page.waitForTimeout(300);
  const stopped = await text(page, 'playground-output');
  await page.waitForTimeout(700);
  assert.equal(await text(page, 'playground-output'), stopped, 'the output still grows after stop');
  assert.ok(stopped.length < long.length, `stop did not cut the reply short: ${stopped.length} of ${long.length} characters`);
  // A stopped reply is metered for what it streamed; its cost shows too.
  await assertPlaygroundCost(page, 'the stopped reply');
});

// assertPlaygroundCost waits for playground-cost to show a USD amount and
// checks it is the cost the request log has for the console's newest
// request (the reply that just ended).
async function assertPlaygroundCost(page, what) {
  let cost = '';
  await poll(async () => /^\$\d+\.\d{6}$/.test(cost = await text(page, 'playground-cost').catch(() => '')), 10_000, 100);
  assert.match(cost, /^\$\d+\.\d{6}$/, `playground-cost of ${what}`);
  const log = await gw.admin('GET', '/admin/api/requests?key=console&limit=1');
  assert.equal(log.status, 200, log.text);
  const entry = log.json.requests[0];
  assert.ok(entry, 'the request log has no console request');
  assert.equal(cost, '$' + entry.cost_usd.toFixed(6), `playground-cost of ${what} against the request log (${entry.id})`);
}

scenario('usage explorer groups the ledger by model', async () => {
  const { page } = b;
  // The ledger first holds every model's rows and stops changing (it is
  // written in batches, and the stopped playground reply lands late).
  let rows = [];
  let last = '';
  await poll(async () => {
    rows = (await gw.admin('GET', '/admin/api/usage?by=model&since=24h')).json.rows;
    const now = JSON.stringify(rows);
    const settled = now === last && ['fast', 'smart'].every((g) => rows.some((r) => r.group === g));
    last = now;
    return settled;
  }, 15_000, 500);
  assert.deepEqual(rows.map((r) => r.group).sort(), ['broken', 'fast', 'smart'], 'usage groups in the API');
  await go(page, 'nav-usage', 'usage-by');
  await pick(page, 'usage-by', 'model');
  // Each group's row shows its request count as one of its cells.
  const shows = async () => {
    const cells = await page.locator(tid('usage-row')).evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
    return rows.every((r) => cells.some((c) => c[0] === r.group && c.includes(String(r.requests)))) && cells;
  };
  const ok = await poll(shows, 10_000, 200);
  assert.ok(ok, `usage rows ${JSON.stringify(await page.locator(tid('usage-row')).allTextContents())} do not match ${JSON.stringify(rows)}`);
  const total = await page.locator(tid('usage-total')).evaluate((tr) => [...tr.children].map((td) => td.textContent.trim()));
  const sum = rows.reduce((n, r) => n + r.requests, 0);
  assert.ok(total.includes(String(sum)), `usage-total ${JSON.stringify(total)} lacks the request sum ${sum}`);

  // The export link downloads with the session cookie alone.
  const href = await page.locator(tid('usage-csv')).getAttribute('href');
  assert.match(href || '', /\/admin\/api\/ledger\.csv/, 'usage-csv link');
  const csv = await page.request.get(new URL(href, gw.url).href);
  assert.equal(csv.status(), 200, 'usage-csv download with the cookie');
  const lines = parseCSV(await csv.text()).filter((row) => row.length > 1);
  assert.equal(lines[0][0], 'time', 'CSV header');
  assert.equal(lines.length - 1, sum, 'CSV rows against the usage total');
  await snap(page, 'usage');

  // A model filter narrows the table and the export alike.
  await page.locator(tid('usage-model')).fill('fast');
  const narrowed = await poll(async () => {
    const cells = await page.locator(tid('usage-row')).evaluateAll((trs) => trs.map((tr) => tr.children[0].textContent.trim()));
    return cells.length === 1 && cells[0] === 'fast';
  }, 10_000, 200);
  assert.ok(narrowed, `usage rows with model=fast: ${JSON.stringify(await page.locator(tid('usage-row')).allTextContents())}`);
  assert.match((await page.locator(tid('usage-csv')).getAttribute('href')) || '', /[?&]model=fast(&|$)/, 'usage-csv carries the filter');
});

scenario('request log shows requests and a detail with the route decision', async () => {
  const { page } = b;
  await go(page, 'nav-requests', 'requests-table');
  const seen = await poll(async () => (await page.locator(tid('request-row')).count()) > 0, 10_000, 200);
  assert.ok(seen, 'no request-row');
  // One row per request the API lists, after a refresh (requests-refresh).
  let api;
  const same = await poll(async () => {
    await page.locator(tid('requests-refresh')).click();
    api = await gw.admin('GET', '/admin/api/requests?limit=100');
    assert.equal(api.status, 200, api.text);
    await page.waitForTimeout(300);
    return (await page.locator(tid('request-row')).count()) === api.json.requests.length;
  }, 10_000, 200);
  assert.ok(same, `request rows ${await page.locator(tid('request-row')).count()} vs ${api.json.requests.length} from the API`);
  await snap(page, 'requests');

  // Open the newest request that was served (rows are newest first, as the API's).
  const i = api.json.requests.findIndex((r) => r.status === 200 && r.route);
  assert.ok(i >= 0, 'a served request in the log');
  await page.locator(tid('request-row')).nth(i).click();
  await page.locator(tid('request-detail')).waitFor({ state: 'visible', timeout: 10_000 });
  const route = await text(page, 'request-route');
  assert.equal(route, api.json.requests[i].route, 'request-route is the x-railyard-route decision');
  assert.match(route, /sim-local/, 'request-route names the provider');
  // Capture is on (log.prompts): the detail shows both bodies as captured.
  const served = api.json.requests[i];
  assert.ok(served.request_body && served.response_body, 'the API has no captured bodies');
  assert.ok((await text(page, 'request-body')).includes(JSON.parse(served.request_body).messages.at(-1).content),
    'request-body lacks the prompt');
  assert.notEqual(await text(page, 'response-body'), '', 'response-body is empty');
  await snap(page, 'request-detail');

  // A stream the client stopped (the playground's Stop, above) is billed
  // with railyard's estimate: its row and its detail say so, and no other
  // row does.
  const estimated = api.json.requests.map((r, n) => (r.estimated ? n : -1)).filter((n) => n >= 0);
  assert.ok(estimated.length > 0, 'no estimated entry in the request log after the playground stopped a stream');
  assert.equal(await page.locator(tid('tokens-estimated')).count(), estimated.length, 'one tokens-estimated per estimated entry');
  for (const n of estimated) {
    assert.equal(await page.locator(tid('request-row')).nth(n).locator(tid('tokens-estimated')).count(), 1,
      `row ${n} (${api.json.requests[n].id}) lacks tokens-estimated`);
  }
  await page.locator(tid('request-row')).nth(estimated[0]).click();
  await page.locator(tid('request-estimated')).waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await text(page, 'request-estimated'), /^Estimated/, 'request-estimated explains the estimate');
});

scenario('providers page shows each target with its breaker state', async () => {
  const { page } = b;
  await go(page, 'nav-providers', 'providers-table');
  const api = await gw.admin('GET', '/admin/api/providers');
  assert.equal(api.status, 200, api.text);
  const want = api.json.targets.length;
  assert.ok(want >= 2, `targets ${api.text}`);
  await poll(async () => (await page.locator(tid('provider-row')).count()) === want, 10_000, 200);
  assert.equal(await page.locator(tid('provider-row')).count(), want, 'one provider-row per target');
  const states = await page.locator(`${tid('provider-row')} ${tid('breaker-state')}`).allTextContents();
  assert.equal(states.length, want, 'a breaker-state in every row');
  for (const s of states) assert.match(s.trim(), /^(closed|open|half-open)$/i);
  // The fast target has a capacity (rpm 1000): its row is the one with a bar.
  const fast = api.json.targets.find((x) => x.model === 'fast');
  assert.deepEqual([fast.capacity.rpm, fast.used.rpm > 0], [1000, true], `fast's capacity ${JSON.stringify(fast)}`);
  const fastRow = page.locator(tid('provider-row')).filter({ hasText: 'sim-fast' });
  assert.match(await fastRow.textContent(), /1000/, 'the fast row shows its rpm capacity');
  await snap(page, 'providers');
});

scenario('the session is stateless: another replica with the same master key accepts it, one with another key does not', async () => {
  const { page } = b;
  // Cookies are per host, not per port: the browser sends the session to
  // every gateway on 127.0.0.1.
  for (const [master, accepted] of [[masterKey, true], [masterKey + '-other', false]]) {
    const other = await Gateway.start({ master });
    try {
      await page.goto(other.url + '/ui/');
      await page.locator(tid(accepted ? 'nav-overview' : 'login-key')).waitFor({ state: 'visible' });
      const status = await page.evaluate(async () => (await fetch('/admin/api/session')).status);
      assert.equal(status, accepted ? 200 : 401, `session on a replica with ${accepted ? 'the same' : 'another'} master key`);
    } finally {
      await other.stop();
    }
  }
});

scenario('client routes survive a reload; signing out ends the session', async () => {
  const { page } = b;
  await page.goto(gw.url + '/ui/providers');
  await page.locator(tid('providers-table')).waitFor({ state: 'visible' });
  await page.locator(tid('nav-logout')).click();
  await page.locator(tid('login-key')).waitFor({ state: 'visible' });
  const status = await page.evaluate(async () => (await fetch('/admin/api/session')).status);
  assert.equal(status, 401, 'session after signing out');
});

scenario('the page logged no script error or CSP refusal; the master key was never printed', async () => {
  // Refused calls (the wrong key, the signed-out session check) are expected.
  const unexpected = b.complaints.filter((c) => !/status of 401/.test(c));
  assert.deepEqual(unexpected, [], 'browser console');
  assert.ok(!gw.output.includes(masterKey), 'the master key appeared in the gateway output');
});

scenario('a 1400x900 screenshot of every page', async () => {
  for (const name of pages) {
    const path = join(screenshotDir, `${name}.png`);
    assert.ok(shot.has(name) && existsSync(path), `${path} was not written by this run`);
    assert.deepEqual(pngSize(path), { width: 1400, height: 900 }, path);
  }
});
