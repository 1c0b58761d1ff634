// Shared helpers of the headless-browser tests (not a test file itself: node --test only picks
// up *.test.mjs here).
//
// Environment: LEERSTAND_BINARY   path of the built binary (default build/leerstand)
//              CHROMIUM           browser executable (default /usr/bin/chromium)
//
// Drives Debian's Chromium through playwright-core from web/node_modules (never downloads a
// browser). Tests skip with `skipReason` when Chromium or playwright-core is missing.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const webRoot = path.join(repoRoot, 'web');
/** Screenshots go here (gitignored), not to docs/. */
export const outDir = path.join(repoRoot, 'tests', 'browser', 'out');
export const binary = path.resolve(process.env.LEERSTAND_BINARY ?? path.join(repoRoot, 'build', 'leerstand'));
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// TOOLCHAIN.md §10: the launch flags that work with Debian's Chromium in a container.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function loadPlaywright() {
  // tests/browser has no node_modules of its own: resolve from the web app's.
  const require = createRequire(path.join(webRoot, 'package.json'));
  try {
    return require('playwright-core');
  } catch {
    return null;
  }
}

export const playwright = loadPlaywright();

/** @mapbox/vector-tile's VectorTile and pbf's reader from the web app's node_modules (dev
 *  dependencies), or null when they are not installed. */
export async function loadVectorTile() {
  const require = createRequire(path.join(webRoot, 'package.json'));
  try {
    const { VectorTile } = await import(require.resolve('@mapbox/vector-tile'));
    const { PbfReader: Pbf } = await import(require.resolve('pbf'));
    return { VectorTile, Pbf };
  } catch {
    return null;
  }
}
export const skipReason = !fs.existsSync(chromiumPath)
  ? `Chromium not found at ${chromiumPath} (install Debian's chromium, or set CHROMIUM)`
  : !playwright
    ? 'playwright-core not installed in web/node_modules (run `npm ci` in web/)'
    : false;

/** A fresh directory under the system temp dir; unique per call, so parallel runs never meet. */
export function makeTempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs the leerstand CLI; resolves with { code, stdout, stderr }. `input` goes to stdin. */
export function runCli(args, { input = '' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Runs the leerstand CLI on the database `dbPath`; resolves with its stdout, throws with its
 *  stderr when it fails. */
export async function cliOn(dbPath, args, input = '') {
  const result = await runCli([...args, '--db', dbPath], { input });
  if (result.code !== 0) throw new Error(`leerstand ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** Adds user `name` with `password` and `role`, scoped to `kommune` if given (an AGS). */
export async function addUser(dbPath, { name, password, role, kommune }) {
  const scope = kommune ? ['--kommune', kommune] : [];
  await cliOn(dbPath, ['user', 'add', name, '--role', role, ...scope], `${password}\n`);
}

/** Creates an API token for user `name`; resolves with the secret (the CLI's last line). */
export async function createToken(dbPath, name) {
  return (await cliOn(dbPath, ['token', 'create', '--user', name])).trim().split('\n').pop().trim();
}

const shortHash = (text) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * Makes `dbPath` a copy of what `leerstand demo` with `demoArgs` makes. The same binary,
 * options and day give the same database (tests/demo: TheSameOptionsGiveTheSameDatabase), so
 * it is made once per build, options and day and copied: a copy takes milliseconds, the demo
 * several seconds, and most test files start from it. The templates live in a folder of the
 * system temp dir per binary path; a new build's template replaces the old build's.
 */
export async function makeDemoDatabase(dbPath, demoArgs = []) {
  const { mtimeMs, size } = fs.statSync(binary);
  const kind = shortHash(JSON.stringify(demoArgs));
  const build = shortHash(JSON.stringify([mtimeMs, size, new Date().toISOString().slice(0, 10)]));
  const dir = path.join(os.tmpdir(), `leerstand-demo-${shortHash(binary)}`);
  const template = path.join(dir, `${kind}.${build}.sqlite`);
  if (!fs.existsSync(template)) {
    fs.mkdirSync(dir, { recursive: true });
    const scratch = fs.mkdtempSync(path.join(dir, 'making-'));
    try {
      const made = path.join(scratch, 'demo.sqlite');
      await cliOn(made, ['demo', ...demoArgs]);
      // The CLI closes the database cleanly: no -wal file is left to copy with it.
      if (fs.existsSync(`${made}-wal`)) throw new Error('leerstand demo left a -wal file behind');
      const stale = fs.readdirSync(dir).filter((name) => name.startsWith(`${kind}.`) && name !== path.basename(template));
      for (const old of stale) {
        fs.rmSync(path.join(dir, old), { force: true });
      }
      // A rename is atomic: a test file running beside this one copies a whole template.
      fs.renameSync(made, template);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  fs.copyFileSync(template, dbPath);
}

/**
 * Makes the test database `dbPath`: the demo database made with `demoArgs` (makeDemoDatabase;
 * e.g. ['--buildings-only']), then `users` (each as addUser takes it); resolves with an API
 * token of `tokenFor` (a user's name) or null.
 */
export async function prepareDatabase(dbPath, { demoArgs = [], users = [], tokenFor = null } = {}) {
  await makeDemoDatabase(dbPath, demoArgs);
  for (const user of users) await addUser(dbPath, user);
  return tokenFor ? createToken(dbPath, tokenFor) : null;
}

/** Starts `leerstand serve` on an ephemeral port (with `extraArgs`, which may override the
 *  basemap); `url` resolves once it prints its URL. */
export function startServer(dbPath, extraArgs = []) {
  // No basemap unless a test names one: the tests run offline.
  const args = ['serve', '--db', dbPath, '--port', '0', '--web', webRoot, '--basemap-url', 'none', ...extraArgs];
  const child = spawn(binary, args,
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within 15 s; stderr: ${stderr}`)),
      15000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`leerstand serve exited (${code ?? signal}) before listening; stderr: ${stderr}`));
    });
  });
  // A test that fails before awaiting `url` must not also leave an unhandled rejection behind.
  url.catch(() => {});
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { child, url, exited, stderr: () => stderr };
}

/** Starts the local SMTP sink (tests/support/smtp_sink.py, Debian's aiosmtpd) writing into
 *  `dir`/mails; resolves to `{ url, mails(), waitForMails(n), stop() }`, each mail as JSON
 *  {mail_from, rcpt_tos, to, from, reply_to, subject, text, headers}. Pass
 *  `['--smtp-url', sink.url, '--mail-from', ADDRESS]` to startServer. */
export function startSmtpSink(dir) {
  const mailDir = path.join(dir, 'mails');
  const child = spawn('/usr/bin/python3', [path.join(repoRoot, 'tests', 'support', 'smtp_sink.py'), mailDir],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const mails = () => (fs.existsSync(mailDir) ? fs.readdirSync(mailDir) : [])
    .filter((name) => name.endsWith('.json')).sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(mailDir, name), 'utf8')));
  const waitForMails = async (count, timeoutMs = 10000) => {
    const deadline = Date.now() + timeoutMs;
    while (mails().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return mails();
  };
  const stop = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`SMTP sink silent; stderr: ${stderr}`)); }, 15000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (\d+)\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: `smtp://127.0.0.1:${match[1]}`, mails, waitForMails, stop });
      }
    });
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`SMTP sink exited (${code}); stderr: ${stderr}`)); });
  });
}

/** Moves every vacancy_history row of the database 40 days into the past (with the sqlite3
 *  shell), so that the public figures, the state at the start of this month, include what a
 *  test wrote. The server may run: it sees that the past has changed. */
export function moveHistoryBeforeThisMonth(dbPath) {
  return new Promise((resolve, reject) => {
    const child = spawn('sqlite3', [dbPath,
      "UPDATE vacancy_history SET changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', changed_at, '-40 days')"],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`sqlite3: ${stderr}`))));
  });
}

/** Sends SIGTERM and resolves with the exit code (or the signal name if killed). */
export async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill('SIGTERM');
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), 5000); });
  const result = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') server.child.kill('SIGKILL');
  return result;
}

/**
 * When test `t` ends: closes the browser context `browser()` returns (if any), stops `server`
 * and removes `dirs`.
 */
export function cleanUpAfter(t, { server, browser = () => null, dirs = [] }) {
  t.after(async () => {
    await browser()?.close();
    await stopServer(server);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
}

export function isLoopback(url) {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** Launches headless Chromium with its own profile in `profileDir` and Playwright's context
 *  `options` (e.g. hasTouch); resolves with the context. */
export function launchBrowser(profileDir, options = {}) {
  // Plain launch() already uses a temporary profile, but Debian's wrapper is happier with an
  // explicit one, and user-data-dir is only accepted this way (TOOLCHAIN P18).
  return playwright.chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1024, height: 700 },
    args: CHROMIUM_ARGS,
    ...options,
  });
}

/** Opens `url` in a fresh browser with its own profile (closed and removed by `t.after`), at
 *  `viewport` if given, recording problems (watchPage); resolves with { page, problems }. */
export async function openPage(t, url, viewport) {
  const profileDir = makeTempDir('leerstand-chromium-');
  const context = await launchBrowser(profileDir);
  t.after(async () => {
    await context.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems = watchPage(page);
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/**
 * Records what should never happen on a page: console errors, uncaught exceptions, failed
 * requests, HTTP error responses and requests that leave the machine. Each list must stay
 * empty; see assertPageClean.
 */
export function watchPage(page) {
  const problems = {
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
    badResponses: [],
    foreignRequests: [],
  };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('requestfailed', (request) =>
    problems.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.badResponses.push(`${response.status()} ${response.url()}`);
  });
  page.on('request', (request) => {
    if (!isLoopback(request.url())) problems.foreignRequests.push(request.url());
  });
  return problems;
}

/** Asserts that watchPage recorded nothing. */
export function assertPageClean(assert, problems) {
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
  assert.deepEqual(problems.pageErrors, [], 'page errors');
  assert.deepEqual(problems.failedRequests, [], 'failed requests');
  assert.deepEqual(problems.badResponses, [], 'HTTP error responses');
  assert.deepEqual(problems.foreignRequests, [], 'requests to non-loopback hosts');
}

/** POSTs a Feature to a collection with an API token; throws unless the answer is 201.
 *  Resolves with the stored Feature. */
export async function createItem(baseUrl, token, collection, feature) {
  const response = await fetch(`${baseUrl}/collections/${collection}/items`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/geo+json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(feature),
  });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`POST ${collection}: ${response.status} ${body}`);
  return JSON.parse(body);
}

/** Opens `url` like openPage and waits until the app has its Kommunen. */
export async function openApp(t, url, viewport) {
  const opened = await openPage(t, url, viewport);
  await opened.page.waitForSelector('body[data-kommunen="ready"]', { timeout: 15000 });
  return opened;
}

// -- the map of the app (window.leerstandMap) ---------------------------------------------------

/** The RGBA of the canvas tile of `layerClass` at [lon, lat] (the map's own projection). */
export function pixelAt(page, layerClass, lon, lat) {
  return page.evaluate(({ layerClass, lon, lat }) => {
    const map = window.leerstandMap;
    const point = map.latLngToContainerPoint([lat, lon]);
    const box = map.getContainer().getBoundingClientRect();
    const x = box.left + point.x;
    const y = box.top + point.y;
    const canvas = [...document.querySelectorAll(`.${layerClass} canvas`)].find((c) => {
      const r = c.getBoundingClientRect();
      return x >= r.left && x < r.right && y >= r.top && y < r.bottom;
    });
    if (!canvas) return null;
    // The most frequent colour of the 5×5 pixels around the point (edges are anti-aliased).
    const r = canvas.getBoundingClientRect();
    const ratio = canvas.width / r.width;
    const cx = Math.floor((x - r.left) * ratio);
    const cy = Math.floor((y - r.top) * ratio);
    const data = canvas.getContext('2d').getImageData(cx - 2, cy - 2, 5, 5).data;
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = data.slice(i, i + 4).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
  }, { layerClass, lon, lat });
}

/** Waits until the layer's tiles in view are loaded (Leaflet's `load` event). */
export function layerLoaded(page, layerClass) {
  return page.waitForFunction((cls) => {
    const tiles = document.querySelectorAll(`.${cls} canvas`);
    return tiles.length > 0 && [...tiles].every((t) => t.classList.contains('leaflet-tile-loaded'));
  }, layerClass, { timeout: 15000 });
}

/** Signs in through the dialog and waits for the account area to name the user. */
export async function signIn(page, name, password) {
  await page.click('#sign-in-open');
  await page.fill('#sign-in-name', name);
  await page.fill('#sign-in-password', password);
  await page.click('.sign-in-form button[type="submit"]');
  await page.locator('.account-name').waitFor({ timeout: 10000 });
}

/** The first `n` rectangular demo buildings of Kommune `ags` near its middle, from the server
 *  at `baseUrl`: id, centre, and `aside`, a point off the centre still inside. */
export async function buildingCentres(baseUrl, ags, n) {
  const kommune = await (await fetch(`${baseUrl}/collections/kommunen/items/${ags}`)).json();
  const ring = kommune.geometry.coordinates[0][0];
  const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  const page = await (await fetch(`${baseUrl}/collections/buildings/items?kommune=${ags}&limit=${4 * n}&bbox=${lon - 0.05},${lat - 0.05},${lon + 0.05},${lat + 0.05}`)).json();
  // Rectangles only: the point between the centre and a corner is then inside the building.
  return page.features.filter((f) => f.geometry.coordinates[0][0].length === 5).slice(0, n).map((f) => {
    const outer = f.geometry.coordinates[0][0];
    const points = outer.slice(0, -1);
    const lon = points.reduce((s, p) => s + p[0], 0) / points.length;
    const lat = points.reduce((s, p) => s + p[1], 0) / points.length;
    // Off the centre (where the vacancy's marker sits), still inside.
    const aside = { lon: lon + 0.7 * (points[0][0] - lon), lat: lat + 0.7 * (points[0][1] - lat) };
    return { id: f.id, lon, lat, aside };
  });
}

/** A photo-like JPEG (stripes in green and blue) made with the `vips` CLI in `dir`; its path. */
export function makeJpeg(dir) {
  const step = (name) => path.join(dir, name);
  execFileSync('vips', ['sines', step('sines.v'), '960', '640']);
  execFileSync('vips', ['linear', step('sines.v'), step('scaled.v'), '100', '128']);
  execFileSync('vips', ['cast', step('scaled.v'), step('grey.v'), 'uchar']);
  execFileSync('vips', ['bandjoin_const', step('grey.v'), step('bild.jpg'), '90 160']);
  return step('bild.jpg');
}
