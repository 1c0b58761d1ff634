// The planner's list (issue 22, "Planner's list"), in headless Chromium against the real server
// on the demo data: a planner opens the list, sorts it, filters it with the map's filters and
// the map's view, pages through the API's `next` link, clicks a row (the map moves there and
// the record opens, its row highlighted) and searches by street and house number in the ways
// people type them; below the buildings' zoom a hint says where the buildings are; the public
// gets no list; an edit made in the record a row opened shows in the list at once.
// Screenshots at 1366×800 (copied to docs/vacancy-list.png) and 390×844.
//
// Run from the repository root:   node --test tests/browser/vacancy-list.test.mjs
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, binary, makeDemoDatabase, makeTempDir, openApp, outDir, runCli, signIn, skipReason,
  startServer, stopServer,
} from './support.mjs';
import { assertLayoutHolds } from './layout-check.mjs';

const PLANNER = { name: 'liste-planung', password: 'ein-langes-passwort-liste' };
const ADMIN = { name: 'liste-admin', password: 'ein-langes-passwort-admin' };
const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };
// The page size of web/vacancy-list.js; the demo's 54 reports need a second page.
const PAGE_SIZE = 50;

let dataDir;
let server;
let baseUrl;

before(async () => {
  if (skipReason) return;
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-vacancy-list-');
  const dbPath = path.join(dataDir, 'list.sqlite');
  await makeDemoDatabase(dbPath);
  // A planner of the network team: no Kommune, so every report of the demo is in scope.
  const user = await runCli(['user', 'add', PLANNER.name, '--role', 'planner', '--db', dbPath],
    { input: `${PLANNER.password}\n` });
  assert.equal(user.code, 0, `leerstand user add: ${user.stderr}`);
  const admin = await runCli(['user', 'add', ADMIN.name, '--role', 'admin', '--db', dbPath],
    { input: `${ADMIN.password}\n` });
  assert.equal(admin.code, 0, `leerstand user add: ${admin.stderr}`);
  server = startServer(dbPath);
  baseUrl = await server.url;
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Waits until the list has answered the request `action` starts; resolves with its URL. */
async function listLoad(page, action) {
  const answered = page.waitForResponse((response) => response.url().includes('/collections/vacancies/items?'));
  await action();
  const response = await answered;
  await page.waitForFunction(() => document.querySelector('#vacancy-list').dataset.state === 'ready');
  return new URL(response.url());
}

/** The rows of the list as the page shows them. */
function rowsOf(page) {
  return page.locator('#vacancy-list tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    id: Number(tr.dataset.vacancy),
    ...Object.fromEntries([...tr.cells].map((td) => [td.dataset.column, td.textContent])),
    statusId: tr.querySelector('[data-column="status"]').dataset.status,
    current: tr.classList.contains('vacancy-list-current'),
  })));
}

/** GET as the signed-in page (its session cookie). */
function apiJson(page, target) {
  return page.evaluate(async (url) => (await fetch(url, { headers: { Accept: 'application/geo+json' } })).json(), target);
}

/** Every vacancy the planner sees, with its building's address: the oracle of the search. */
async function everyVacancy(page) {
  const all = [];
  let target = '/collections/vacancies/items?limit=20';
  while (target) {
    const answer = await apiJson(page, target);
    all.push(...answer.features);
    const next = answer.links.find((link) => link.rel === 'next');
    target = next ? new URL(next.href).pathname + new URL(next.href).search : null;
  }
  for (const vacancy of all) {
    const building = await apiJson(page, `/collections/buildings/items/${vacancy.properties.building_id}`);
    vacancy.street = building.properties.street ?? '';
    vacancy.housenumber = building.properties.housenumber ?? '';
  }
  return all;
}

/** 'dd.mm.yyyy' → 'yyyy-mm-dd' ('' stays ''). */
function isoOf(german) {
  const match = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(german);
  return match ? `${match[3]}-${match[2]}-${match[1]}` : german;
}

function assertOrdered(values, compare, message) {
  for (let i = 1; i < values.length; i++) assert.ok(compare(values[i - 1], values[i]) <= 0, `${message}: ${values[i - 1]} before ${values[i]}`);
}

test('a planner lists, sorts, filters, pages, opens and searches the vacancies',
  { skip: skipReason, timeout: 180000 }, async (t) => {
    const { page, problems } = await openApp(t, baseUrl, DESKTOP);
    // The public has neither the toggle nor the hint.
    assert.equal(await page.locator('#vacancy-list-toggle').isVisible(), false);
    assert.equal(await page.locator('.vacancy-list-zoom-hint').isVisible(), false);
    await signIn(page, PLANNER.name, PLANNER.password);

    // Below the buildings' zoom: the hint, which zooms in to where the buildings appear.
    const hint = page.locator('.vacancy-list-zoom-hint');
    await hint.waitFor({ state: 'visible' });
    assert.equal(await hint.textContent(), 'Gebäude ab Zoomstufe 13 – hineinzoomen');
    assert.ok(await page.evaluate(() => window.leerstandMap.getZoom()) < 13);
    await assertLayoutHolds(assert, page, 'zoom hint');
    await hint.click();
    assert.equal(await page.evaluate(() => window.leerstandMap.getZoom()), 13);
    assert.equal(await hint.isVisible(), false);
    await page.evaluate(() => window.leerstandMap.setZoom(9, { animate: false }));
    await hint.waitFor({ state: 'visible' });

    // The list: the first page, newest vacant_since first, and how many there are.
    const all = await everyVacancy(page);
    assert.ok(all.length > PAGE_SIZE, `the demo has ${all.length} reports, more than a page`);
    const toggle = page.locator('#vacancy-list-toggle');
    assert.equal(await toggle.textContent(), 'Liste');
    const first = await listLoad(page, () => toggle.click());
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(first.searchParams.get('limit'), String(PAGE_SIZE));
    assert.equal(first.searchParams.get('sortby'), '-vacant_since');
    let rows = await rowsOf(page);
    assert.equal(rows.length, PAGE_SIZE);
    assert.equal(await page.locator('.vacancy-list-summary').textContent(), `${PAGE_SIZE} von ${all.length} Leerständen`);
    // Each row as the API has it, in German: labels, the building's address, the Kommune's name.
    const byId = new Map(all.map((v) => [v.id, v]));
    const kommunen = await apiJson(page, '/collections/kommunen/items?limit=100&skipGeometry=true');
    const nameOf = new Map(kommunen.features.map((k) => [k.properties.ags, k.properties.name]));
    for (const row of rows) {
      const vacancy = byId.get(row.id);
      assert.equal(row.statusId, vacancy.properties.status);
      assert.equal(row.address, `${vacancy.street} ${vacancy.housenumber}`.trim());
      assert.equal(row.kommune, nameOf.get(vacancy.properties.kommune_ags));
      assert.equal(isoOf(row.changed), vacancy.properties.updated_at.slice(0, 10));
      assert.ok(!/^\d+$/.test(row.kommune), `a Kommune by name, not AGS: ${row.kommune}`);
    }
    assertOrdered(rows.map((r) => isoOf(r.since)), (a, b) => b.localeCompare(a), 'newest first');
    const header = (name) => page.locator('#vacancy-list th button', { hasText: new RegExp(`^${name}$`) });

    // Paging through `next`: the rest of the reports, then no more button.
    const more = page.locator('.vacancy-list-more');
    assert.ok(await more.isVisible());
    const second = await listLoad(page, () => more.click());
    assert.equal(second.searchParams.get('offset'), String(PAGE_SIZE));
    rows = await rowsOf(page);
    assert.equal(rows.length, all.length);
    assert.equal(new Set(rows.map((r) => r.id)).size, all.length);
    assert.equal(await more.isVisible(), false);

    // Sorting by the API's keys: every page in one order.
    const bySince = await listLoad(page, () => header('Leer seit').click());
    assert.equal(bySince.searchParams.get('sortby'), 'vacant_since');
    assert.equal(await page.locator('th[data-column="since"]').getAttribute('aria-sort'), 'ascending');
    assertOrdered((await rowsOf(page)).map((r) => isoOf(r.since)), (a, b) => a.localeCompare(b), 'oldest first');
    const byStatus = await listLoad(page, () => header('Status').click());
    assert.equal(byStatus.searchParams.get('sortby'), 'status');
    assertOrdered((await rowsOf(page)).map((r) => r.statusId), (a, b) => a.localeCompare(b), 'by status');
    const byStatusDown = await listLoad(page, () => header('Status').click());
    assert.equal(byStatusDown.searchParams.get('sortby'), '-status');
    assertOrdered((await rowsOf(page)).map((r) => r.statusId), (a, b) => b.localeCompare(a), 'by status, descending');
    // Address and last change are no keys of the API: they order the rows loaded.
    await header('Adresse').click();
    assert.equal(await page.locator('th[data-column="address"]').getAttribute('aria-sort'), 'ascending');
    assertOrdered((await rowsOf(page)).map((r) => r.address), (a, b) => a.localeCompare(b, 'de', { numeric: true }), 'by address');
    await header('Letzte Änderung').click();
    assertOrdered((await rowsOf(page)).map((r) => isoOf(r.changed)), (a, b) => a.localeCompare(b), 'by last change');
    await listLoad(page, () => header('Kommune').click());
    assertOrdered((await rowsOf(page)).map((r) => byId.get(r.id).properties.kommune_ags), (a, b) => a.localeCompare(b), 'by Kommune');

    // The map's filters filter the list: status, use, since.
    await page.click('#tools > summary');
    const byFilter = await listLoad(page, () => page.selectOption('#filter-status', 'gemeldet'));
    assert.equal(byFilter.searchParams.get('status'), 'gemeldet');
    rows = await rowsOf(page);
    const gemeldet = all.filter((v) => v.properties.status === 'gemeldet');
    assert.ok(gemeldet.length > 0 && gemeldet.length < all.length);
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(gemeldet.map((v) => v.id)));
    assert.ok(rows.every((r) => r.status === 'Gemeldet'));
    await listLoad(page, () => page.selectOption('#filter-use', 'wohnen'));
    rows = await rowsOf(page);
    assert.deepEqual(new Set(rows.map((r) => r.id)),
      new Set(gemeldet.filter((v) => v.properties.use === 'wohnen').map((v) => v.id)));
    await listLoad(page, () => page.selectOption('#filter-status', ''));
    await listLoad(page, () => page.selectOption('#filter-use', ''));
    // The middle vacant_since of the demo: about half the reports, one page.
    const since = all.map((v) => v.properties.vacant_since).filter(Boolean).sort()[Math.floor(all.length / 2)];
    const fromThen = all.filter((v) => (v.properties.vacant_since ?? '') >= since);
    assert.ok(fromThen.length > 0 && fromThen.length <= PAGE_SIZE, `${fromThen.length} since ${since}`);
    const bySinceFilter = await listLoad(page, () => page.fill('#filter-since', since));
    assert.equal(bySinceFilter.searchParams.get('datetime'), `${since}/..`);
    rows = await rowsOf(page);
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(fromThen.map((v) => v.id)));
    await listLoad(page, () => page.fill('#filter-since', ''));
    await page.click('#tools > summary');

    // "nur Kartenausschnitt": the reports in the map's view, again as the map moves.
    const angermuende = all.find((v) => v.properties.kommune_ags === '12073008');
    const [lon, lat] = angermuende.geometry.coordinates;
    await page.evaluate(([x, y]) => window.leerstandMap.setView([y, x], 14, { animate: false }), [lon, lat]);
    const inView = await listLoad(page, () => page.check('.vacancy-list-view input'));
    const box = inView.searchParams.get('bbox').split(',').map(Number);
    const inside = all.filter(({ geometry: { coordinates: [x, y] } }) => x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]);
    rows = await rowsOf(page);
    assert.ok(inside.length > 0 && inside.length < all.length, `${inside.length} in view`);
    assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(inside.map((v) => v.id)));
    await listLoad(page, () => page.evaluate(() => window.leerstandMap.setZoom(9, { animate: false })));
    assert.ok((await rowsOf(page)).length > inside.length);
    await listLoad(page, () => page.uncheck('.vacancy-list-view input'));

    // A row click: the map moves to the vacancy, its record opens, its row is highlighted.
    const target = (await rowsOf(page))[3];
    await page.locator(`#vacancy-list tr[data-vacancy="${target.id}"]`).click();
    await page.locator(`#profile .vacancy-record[data-vacancy="${target.id}"]`).waitFor({ timeout: 10000 });
    const centre = await page.evaluate(() => ({ ...window.leerstandMap.getCenter(), zoom: window.leerstandMap.getZoom() }));
    const [tx, ty] = byId.get(target.id).geometry.coordinates;
    assert.ok(Math.abs(centre.lng - tx) < 1e-6 && Math.abs(centre.lat - ty) < 1e-6, `centre ${JSON.stringify(centre)}`);
    assert.ok(centre.zoom >= 13, 'close enough for the buildings');
    rows = await rowsOf(page);
    assert.deepEqual(rows.filter((r) => r.current).map((r) => r.id), [target.id]);
    // Record and list side by side, nothing covered: the screenshot of the docs.
    fs.mkdirSync(outDir, { recursive: true });
    const desktopShot = path.join(outDir, 'vacancy-list-1366.png');
    await page.screenshot({ path: desktopShot, animations: 'disabled' });
    // In 256 colours (libvips, as the image uploads use), small enough for the README: copy it
    // to docs/vacancy-list.png by hand when the list changes (tests never write into the tree).
    const docsShot = path.join(outDir, 'vacancy-list-docs.png');
    const converted = spawnSync('vips', ['copy', desktopShot, `${docsShot}[palette,compression=9]`]);
    assert.equal(converted.status, 0, String(converted.stderr));
    assert.ok(fs.statSync(docsShot).size < 300 * 1024, 'the README copy stays under 300 KB');
    await assertLayoutHolds(assert, page, 'list and record at 1366x800');
    for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
      await page.setViewportSize(size);
      await page.screenshot({ path: path.join(outDir, `vacancy-list-${size.width}.png`), animations: 'disabled' });
      await assertLayoutHolds(assert, page, `list and record at ${size.width}x${size.height}`);
      // Every column fits: nothing to scroll sideways.
      assert.ok(await page.locator('.vacancy-list-scroller').evaluate((e) => e.scrollWidth <= e.clientWidth),
        `the table fits at ${size.width}`);
    }
    await page.setViewportSize(DESKTOP);
    // The record closed: no row highlighted.
    await page.click('#profile-close');
    await page.waitForFunction(() => !document.querySelector('.vacancy-list-current'));
    await assertLayoutHolds(assert, page, 'list at 1366x800');

    // Search by street and house number, however typed: what the planner sees at that address.
    const chosen = all.find((v) => /straße/.test(v.street) && /[äöüß]/.test(v.street.replace('straße', ''))
      && /^\d+$/.test(v.housenumber)) ?? all.find((v) => /straße/.test(v.street) && /^\d+$/.test(v.housenumber));
    assert.ok(chosen, 'a report on a Straße with a plain house number');
    const expected = new Set(all.filter((v) => v.street === chosen.street && (v.housenumber === chosen.housenumber
      || (v.housenumber.startsWith(chosen.housenumber) && !/^\d/.test(v.housenumber.slice(chosen.housenumber.length)))))
      .map((v) => v.id));
    const plain = (text) => text.replaceAll('ä', 'ae').replaceAll('ö', 'oe').replaceAll('ü', 'ue').replaceAll('ß', 'ss');
    const variants = [
      `${chosen.street} ${chosen.housenumber}`,
      `${chosen.street.replace('straße', 'str.')} ${chosen.housenumber}`,
      `${plain(chosen.street).toLowerCase()} ${chosen.housenumber}`,
      `${chosen.street.replace('straße', 'str').toUpperCase()} ${chosen.housenumber}`,
      `${chosen.street.replace('straße', ' Straße')} ${chosen.housenumber}`,
    ];
    const search = page.locator('#vacancy-list-address');
    for (const variant of variants) {
      await search.fill(variant);
      const url = await listLoad(page, () => search.press('Enter'));
      assert.equal(url.searchParams.get('address'), variant);
      assert.deepEqual(new Set((await rowsOf(page)).map((r) => r.id)), expected, variant);
    }
    // The street alone finds all of its reports; an address without any, none.
    await search.fill(chosen.street.replace('straße', 'str.'));
    await listLoad(page, () => search.press('Enter'));
    assert.deepEqual(new Set((await rowsOf(page)).map((r) => r.id)),
      new Set(all.filter((v) => v.street === chosen.street).map((v) => v.id)));
    await search.fill('Nirgendwostraße 1');
    await listLoad(page, () => search.press('Enter'));
    assert.equal((await rowsOf(page)).length, 0);
    assert.equal(await page.locator('.vacancy-list-summary').textContent(), 'Keine Leerstände zu diesen Filtern.');
    // Nothing readable: the server's field error, in German.
    await search.fill('– , .');
    await search.press('Enter');
    await page.waitForFunction(() => document.querySelector('#vacancy-list').dataset.state === 'error');
    assert.equal(await page.locator('.vacancy-list-summary').textContent(), '„Adresse“ ist ungültig.');
    // That 400 was asked for (the browser logs it too); nothing else may fail.
    const asked = (text) => text.includes('400');
    assert.equal(problems.badResponses.filter(asked).length, 1, problems.badResponses.join());
    problems.badResponses = problems.badResponses.filter((text) => !asked(text));
    problems.consoleErrors = problems.consoleErrors.filter((text) => !asked(text));
    await search.fill(`${chosen.street} ${chosen.housenumber}`);
    await listLoad(page, () => search.press('Enter'));
    await page.screenshot({ path: path.join(outDir, 'vacancy-list-search-1366.png'), animations: 'disabled' });

    // On a phone: the list over the top of the map, the map's controls free; a row click
    // gives the screen to the record.
    await page.setViewportSize(PHONE);
    await search.fill('');
    await listLoad(page, () => search.press('Enter'));
    await page.screenshot({ path: path.join(outDir, 'vacancy-list-390.png'), animations: 'disabled' });
    await assertLayoutHolds(assert, page, 'list at 390x844');
    const phoneRow = (await rowsOf(page))[0];
    await page.locator(`#vacancy-list tr[data-vacancy="${phoneRow.id}"]`).click();
    await page.locator(`#profile .vacancy-record[data-vacancy="${phoneRow.id}"]`).waitFor({ timeout: 10000 });
    assert.equal(await page.locator('#vacancy-list').isVisible(), false);
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await page.screenshot({ path: path.join(outDir, 'vacancy-list-record-390.png'), animations: 'disabled' });

    // Signed out: the list and its toggle are gone.
    await page.setViewportSize(DESKTOP);
    await toggle.click();
    await page.waitForFunction(() => document.querySelector('#vacancy-list').dataset.state === 'ready');
    await page.locator('.account-button', { hasText: 'Abmelden' }).click();
    await page.locator('#sign-in-open').waitFor();
    assert.equal(await toggle.isVisible(), false);
    assert.equal(await page.locator('#vacancy-list').isVisible(), false);
    assert.equal(await page.locator('#vacancy-list tbody tr').count(), 0);
    assertPageClean(assert, problems);
  });

test('the list follows an edit made in the record it opened, without a reload',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    const { page, problems } = await openApp(t, baseUrl, DESKTOP);
    await signIn(page, ADMIN.name, ADMIN.password);
    await listLoad(page, () => page.locator('#vacancy-list-toggle').click());
    const reported = (await rowsOf(page)).find((row) => row.statusId === 'gemeldet');
    assert.ok(reported, 'the demo has a report still "gemeldet" on the first page');
    await page.locator(`#vacancy-list tr[data-vacancy="${reported.id}"]`).click();
    const form = page.locator('#profile .vacancy-form');
    await form.waitFor({ timeout: 10000 });
    await page.selectOption('#vacancy-status', 'bestaetigt');
    // The save reloads the list: wait for its answer, then read the row again.
    await listLoad(page, () => form.locator('button[type="submit"]').press('Enter'));
    const row = (await rowsOf(page)).find((r) => r.id === reported.id);
    assert.equal(row.statusId, 'bestaetigt');
    assert.equal(row.status, 'Bestätigt');
    const stored = await apiJson(page, `/collections/vacancies/items/${reported.id}`);
    assert.equal(stored.properties.status, 'bestaetigt');
    assertPageClean(assert, problems);
  });
