// Headless-browser check of the web app served by the real `leerstand serve`.
//
// Run from the repository root:   node --test tests/browser/
// Environment: LEERSTAND_BINARY   path of the built binary (default build/leerstand)
//              CHROMIUM           browser executable (default /usr/bin/chromium)
//
// Drives Debian's Chromium through playwright-core from web/node_modules (never downloads a
// browser). Skips with a message when Chromium or playwright-core is missing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const webRoot = path.join(repoRoot, 'web');
const outDir = path.join(repoRoot, 'tests', 'browser', 'out');
const binary = path.resolve(process.env.LEERSTAND_BINARY ?? path.join(repoRoot, 'build', 'leerstand'));
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

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

const playwright = loadPlaywright();
const skipReason = !fs.existsSync(chromiumPath)
  ? `Chromium not found at ${chromiumPath} (install Debian's chromium, or set CHROMIUM)`
  : !playwright
    ? 'playwright-core not installed in web/node_modules (run `npm ci` in web/)'
    : false;

/** Starts `leerstand serve` on an ephemeral port; resolves once it prints its URL. */
function startServer(dbPath) {
  const child = spawn(binary, ['serve', '--db', dbPath, '--port', '0', '--web', webRoot],
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
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { child, url, exited, stderr: () => stderr };
}

/** Sends SIGTERM and resolves with the exit code (or the signal name if killed). */
async function stopServer(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill('SIGTERM');
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), 5000); });
  const result = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') server.child.kill('SIGKILL');
  return result;
}

function isLoopback(url) {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

test('the map page loads, shows the status of a fresh database and stays offline',
  { skip: skipReason, timeout: 60000 }, async (t) => {
    assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leerstand-browser-'));
    const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leerstand-chromium-'));
    const server = startServer(path.join(dataDir, 't.sqlite'));
    let context = null;
    t.after(async () => {
      if (context) await context.close();
      await stopServer(server);
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(profileDir, { recursive: true, force: true });
    });

    const baseUrl = await server.url;
    // Plain launch() already uses a temporary profile, but Debian's wrapper is happier with an
    // explicit one, and user-data-dir is only accepted this way (TOOLCHAIN P18).
    context = await playwright.chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1024, height: 700 },
      args: CHROMIUM_ARGS,
    });
    const page = context.pages()[0] ?? await context.newPage();

    const consoleErrors = [];
    const pageErrors = [];
    const failedRequests = [];
    const badResponses = [];
    const foreignRequests = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('requestfailed', (request) => failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
    page.on('response', (response) => {
      if (response.status() >= 400) badResponses.push(`${response.status()} ${response.url()}`);
    });
    page.on('request', (request) => {
      if (!isLoopback(request.url())) foreignRequests.push(request.url());
    });

    await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 15000 });

    // The panel shows what /health reports; a fresh database has nothing in it.
    const health = await (await fetch(`${baseUrl}/health`)).json();
    assert.ok(health.schema_version >= 1);
    const field = (name) => page.locator(`#status [data-field="${name}"]`).textContent();
    assert.equal(await field('schema_version'), String(health.schema_version));
    for (const name of ['kommunen', 'buildings', 'vacancies', 'zukunftsorte']) {
      assert.equal(await field(name), '0', `count ${name}`);
    }
    const labels = await page.locator('#status dt').allTextContents();
    assert.deepEqual(labels, ['Schema-Version', 'Kommunen', 'Gebäude', 'Leerstände', 'Zukunftsorte']);

    // Leaflet from /vendor/leaflet, and a map that actually initialised.
    assert.equal(await page.evaluate(() => window.L?.version), '1.9.4');
    assert.equal(await page.locator('#map.leaflet-container').count(), 1);
    assert.equal(await page.locator('.leaflet-control-zoom').count(), 1);
    // No basemap configured, so no tiles.
    assert.equal(await page.locator('.leaflet-tile').count(), 0);

    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'serve.png') });

    assert.deepEqual(consoleErrors, [], 'console errors');
    assert.deepEqual(pageErrors, [], 'page errors');
    assert.deepEqual(failedRequests, [], 'failed requests');
    assert.deepEqual(badResponses, [], 'HTTP error responses');
    assert.deepEqual(foreignRequests, [], 'requests to non-loopback hosts');

    await context.close();
    context = null;
    assert.equal(await stopServer(server), 0, `server exit status; stderr: ${server.stderr()}`);
  });
