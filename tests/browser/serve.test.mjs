// Headless-browser check of the web app served by the real `leerstand serve`.
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, binary, launchBrowser, makeTempDir, outDir, skipReason, startServer, stopServer,
  watchPage,
} from './support.mjs';

test('the map page loads, shows the status of a fresh database and stays offline',
  { skip: skipReason, timeout: 60000 }, async (t) => {
    assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
    const dataDir = makeTempDir('leerstand-browser-');
    const profileDir = makeTempDir('leerstand-chromium-');
    const server = startServer(path.join(dataDir, 't.sqlite'));
    let context = null;
    t.after(async () => {
      if (context) await context.close();
      await stopServer(server);
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(profileDir, { recursive: true, force: true });
    });

    const baseUrl = await server.url;
    context = await launchBrowser(profileDir);
    const page = context.pages()[0] ?? await context.newPage();
    const problems = watchPage(page);

    await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 15000 });

    // The panel shows the counts /health reports; a fresh database has nothing in it. The
    // schema version stays in /health: it means nothing to a visitor.
    const health = await (await fetch(`${baseUrl}/health`)).json();
    assert.ok(health.schema_version >= 1);
    const field = (name) => page.locator(`#status [data-field="${name}"]`).textContent();
    for (const name of ['kommunen', 'buildings', 'zukunftsorte']) {
      assert.equal(await field(name), '0', `count ${name}`);
    }
    const labels = await page.locator('#status dt').allTextContents();
    assert.deepEqual(labels, ['Kommunen', 'Gebäude', 'Zukunftsorte']);
    assert.equal(await page.locator('[data-field="schema_version"]').count(), 0);
    assert.ok(!(await page.locator('body').innerText()).includes('Schema'), 'no schema version on the page');

    // Leaflet from /vendor/leaflet, and a map that actually initialised.
    assert.equal(await page.evaluate(() => window.L?.version), '1.9.4');
    assert.equal(await page.locator('#map.leaflet-container').count(), 1);
    assert.equal(await page.locator('.leaflet-control-zoom').count(), 1);
    // No basemap configured, so no image tiles (the Kommune outlines are drawn on canvases).
    assert.equal(await page.locator('img.leaflet-tile').count(), 0);
    // The data layers load too (so their requests are checked below), and are empty.
    await page.waitForSelector('#status[data-layers="ready"]', { timeout: 15000 });
    assert.equal(await page.locator('.vacancy-marker, .zukunftsort-marker').count(), 0);

    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'serve.png') });

    assertPageClean(assert, problems);

    await context.close();
    context = null;
    assert.equal(await stopServer(server), 0, `server exit status; stderr: ${server.stderr()}`);
  });
