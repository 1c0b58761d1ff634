// Headless-browser tests of the map (issue 6): the public choropleth with its legend, the
// Kommune search and profile panel with the 24-month trend, sign-in and sign-out, and the
// planner's buildings coloured by vacancy status from the GeoJSON tiles with the record of a
// clicked building. Debian's chromium, the real server, a fresh database; no basemap, so the
// page must work offline (watchPage fails on any request that leaves the machine).
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  assertPageClean, binary, buildingCentres, layerLoaded, makeDemoDatabase, makeTempDir,
  moveHistoryBeforeThisMonth, openApp, outDir, pixelAt, runCli, signIn, skipReason, startServer, stopServer,
} from './support.mjs';
import { contrastRatio, measureTexts, parseColor, textContrast } from './contrast.mjs';

const ANGERMUENDE = '12073008';
const HERZBERG = '12062224';
const PLANNER = { name: 'karten-planerin', password: 'ein-langes-passwort' };
// Marks the internal fields: the planner sees them, the public never.
const SECRET = 'GEHEIM';

let dataDir;
let server;
let baseUrl;
let adminToken;
let vacancyBuilding;  // the building (id, centre) of the first Angermünde vacancy

async function cli(args, input) {
  const result = await runCli([...args, '--db', path.join(dataDir, 't.sqlite')], { input });
  assert.equal(result.code, 0, `leerstand ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function api(method, target, body) {
  const response = await fetch(`${baseUrl}${target}`, {
    method,
    headers: { 'Content-Type': 'application/geo+json', Authorization: `Bearer ${adminToken}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${target}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

before(async () => {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-map-');
  // The tests file their own reports and count them.
  await makeDemoDatabase(path.join(dataDir, 't.sqlite'), ['--buildings-only']);
  await cli(['user', 'add', 'karten-admin', '--role', 'admin'], 'ein-langes-passwort\n');
  await cli(['user', 'add', PLANNER.name, '--role', 'planner'], `${PLANNER.password}\n`);
  adminToken = (await cli(['token', 'create', '--user', 'karten-admin'])).trim().split('\n').pop().trim();
  server = startServer(path.join(dataDir, 't.sqlite'));
  baseUrl = await server.url;
  // Three published open vacancies in Angermünde (figures shown), one in Herzberg (suppressed
  // for the public: "unter 3").
  const angermuende = await buildingCentres(baseUrl, ANGERMUENDE, 3);
  for (const [i, b] of angermuende.entries()) {
    await api('POST', '/collections/vacancies/items', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [b.lon, b.lat] },
      properties: {
        status: i === 0 ? 'bestaetigt' : 'gemeldet', use: 'laden', vacant_since: '2024-05-01',
        consent_publish: true, owner_contact: `${SECRET}-Kontakt`, internal_notes: 'Erbengemeinschaft <b>x</b>',
      },
    });
  }
  vacancyBuilding = angermuende[0];
  const [herzberg] = await buildingCentres(baseUrl, HERZBERG, 1);
  await api('POST', '/collections/vacancies/items', {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [herzberg.lon, herzberg.lat] },
    properties: { status: 'gemeldet', use: 'wohnen', consent_publish: true },
  });
  // The public sees the figures of the start of the month: put these reports before it.
  await moveHistoryBeforeThisMonth(path.join(dataDir, 't.sqlite'));
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Opens the map (of `url`, default the shared server) in a fresh browser; `t.after` closes it. */
function openMap(t, viewport, url = baseUrl) {
  return openApp(t, `${url}/`, viewport);
}

/** Searches for a Kommune and waits until the map has gone there (it zooms to its bounds). */
async function searchFor(page, text, name = text) {
  const before = await page.evaluate(() => window.leerstandMap.getCenter());
  await page.fill('#search-input', text);
  await page.press('#search-input', 'Enter');
  await page.waitForFunction((n) => document.querySelector('#profile .profile-title')?.textContent === n, name, { timeout: 10000 });
  await page.waitForFunction(({ lat, lng }) => {
    const map = window.leerstandMap;
    const centre = map.getCenter();
    return map.getZoom() >= 9 && (centre.lat !== lat || centre.lng !== lng);
  }, before, { timeout: 10000 });
  // Until no zoom or pan animation runs any more.
  await page.waitForFunction(() => {
    const map = window.leerstandMap;
    return !map._animatingZoom && !map._panAnim?._inProgress;
  }, null, { timeout: 10000 });
}

test('the public map: choropleth and legend, search, profile with trend, offline',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    const { page, problems } = await openMap(t);
    await layerLoaded(page, 'kommunen-layer');

    // The default figure is the official baseline, with its source; then the atlas' own rate.
    const legend = page.locator('.choropleth-legend');
    assert.equal(await legend.locator('h2').textContent(), 'Wohnungsleerstand (Zensus 2022)');
    assert.match(await legend.locator('.legend-source').textContent(), /Zensus 2022/);
    await page.selectOption('#figure', 'vacancy_rate');
    // The legend of the chosen figure with five classes and the "no figure" class.
    assert.equal(await legend.locator('h2').textContent(), 'Leerstandsquote');
    assert.deepEqual(await legend.locator('li').allTextContents(),
      ['bis 1 %', '1 % – 3 %', '3 % – 6 %', '6 % – 10 %', 'über 10 %', 'unter 3 Meldungen oder keine Angabe']
        .map((text) => text.replaceAll(' %', '\u00a0%')));
    // Switching the figure relabels the legend.
    await page.selectOption('#figure', 'reactivated');
    assert.equal(await legend.locator('h2').textContent(), 'Reaktivierte Gebäude');
    await page.selectOption('#figure', 'vacancy_rate');

    // Search: a prefix finds Angermünde, the map goes there and the profile opens.
    await searchFor(page, 'angerm', 'Angermünde');
    const profile = page.locator('#profile');
    assert.equal(await profile.locator('.profile-title').textContent(), 'Angermünde');
    const facts = Object.fromEntries(await profile.locator('dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.equal(facts['Gebäude'], '1.500');
    assert.equal(facts['Offene Leerstände'], '3');
    assert.equal(facts['Leerstandsquote'], '0,2\u00a0%');
    // The trend: 24 months, the last one (the month that ended last) with the 3 open reports.
    const bars = profile.locator('.trend-chart rect.trend-bar');
    assert.equal(await bars.count(), 24);
    assert.equal(await bars.last().getAttribute('data-open'), '3');
    assert.match(await page.locator('.trend-chart').getAttribute('aria-label'), /^Offene Leerstandsmeldungen je Monat/);

    // The Kommune is drawn in the colour of its class (0,2 % → the first class, #fef0d9).
    await layerLoaded(page, 'kommunen-layer');
    const kommune = await (await fetch(`${baseUrl}/collections/kommunen/items/${ANGERMUENDE}`)).json();
    const ring = kommune.geometry.coordinates[0][0];
    const [lon, lat] = [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
    const [r, g, b, a] = await pixelAt(page, 'kommunen-layer', lon, lat);
    assert.deepEqual([r, g, b], [0xfe, 0xf0, 0xd9], `pixel ${[r, g, b, a]}`);
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'public-map.png'), animations: 'disabled' });

    // Herzberg has one report: the public sees "unter 3", never the count.
    await page.fill('#search-input', 'Herzberg (Elster)');
    await page.press('#search-input', 'Enter');
    await page.waitForFunction(() => document.querySelector('#profile .profile-title')?.textContent === 'Herzberg (Elster)');
    const herzberg = Object.fromEntries(await profile.locator('dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.equal(herzberg['Offene Leerstände'], 'unter 3');
    assert.equal(herzberg['Leerstandsquote'], 'keine Angabe');
    assert.equal(await profile.locator('.trend-bar-suppressed').last().getAttribute('data-open'), '<3');

    // An unknown name is said so next to the box.
    await page.fill('#search-input', 'Atlantis');
    await page.press('#search-input', 'Enter');
    assert.equal(await page.locator('.search-message').textContent(), 'Keine Kommune „Atlantis“ gefunden.');

    // Public: no buildings layer, nothing internal in the page.
    assert.equal(await page.locator('.buildings-layer').count(), 0);
    assert.ok(!(await page.content()).includes(SECRET));
    // Clicking a Kommune on the map opens its profile too.
    await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 10, { animate: false }), { lon, lat });
    await layerLoaded(page, 'kommunen-layer');
    const point = await page.evaluate(({ lon, lat }) => window.leerstandMap.latLngToContainerPoint([lat, lon]), { lon, lat });
    await page.locator('#map').click({ position: { x: point.x, y: point.y } });
    await page.waitForFunction(() => document.querySelector('#profile .profile-title')?.textContent === 'Angermünde');
    assertPageClean(assert, problems);
  });

test('sign-in, the planner map with buildings by status, a building\'s record, sign-out',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    const { page, problems } = await openMap(t);
    // A wrong password is explained in the dialog.
    await page.click('#sign-in-open');
    await page.fill('#sign-in-name', PLANNER.name);
    await page.fill('#sign-in-password', 'falsch-falsch-falsch');
    await page.click('.sign-in-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('.sign-in-form .form-error').textContent !== '');
    assert.equal(await page.locator('.sign-in-form .form-error').textContent(), 'Name oder Passwort stimmt nicht.');
    await page.fill('#sign-in-password', PLANNER.password);
    await page.click('.sign-in-form button[type="submit"]');
    await page.locator('.account-name').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('.account-name').textContent(), `${PLANNER.name} (Planung)`);

    // At z17 over the vacancy's building: buildings drawn, that one in its status colour.
    const tileRequests = [];
    page.on('request', (req) => {
      const match = /\/tiles\/buildings\/(\d+)\/(\d+)\/(\d+)\.geojson$/.exec(new URL(req.url()).pathname);
      if (match) tileRequests.push(match.slice(1).map(Number));
    });
    const started = Date.now();
    await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 17, { animate: false }), vacancyBuilding);
    await layerLoaded(page, 'buildings-layer');
    const firstRender = Date.now() - started;
    const [r, g, b] = await pixelAt(page, 'buildings-layer', vacancyBuilding.lon, vacancyBuilding.lat);
    assert.deepEqual([r, g, b], [0xc8, 0x1e, 0x1e], 'bestaetigt is drawn red (#c81e1e)');
    // Only the tiles of the visible area were asked for (at most one ring of tiles beyond the
    // view's edges, where a tile overlaps the edge).
    const view = await page.evaluate(() => {
      const map = window.leerstandMap;
      const bounds = map.getPixelBounds();
      return { min: [Math.floor(bounds.min.x / 256), Math.floor(bounds.min.y / 256)], max: [Math.floor(bounds.max.x / 256), Math.floor(bounds.max.y / 256)] };
    });
    const z17 = tileRequests.filter(([z]) => z === 17);
    assert.ok(z17.length > 0);
    for (const [, x, y] of z17)
      assert.ok(x >= view.min[0] && x <= view.max[0] && y >= view.min[1] && y <= view.max[1], `tile 17/${x}/${y} is outside the view ${JSON.stringify(view)}`);
    assert.equal(new Set(z17.map(String)).size, (view.max[0] - view.min[0] + 1) * (view.max[1] - view.min[1] + 1), 'each visible tile once');
    assert.equal(tileRequests.filter(([z]) => z < 13).length, 0, 'no buildings below z13');

    // Panning: every view's tiles are in and drawn; the time per view is reported.
    const times = [];
    for (const [dx, dy] of [[600, 0], [0, 400], [-600, 0], [0, -400]]) {
      const begin = Date.now();
      await page.evaluate(([x, y]) => window.leerstandMap.panBy([x, y], { animate: false }), [dx, dy]);
      await layerLoaded(page, 'buildings-layer');
      times.push(Date.now() - begin);
    }
    t.diagnostic(`buildings z17: first view ${firstRender} ms, pans ${times.join(', ')} ms (tile request to drawn canvas)`);

    // A click on the building shows its record with the internal fields and the history.
    await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 18, { animate: false }), vacancyBuilding);
    await layerLoaded(page, 'buildings-layer');
    // Beside the vacancy's marker (which opens its own popup).
    const point = await page.evaluate(({ lon, lat }) => window.leerstandMap.latLngToContainerPoint([lat, lon]), vacancyBuilding.aside);
    await page.locator('#map').click({ position: { x: point.x, y: point.y } });
    const record = page.locator('#profile .vacancy-record');
    await record.waitFor({ timeout: 10000 });
    const facts = Object.fromEntries(await record.locator('dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.equal(facts.Status, 'Bestätigt');
    assert.equal(facts.Kontakt, `${SECRET}-Kontakt`);
    assert.equal(facts.Notizen, 'Erbengemeinschaft <b>x</b>', 'user text stays text');
    assert.equal(await record.locator('b').count(), 0);
    assert.match(await record.locator('.history li').first().textContent(), /angelegt/);
    assert.equal(await page.locator('#profile').getAttribute('data-building'), String(vacancyBuilding.id));
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'planner-map.png'), animations: 'disabled' });

    // Signed in, the figures are exact: Herzberg's one report shows as 1.
    await page.fill('#search-input', 'Herzberg (Elster)');
    await page.press('#search-input', 'Enter');
    await page.waitForFunction(() => document.querySelector('#profile .profile-title')?.textContent === 'Herzberg (Elster)');
    await page.waitForFunction(() => [...document.querySelectorAll('#profile dt')].find((dt) => dt.textContent === 'Offene Leerstände')?.nextElementSibling.textContent === '1');

    // Sign-out: the buildings layer and the record go.
    await page.click('#sign-out');
    await page.locator('#sign-in-open').waitFor({ timeout: 10000 });
    assert.equal(await page.locator('.buildings-layer').count(), 0);
    assert.equal(await page.locator('#profile').isHidden(), true);
    const me = await page.evaluate(async () => (await fetch('/api/me')).json());
    assert.equal(me.signed_in, false);
    // The wrong password above was refused (401) on purpose; nothing else may fail.
    const refusals = problems.badResponses.filter((entry) => String(entry).includes('/api/login'));
    assert.equal(refusals.length, 1, JSON.stringify(problems.badResponses));
    problems.badResponses = problems.badResponses.filter((entry) => !refusals.includes(entry));
    problems.consoleErrors = problems.consoleErrors.filter((text) => !text.includes('status of 401'));
    assertPageClean(assert, problems);
  });

test('on a phone-sized screen the search, figure and sign-in stay usable',
  { skip: skipReason, timeout: 60000 }, async (t) => {
    const { page, problems } = await openMap(t, { width: 390, height: 760 });
    for (const selector of ['#search-input', '#figure', '#sign-in-open']) {
      const box = await page.locator(selector).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${selector} fits the width: ${JSON.stringify(box)}`);
    }
    // Keyboard only: Tab reaches the search box, Enter searches.
    await page.focus('#search-input');
    await page.keyboard.type('Angermünde');
    await page.keyboard.press('Enter');
    await page.locator('#profile .profile-title').waitFor({ timeout: 10000 });
    const panel = await page.locator('#profile').boundingBox();
    assert.ok(panel.width <= 390, 'the profile fits the screen');
    await page.screenshot({ path: path.join(outDir, 'phone-map.png'), animations: 'disabled' });
    assertPageClean(assert, problems);
  });

test('editing: report a vacancy, server errors next to the fields, a refused status change, a stale edit',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    // The editor of Angermünde; a building without a vacancy.
    await cli(['user', 'add', 'karten-redaktion', '--role', 'editor', '--kommune', ANGERMUENDE], 'ein-langes-passwort\n');
    const [, , , target] = await buildingCentres(baseUrl, ANGERMUENDE, 4);
    const { page, problems } = await openMap(t);
    await signIn(page, 'karten-redaktion', 'ein-langes-passwort');
    await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 18, { animate: false }), target);
    await layerLoaded(page, 'buildings-layer');
    const clickBuilding = async () => {
      const point = await page.evaluate(({ lon, lat }) => window.leerstandMap.latLngToContainerPoint([lat, lon]), target.aside);
      await page.locator('#map').click({ position: { x: point.x, y: point.y } });
    };
    await clickBuilding();
    const form = page.locator('#profile .vacancy-form');
    await form.waitFor({ timeout: 10000 });
    assert.equal(await form.locator('h3').textContent(), 'Leerstand melden');
    // The form shows the limits the server keeps (those of the API document); it never cuts a
    // text (no maxlength): an over-long one is refused by the server next to its field.
    const documented = (await (await fetch(`${page.url().split('/?')[0].replace(/\/$/, '')}/api`)).json())
      .components.schemas.VacancyProperties.properties;
    for (const name of ['owner_contact', 'internal_notes', 'public_description']) {
      assert.ok(documented[name].maxLength > 0, `${name} has a documented limit`);
      assert.equal(await page.locator(`#vacancy-${name}`).evaluate((input) => Number(input.dataset.maxCharacters)), documented[name].maxLength, name);
      assert.equal(await page.locator(`#vacancy-${name}-hint`).textContent(),
        `0 von höchstens ${documented[name].maxLength.toLocaleString('de-DE')} Zeichen`, name);
    }

    // A date in the future: the server's message appears next to "Leer seit", nothing is stored.
    await page.selectOption('#vacancy-use', 'gewerbe');
    await page.fill('#vacancy-vacant_since', '2999-01-01');
    await page.fill('#vacancy-owner_contact', 'Herr <i>Test</i>');
    await form.locator('button[type="submit"]').click();
    const sinceError = form.locator('[data-field="vacant_since"] .field-error');
    await page.waitForFunction(() => document.querySelector('[data-field="vacant_since"] .field-error')?.textContent !== '');
    assert.match(await sinceError.textContent(), /future|Zukunft/i);
    assert.equal(await page.locator('#vacancy-vacant_since').getAttribute('aria-describedby'), 'vacancy-vacant_since-error');
    // Corrected, it is stored: the record shows it and the building turns the status colour.
    await page.fill('#vacancy-vacant_since', '2023-02-01');
    await form.locator('button[type="submit"]').click();
    const record = page.locator('#profile .vacancy-record');
    await record.waitFor({ timeout: 10000 });
    const facts = Object.fromEntries(await record.locator('dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.equal(facts.Status, 'Gemeldet');
    assert.equal(facts.Nutzung, 'Gewerbe');
    assert.equal(facts['Leer seit'], '01.02.2023');
    assert.equal(facts.Kontakt, 'Herr <i>Test</i>');
    const vacancyId = await record.getAttribute('data-vacancy');
    await page.waitForFunction(() => document.querySelectorAll('.buildings-layer canvas:not(.leaflet-tile-loaded)').length === 0);
    await layerLoaded(page, 'buildings-layer');
    const [r, g, b] = await pixelAt(page, 'buildings-layer', target.lon, target.lat);
    assert.deepEqual([r, g, b], [0xb4, 0x53, 0x09], 'gemeldet is drawn amber (#b45309)');

    // gemeldet → aktiviert skips the lifecycle: refused, with the allowed statuses next to it.
    const editForm = page.locator('#profile .vacancy-form');
    assert.equal(await editForm.locator('h3').textContent(), 'Leerstand bearbeiten');
    await page.selectOption('#vacancy-status', 'aktiviert');
    await editForm.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('[data-field="status"] .field-error')?.textContent !== '');
    assert.match(await editForm.locator('[data-field="status"] .field-error').textContent(),
      /^Dieser Statuswechsel ist nicht möglich\. Erlaubt: .*Bestätigt/);

    // Someone else changes the vacancy meanwhile: the edit is stale (412), explained, and the
    // form shows the current values.
    const item = `/collections/vacancies/items/${vacancyId}`;
    const current = await fetch(`${baseUrl}${item}`, { headers: { Authorization: `Bearer ${adminToken}` } });
    const changed = await fetch(`${baseUrl}${item}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': current.headers.get('ETag'), Authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ properties: { use: 'laden' } }),
    });
    assert.equal(changed.status, 200, await changed.text());
    await page.selectOption('#vacancy-status', 'bestaetigt');
    await editForm.locator('button[type="submit"]').click();
    await page.waitForFunction(() => /inzwischen von jemand anderem geändert/.test(document.querySelector('.vacancy-form .form-error')?.textContent ?? ''));
    await page.waitForFunction(() => document.querySelector('#vacancy-use')?.value === 'laden');
    // Entered again, it goes through.
    await page.selectOption('#vacancy-status', 'bestaetigt');
    await editForm.locator('button[type="submit"]').click();
    await page.waitForFunction(() => [...document.querySelectorAll('#profile .vacancy-record dd')].some((dd) => dd.textContent === 'Bestätigt'));
    await page.screenshot({ path: path.join(outDir, 'editing.png'), animations: 'disabled' });

    // Only the refusals above may be HTTP errors.
    const expected = problems.badResponses.filter((entry) => /^(400|409|412|422) .*\/collections\/vacancies\/items/.test(entry));
    assert.equal(expected.length, 3, JSON.stringify(problems.badResponses));
    problems.badResponses = problems.badResponses.filter((entry) => !expected.includes(entry));
    problems.consoleErrors = problems.consoleErrors.filter((text) => !/status of (400|409|412|422)/.test(text));
    assertPageClean(assert, problems);
  });

test('upload with progress and report table; export of what is on screen in three formats',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    const { page, problems } = await openMap(t);
    await signIn(page, 'karten-admin', 'ein-langes-passwort');
    await page.locator('#upload-open').waitFor({ timeout: 10000 });

    // Four vacancy reports as CSV for Angermünde: one with a status the atlas does not know,
    // one that lies in Herzberg.
    const [a, b] = (await buildingCentres(baseUrl, ANGERMUENDE, 8)).slice(5, 7);
    const [elsewhere] = await buildingCentres(baseUrl, HERZBERG, 1);
    const csv = 'lon;lat;status;use;consent_publish\n'
      + `${a.lon};${a.lat};bestaetigt;wohnen;ja\n${b.lon};${b.lat};gemeldet;laden;nein\n${b.lon};${b.lat};leer;laden;nein\n`
      + `${elsewhere.lon};${elsewhere.lat};gemeldet;wohnen;nein\n`;
    await page.click('#upload-open');
    await page.setInputFiles('#upload-file', { name: 'falsch.csv', mimeType: 'text/csv', buffer: Buffer.from('x\n') });
    assert.match(await page.locator('.chosen-file').textContent(), /^falsch\.csv/);
    // Dropped on the zone, a file replaces the one chosen: the report below comes from it.
    const dropped = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'meldungen.csv', { type: 'text/csv' }));
      return transfer;
    }, csv);
    await page.dispatchEvent('.drop-zone', 'dragover', { dataTransfer: dropped });
    assert.equal(await page.locator('.drop-zone').evaluate((zone) => zone.classList.contains('drag-over')), true);
    await page.dispatchEvent('.drop-zone', 'drop', { dataTransfer: dropped });
    assert.match(await page.locator('.chosen-file').textContent(), /^meldungen\.csv/);
    await page.selectOption('#upload-kommune', ANGERMUENDE);
    await page.selectOption('#upload-layer', 'vacancies');
    await page.click('.upload-form button[type="submit"]');
    const report = page.locator('.upload-report');
    await report.waitFor({ timeout: 30000 });
    const rows = Object.fromEntries(await report.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent])));
    assert.equal(rows.gespeichert, '2');
    assert.equal(rows.abgelehnt, '2');
    // The reasons in German, a value the reason carries (the Kommune) kept; none in English.
    assert.equal(rows['– ungültiger Status'], '1');
    assert.equal(rows[`– Punkt liegt außerhalb der Kommune ${ANGERMUENDE}`], '1');
    assert.deepEqual(Object.keys(rows).filter((text) => /invalid|outside|point/.test(text)), [], 'no English reason');
    // Stored per Kommune by name, though a vacancy import's report names none (issue 22).
    assert.deepEqual(await page.locator('.upload-kommunen tbody tr').evaluateAll((trs) => trs.map((tr) => tr.textContent)),
      [`Angermünde (${ANGERMUENDE})2`]);
    assert.equal(await page.locator('.upload-progress').evaluate((p) => p.value === p.max), true, 'the bar is full');
    assert.equal(await page.locator('.upload-state').textContent(), 'Import fertig');
    await page.screenshot({ path: path.join(outDir, 'upload-report.png'), animations: 'disabled' });
    await page.click('#upload-dialog .dialog-cancel');

    // Export what is on screen: Angermünde's centre, vacancies that are "Bestätigt".
    await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 14, { animate: false }), vacancyBuilding);
    await page.click('#tools summary');
    await page.selectOption('#filter-status', 'bestaetigt');
    await page.selectOption('#export-collection', 'vacancies');
    const bounds = await page.evaluate(() => window.leerstandMap.getBounds().toBBoxString().split(',').map(Number));
    const downloads = {};
    for (const format of ['geojson', 'csv', 'gpkg']) {
      await page.selectOption('#export-format', format);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export button[type="submit"]')]);
      const file = path.join(dataDir, `export.${format}`);
      await download.saveAs(file);
      downloads[format] = { file, url: download.url() };
    }
    const url = new URL(downloads.geojson.url);
    assert.equal(url.pathname, '/export/vacancies.geojson');
    assert.equal(url.searchParams.get('status'), 'bestaetigt');
    const geojson = JSON.parse(fs.readFileSync(downloads.geojson.file, 'utf8'));
    assert.ok(geojson.features.length >= 2, `${geojson.features.length} features`);
    for (const f of geojson.features) {
      assert.equal(f.properties.status, 'bestaetigt');
      const [lon, lat] = f.geometry.coordinates;
      assert.ok(lon >= bounds[0] && lon <= bounds[2] && lat >= bounds[1] && lat <= bounds[3], 'on screen');
    }
    const csvLines = fs.readFileSync(downloads.csv.file, 'utf8').trim().split(/\r?\n/);
    assert.match(csvLines[0], /^"?WKT"?,/);
    assert.equal(csvLines.length - 1, geojson.features.length);
    const ogr = spawnSync('ogrinfo', ['-ro', '-so', '-al', downloads.gpkg.file], { encoding: 'utf8' });
    if (!ogr.error) assert.match(ogr.stdout, new RegExp(`Feature Count: ${geojson.features.length}\\b`));
    assertPageClean(assert, problems);
  });

test('with the basemap unreachable the map still shows the Kommune outlines and the data',
  { skip: skipReason, timeout: 60000 }, async (t) => {
    // A loopback port nothing listens on (taken and given back): every basemap tile fails.
    const probe = net.createServer();
    await new Promise((resolve) => { probe.listen(0, '127.0.0.1', resolve); });
    const deadPort = probe.address().port;
    await new Promise((resolve) => { probe.close(resolve); });
    const dead = `http://127.0.0.1:${deadPort}/`;
    const offline = startServer(path.join(dataDir, 't.sqlite'),
      ['--basemap-url', `${dead}{z}/{x}/{y}.png`, '--basemap-attribution', 'Test <Karte> & Co']);
    t.after(() => stopServer(offline));
    const offlineUrl = await offline.url;
    const config = await (await fetch(`${offlineUrl}/api/config`)).json();
    assert.deepEqual(config, { basemap: { url: `${dead}{z}/{x}/{y}.png`, attribution: 'Test <Karte> & Co' } });
    const { page, problems } = await openMap(t, null, offlineUrl);
    await page.waitForSelector('#status[data-layers="ready"]', { timeout: 15000 });
    await searchFor(page, 'Angermünde');
    await layerLoaded(page, 'kommunen-layer');
    // The basemap was asked for and failed; the outlines are drawn all the same.
    assert.ok(problems.failedRequests.some((entry) => entry.startsWith(dead)), JSON.stringify(problems.failedRequests));
    const kommune = await (await fetch(`${offlineUrl}/collections/kommunen/items/${ANGERMUENDE}`)).json();
    const ring = kommune.geometry.coordinates[0][0];
    const centre = [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
    const [, , , alpha] = await pixelAt(page, 'kommunen-layer', ...centre);
    assert.ok(alpha > 0, 'the Kommune is drawn');
    assert.equal(await page.locator('.vacancy-marker').count() > 0, true, 'the vacancies are shown');
    // The operator's attribution is shown as text.
    assert.match(await page.locator('.leaflet-control-attribution').textContent(), /Test <Karte> & Co/);
    problems.failedRequests = problems.failedRequests.filter((entry) => !entry.startsWith(dead));
    problems.consoleErrors = problems.consoleErrors.filter((text) => !/ERR_CONNECTION_REFUSED/.test(text));
    assertPageClean(assert, problems);
  });

test('the contrast formula gives the WCAG figures', () => {
  assert.equal(contrastRatio([0, 0, 0], [255, 255, 255]).toFixed(1), '21.0');
  assert.equal(contrastRatio([0x77, 0x77, 0x77], [255, 255, 255]).toFixed(2), '4.48');
  assert.equal(contrastRatio([0x1f, 0x29, 0x33], [0x1f, 0x29, 0x33]), 1);
  // Translucent white over an unknown map: the worst is black underneath.
  assert.equal(textContrast([0, 0, 0, 1], [[255, 255, 255, 0.8]], null).toFixed(2), contrastRatio([0, 0, 0], [204, 204, 204]).toFixed(2));
  // Grey text on a glass panel: some backdrop makes it vanish.
  assert.equal(textContrast([128, 128, 128, 1], [[255, 255, 255, 0.2]], null), 1);
});

test('contrast: the text of panels, legend, controls, popups, forms and errors is at least 4.5:1',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    const { page, problems } = await openMap(t);
    await page.waitForSelector('#status[data-layers="ready"]', { timeout: 15000 });
    const measured = [];
    const measure = async (root) => { measured.push(...await measureTexts(page, root)); };

    // The public map: Angermünde's profile with its trend, the legend, the tools open, a
    // vacancy's popup, the search box's message.
    await searchFor(page, 'Angermünde');
    await page.click('#tools summary');
    // (by the keyboard: at this zoom the markers overlap)
    await page.focus('path.vacancy-marker.status-bestaetigt');
    await page.keyboard.press('Enter');
    await page.locator('.leaflet-popup .popup-vacancy').waitFor({ timeout: 5000 });
    await page.fill('#search-input', 'Atlantis');
    await page.press('#search-input', 'Enter');
    await page.waitForFunction(() => document.querySelector('.search-message').textContent !== '');
    await page.fill('#search-input', '');
    await measure('body');

    // The sign-in dialog with its error.
    await page.click('#sign-in-open');
    await page.fill('#sign-in-name', 'karten-admin');
    await page.fill('#sign-in-password', 'falsch-falsch-falsch');
    await page.click('.sign-in-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('.sign-in-form .form-error').textContent !== '');
    await measure('#sign-in-dialog');
    await page.fill('#sign-in-password', 'ein-langes-passwort');
    await page.click('.sign-in-form button[type="submit"]');
    await page.locator('.account-name').waitFor({ timeout: 10000 });

    // Signed in: a building's record with the edit form and a field's error, the list of
    // buildings with its hint (shown while it has the focus).
    await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 18, { animate: false }), vacancyBuilding);
    await layerLoaded(page, 'buildings-layer');
    const point = await page.evaluate(({ lon, lat }) => window.leerstandMap.latLngToContainerPoint([lat, lon]), vacancyBuilding.aside);
    await page.locator('#map').click({ position: { x: point.x, y: point.y } });
    const form = page.locator('#profile .vacancy-form');
    await form.waitFor({ timeout: 10000 });
    await page.fill('#vacancy-vacant_since', '2999-01-01');
    await form.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('[data-field="vacant_since"] .field-error')?.textContent !== '');
    await page.focus('#building-picker');
    await page.keyboard.press('ArrowDown');
    await measure('body');

    // The upload dialog with its error.
    await page.click('#upload-open');
    await page.click('.upload-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('.upload-form .form-error').textContent !== '');
    await measure('#upload-dialog');
    await page.screenshot({ path: path.join(outDir, 'contrast-upload.png'), animations: 'disabled' });

    // Each kind of text named in issue 6 was measured (an empty list passes nothing).
    for (const where of [/#profile/, /legend/, /^button/, /^label/, /form-error/, /field-error/, /search-message/,
      /popup/, /building-picker-hint/, /#status/, /trend-axis/, /^dt/, /^(input|select)/])
      assert.ok(measured.some((m) => where.test(m.where)), `nothing measured for ${where}: ${[...new Set(measured.map((m) => m.where))].join(' | ')}`);
    const failing = measured.filter((m) => !(m.ratio >= m.required))
      .map((m) => `${m.ratio.toFixed(2)}:1 < ${m.required}:1  ${m.where} (${m.kind}) „${m.text}“`);
    assert.deepEqual([...new Set(failing)], [], 'text below the contrast it needs');
    // No text sits on a legend colour (the walk above would have measured it there). The
    // colours themselves need 3:1 as graphics (WCAG 1.4.11): each swatch has a ring that stands
    // out from the legend, so the lightest class shows; the status colours stand out from the
    // white rim of their marker.
    const swatches = await page.evaluate(() => [...document.querySelectorAll('.legend-control .swatch')].map((swatch) => ({
      fill: getComputedStyle(swatch).backgroundColor,
      ring: /rgba?\([^)]*\)/.exec(getComputedStyle(swatch).boxShadow)?.[0],
      legend: getComputedStyle(swatch.closest('.legend-control')).backgroundColor,
      status: swatch.closest('.legend') !== null && !swatch.classList.contains('swatch-zukunftsort'),
    })));
    assert.ok(swatches.length >= 13, `${swatches.length} swatches`);
    for (const swatch of swatches) {
      const ring = textContrast(parseColor(swatch.ring), [parseColor(swatch.legend)], null);
      assert.ok(ring >= 3, `swatch ring ${swatch.ring} on ${swatch.legend}: ${ring.toFixed(2)}:1`);
      if (swatch.status) {
        const fill = contrastRatio(parseColor(swatch.fill), [255, 255, 255]);
        assert.ok(fill >= 3, `status colour ${swatch.fill} against its white rim: ${fill.toFixed(2)}:1`);
      }
    }
    const lowest = [...measured].sort((a, b) => a.ratio - b.ratio).slice(0, 4).map((m) => `${m.ratio.toFixed(2)} ${m.where}`);
    t.diagnostic(`contrast: ${measured.length} texts measured; lowest ${lowest.join(', ')}`);

    // The refused wrong password and the refused date were on purpose.
    const expected = problems.badResponses.filter((entry) => /^401 .*\/api\/login|^(400|422) .*\/collections\/vacancies\/items/.test(entry));
    assert.equal(expected.length, 2, JSON.stringify(problems.badResponses));
    problems.badResponses = problems.badResponses.filter((entry) => !expected.includes(entry));
    problems.consoleErrors = problems.consoleErrors.filter((text) => !/status of (400|401|422)/.test(text));
    assertPageClean(assert, problems);
  });

/**
 * Presses Tab (Shift+Tab when `backwards`) until the focused element matches `selector`, at
 * most `max` times; resolves with what the focused element says (its accessible name or text).
 * Only the keyboard moves the focus here, so a control Tab cannot reach fails.
 */
async function tabTo(page, selector, { backwards = false, max = 60 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const found = await page.evaluate((s) => {
      const active = document.activeElement;
      return active?.matches(s) ? (active.getAttribute('aria-label') ?? active.textContent) : null;
    }, selector);
    if (found !== null) return found;
  }
  throw new Error(`${selector} not reached with ${max} presses of ${backwards ? 'Shift+Tab' : 'Tab'}`);
}

/** What the focused element is: its id, classes and the popup or panel it sits in. */
function focused(page) {
  return page.evaluate(() => {
    const active = document.activeElement;
    return {
      id: active?.id ?? '',
      classes: active?.getAttribute('class') ?? '',
      label: active?.getAttribute('aria-label') ?? '',
      inPopup: Boolean(active?.closest('.leaflet-popup')),
    };
  });
}

test('keyboard only: markers open their popups, buildings are chosen in a list and open their record',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    // A Zukunftsort beside the vacancy (about 30 m east), with a website to reach by Tab.
    await api('POST', '/collections/zukunftsorte/items', {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [vacancyBuilding.lon + 0.0005, vacancyBuilding.lat] },
      properties: { name: 'Kulturbahnhof <i>Angermünde</i>', kind: 'Kultur', website: 'https://example.org/kulturbahnhof' },
    });
    const { page, problems } = await openMap(t);
    await page.waitForSelector('#status[data-layers="ready"]', { timeout: 15000 });

    // Sign in with the keyboard: Tab to the button, Enter, type, Enter.
    assert.equal(await tabTo(page, '#sign-in-open'), 'Anmelden');
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).id, 'sign-in-name');
    await page.keyboard.type(PLANNER.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PLANNER.password);
    await page.keyboard.press('Enter');
    await page.locator('.account-name').waitFor({ timeout: 10000 });

    // Over the vacancy's building, too far out for buildings: the list says to zoom in.
    await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 12, { animate: false }), vacancyBuilding);
    assert.equal(await tabTo(page, '#building-picker'), 'noch keins gewählt');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('.building-picker [role="status"]').textContent(), 'Keine Gebäude: zum Wählen näher heranzoomen.');
    // Back to the zoom buttons, and in to z18 (each press zooms about the centre).
    assert.equal(await tabTo(page, '.leaflet-control-zoom-in', { backwards: true }), 'Hineinzoomen');
    for (let zoom = 13; zoom <= 18; zoom++) {
      await page.keyboard.press('Enter');
      await page.waitForFunction((z) => window.leerstandMap.getZoom() === z && !window.leerstandMap._animatingZoom, zoom, { timeout: 10000 });
    }
    await layerLoaded(page, 'buildings-layer');

    // Only the markers in view are tab stops.
    const stops = await page.evaluate(() => {
      const map = window.leerstandMap;
      const box = map.getContainer().getBoundingClientRect();
      return [...document.querySelectorAll('.vacancy-marker, .zukunftsort-marker')].map((m) => {
        const r = m.getBoundingClientRect();
        const inView = r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom;
        return { inView, tabindex: m.getAttribute('tabindex') };
      });
    });
    assert.ok(stops.some((s) => s.inView && s.tabindex === '0'), JSON.stringify(stops));
    assert.ok(stops.some((s) => !s.inView), 'Herzberg\'s vacancy is out of view');
    for (const stop of stops) assert.equal(stop.tabindex, stop.inView ? '0' : '-1', JSON.stringify(stop));

    // The vacancy marker: named; for the planner, who reads the report's internal data, Enter
    // opens its record (not the public popup) with the focus in it, Escape closes it.
    const vacancyName = await tabTo(page, '.vacancy-marker[aria-label="Leerstand: Bestätigt, Laden"]', { backwards: true });
    assert.equal(vacancyName, 'Leerstand: Bestätigt, Laden');
    await page.keyboard.press('Enter');
    const markerRecord = page.locator('#profile .vacancy-record');
    await markerRecord.waitFor({ timeout: 10000 });
    assert.equal(await page.locator('.leaflet-popup').count(), 0, 'no public popup for the planner');
    const markerFacts = Object.fromEntries(await markerRecord.locator('dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.equal(markerFacts.Status, 'Bestätigt');
    assert.equal(markerFacts.Nutzung, 'Laden');
    assert.equal((await focused(page)).id, 'profile', 'the focus is in the record');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#profile').isHidden(), true);
    assert.equal((await focused(page)).label, 'Leerstand: Bestätigt, Laden', 'the focus is back on the marker');
    const popup = page.locator('.leaflet-popup');

    // The Zukunftsort: Enter opens it, Tab reaches its website inside the popup, its name is text.
    await tabTo(page, '.zukunftsort-marker');
    assert.equal((await focused(page)).label, 'Zukunftsort: Kulturbahnhof <i>Angermünde</i>');
    await page.keyboard.press('Enter');
    await popup.waitFor({ timeout: 5000 });
    assert.equal(await popup.locator('.popup-title').textContent(), 'Kulturbahnhof <i>Angermünde</i>');
    assert.equal(await popup.locator('i').count(), 0, 'the name stays text');
    assert.equal(await tabTo(page, '.leaflet-popup a.popup-link', { max: 3 }), 'https://example.org/kulturbahnhof');
    await page.keyboard.press('Escape');
    await popup.waitFor({ state: 'detached', timeout: 5000 });
    assert.match((await focused(page)).classes, /zukunftsort-marker/);

    // The buildings: the list starts at the centre, where the vacancy's building is.
    assert.equal(await tabTo(page, '#building-picker'), 'noch keins gewählt');
    await page.keyboard.press('ArrowDown');
    const picker = page.locator('#building-picker');
    const option = picker.locator('[role="option"]');
    const first = await option.textContent();
    assert.match(first, /^1\/\d+ Gebäude mit Leerstand „Bestätigt“, an der Kartenmitte$/);
    const total = Number(/^1\/(\d+)/.exec(first)[1]);
    assert.ok(total > 3, `${total} buildings in view`);
    assert.equal(await picker.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
    assert.equal(await option.getAttribute('aria-setsize'), String(total));
    // The chosen one is outlined on the map.
    const outlined = () => page.evaluate(() => [...window.leerstandMap.getPane('buildingPickerPane').querySelectorAll('path')]
      .map((p) => p.getAttribute('stroke')));
    assert.deepEqual(await outlined(), ['#1f2933', '#f7c948']);
    // Down: the next nearest, said with where it lies; up: back.
    await page.keyboard.press('ArrowDown');
    assert.match(await option.textContent(), new RegExp(`^2/${total} Gebäude (ohne Leerstandsmeldung|mit Leerstand „[^“]+“), etwa \\d+\\u00a0m (nördlich|nordöstlich|östlich|südöstlich|südlich|südwestlich|westlich|nordwestlich) der Kartenmitte$`));
    assert.equal(await option.getAttribute('aria-posinset'), '2');
    await page.keyboard.press('ArrowUp');
    assert.equal(await option.textContent(), first);
    // Enter opens the record, as a click does; the focus goes to it, Escape comes back.
    await page.keyboard.press('Enter');
    const record = page.locator('#profile .vacancy-record');
    await record.waitFor({ timeout: 10000 });
    assert.equal((await focused(page)).id, 'profile');
    assert.equal(await page.locator('#profile').getAttribute('data-building'), String(vacancyBuilding.id));
    const facts = Object.fromEntries(await record.locator('dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.equal(facts.Status, 'Bestätigt');
    assert.equal(facts.Kontakt, `${SECRET}-Kontakt`);
    await page.screenshot({ path: path.join(outDir, 'keyboard-map.png'), animations: 'disabled' });
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#profile').isHidden(), true);
    assert.equal((await focused(page)).id, 'building-picker');
    assertPageClean(assert, problems);
  });
