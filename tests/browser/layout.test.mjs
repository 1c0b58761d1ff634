// Headless-browser tests of the layout (issue 22, "Layout that holds"): at 1280×720, 1366×800,
// 1920×1080 and 390×844 no control covers another in any state of the map (public, a Kommune
// profile open, the filters open, signed in, a building's record with the vacancy form, the
// upload dialog); panels close by mouse, keyboard and touch; the legend folds away; Kommune
// names show on hover and as labels where they fit.
//
// Run from the repository root:   node --test tests/browser/layout.test.mjs
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, binary, buildingCentres, launchBrowser, layerLoaded, makeDemoDatabase, makeTempDir, outDir,
  runCli, signIn, skipReason, startServer, stopServer, watchPage,
} from './support.mjs';
import { assertLayoutHolds, layoutProblems } from './layout-check.mjs';

const ANGERMUENDE = '12073008';
const EDITOR = { name: 'layout-redaktion', password: 'ein-langes-passwort' };
const SIZES = [
  { width: 1280, height: 720 },
  { width: 1366, height: 800 },
  { width: 1920, height: 1080 },
  { width: 390, height: 844 },
];
const PHONE = SIZES[3];

let dataDir;
let server;
let baseUrl;
let building;  // a point inside an Angermünde building without a vacancy

async function cli(args, input) {
  const result = await runCli([...args, '--db', path.join(dataDir, 't.sqlite')], { input });
  assert.equal(result.code, 0, `leerstand ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** A point well inside an Angermünde building that has no published vacancy (so a click opens
 *  the form to report one, the longest panel), off its centre where markers sit. */
async function buildingWithoutVacancy() {
  const vacancies = await (await fetch(`${baseUrl}/collections/vacancies/items?kommune=${ANGERMUENDE}&limit=1000`)).json();
  const taken = new Set(vacancies.features.map((f) => f.properties.building_id));
  const free = (await buildingCentres(baseUrl, ANGERMUENDE, 100)).find((b) => !taken.has(b.id));
  assert.ok(free, 'a rectangular building without a published vacancy');
  return free.aside;
}

before(async () => {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-layout-');
  // The full demo: vacancies, Zukunftsorte and pictures make the panels as long as in use.
  await makeDemoDatabase(path.join(dataDir, 't.sqlite'));
  await cli(['user', 'add', EDITOR.name, '--role', 'editor', '--kommune', ANGERMUENDE], `${EDITOR.password}\n`);
  server = startServer(path.join(dataDir, 't.sqlite'));
  baseUrl = await server.url;
  building = await buildingWithoutVacancy();
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh browser (closed by `t.after`, with the context `options`) on a page that watches for
 *  problems. */
async function newPage(t, viewport, options = {}) {
  const profileDir = makeTempDir('leerstand-chromium-');
  const context = await launchBrowser(profileDir, options);
  t.after(async () => {
    await context.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? await context.newPage();
  await page.setViewportSize(viewport);
  return { page, problems: watchPage(page) };
}

async function openMap(page, pathname = '/') {
  await page.goto(`${baseUrl}${pathname}`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-kommunen="ready"]', { timeout: 15000 });
  await page.waitForSelector('#status[data-layers="ready"]', { state: 'attached', timeout: 15000 });
}

/** Zooms to the building, waits for its tile and clicks it; waits for the vacancy form. */
async function openRecord(page) {
  await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 18, { animate: false }), building);
  await layerLoaded(page, 'buildings-layer');
  const point = await page.evaluate(({ lon, lat }) => window.leerstandMap.latLngToContainerPoint([lat, lon]), building);
  await page.locator('#map').click({ position: { x: point.x, y: point.y } });
  await page.locator('#profile .vacancy-form button[type="submit"]').waitFor({ state: 'attached', timeout: 10000 });
}

const isPhone = (viewport) => viewport.width <= 640;

/** The "Speichern" of the open vacancy form is the top element at its centre wherever one stops
 *  scrolling its panel while it is in view (issue 22: "Filter und Export" lay over it). */
async function assertSaveUsable(page) {
  const covered = await page.locator('#profile').evaluate((panel) => {
    const save = panel.querySelector('.vacancy-form button[type="submit"]');
    const start = panel.scrollTop;
    const found = [];
    for (let top = 0; ; top += 20) {
      panel.scrollTop = top;
      const box = save.getBoundingClientRect();
      const view = panel.getBoundingClientRect();
      if (box.top >= view.top && box.bottom <= view.bottom) {
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        if (!(hit === save || save.contains(hit)) || box.bottom > innerHeight) {
          found.push(`scrolled to ${panel.scrollTop}: ${hit?.outerHTML.slice(0, 60)}`);
        }
      }
      if (panel.scrollTop + panel.clientHeight >= panel.scrollHeight - 1) break;
    }
    panel.scrollTop = start;
    return found;
  });
  assert.deepEqual(covered, [], '„Speichern“ is covered');
}

for (const viewport of SIZES) {
  const size = `${viewport.width}×${viewport.height}`;

  test(`layout at ${size}: the public map, its legend, the filters and a Kommune's profile`,
    { skip: skipReason, timeout: 120000 }, async (t) => {
      const { page, problems } = await newPage(t, viewport);
      await openMap(page);
      await assertLayoutHolds(assert, page, 'public map');
      // The legend the other way round from its default, then back.
      await page.click('.legend-toggle');
      await assertLayoutHolds(assert, page, 'legend toggled');
      await page.click('.legend-toggle');
      await page.click('#tools summary');
      await assertLayoutHolds(assert, page, 'filters open');
      if (isPhone(viewport)) {
        // Put the sentences away: the sheet shrinks, the map grows.
        await page.click('#status .intro-close');
        await assertLayoutHolds(assert, page, 'introduction put away');
      }
      fs.mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: path.join(outDir, `layout-map-${viewport.width}.png`), animations: 'disabled' });

      await page.fill('#search-input', 'Angermünde');
      await page.press('#search-input', 'Enter');
      await page.locator('#profile .profile-title').waitFor({ timeout: 10000 });
      await page.locator('#profile .trend-chart').waitFor({ timeout: 10000 });
      await assertLayoutHolds(assert, page, 'Kommune profile open');
      await page.screenshot({ path: path.join(outDir, `layout-profile-${viewport.width}.png`), animations: 'disabled' });
      assertPageClean(assert, problems);
    });

  test(`layout at ${size}: signed in, a building's record with the vacancy form, the upload dialog`,
    { skip: skipReason, timeout: 120000 }, async (t) => {
      const { page, problems } = await newPage(t, viewport);
      await openMap(page);
      await signIn(page, EDITOR.name, EDITOR.password);
      await assertLayoutHolds(assert, page, 'signed in');
      await openRecord(page);
      await assertSaveUsable(page);
      await assertLayoutHolds(assert, page, 'record with the vacancy form');
      await page.screenshot({ path: path.join(outDir, `layout-record-${viewport.width}.png`), animations: 'disabled' });
      if (!isPhone(viewport)) {
        // The state of the issue: the filters open beside the form.
        await page.click('#tools summary');
        await assertSaveUsable(page);
        await assertLayoutHolds(assert, page, 'record with the form and the filters open');
      }
      await page.click('#profile-close');
      await page.waitForFunction(() => document.querySelector('#profile').hidden);
      await assertLayoutHolds(assert, page, 'record closed');

      await page.click('#upload-open');
      await page.locator('#upload-dialog[open]').waitFor();
      await assertLayoutHolds(assert, page, 'upload dialog');
      await page.click('#upload-dialog .dialog-cancel');
      assertPageClean(assert, problems);
    });
}

test('the check finds a covered control and one off the screen, and scrolls to a far one',
  { skip: skipReason, timeout: 60000 }, async (t) => {
    const { page } = await newPage(t, SIZES[0]);
    await openMap(page);
    assert.deepEqual(await layoutProblems(page), []);
    await page.evaluate(() => {
      // A box over the search button.
      const button = document.querySelector('#search button');
      const box = button.getBoundingClientRect();
      const cover = document.createElement('div');
      cover.className = 'layout-check-cover';
      Object.assign(cover.style, {
        position: 'fixed', left: `${box.left}px`, top: `${box.top}px`, width: `${box.width}px`,
        height: `${box.height}px`, zIndex: 5000, background: '#fff',
      });
      document.body.append(cover);
      // A button half below the window's edge.
      const low = document.createElement('button');
      low.textContent = 'Zu tief';
      low.className = 'layout-check-low';
      Object.assign(low.style, { position: 'fixed', left: '400px', top: `${innerHeight - 8}px`, zIndex: 5000 });
      document.body.append(low);
      // A short panel whose last button lies far down: scrolling the panel reaches it.
      const status = document.querySelector('#status');
      Object.assign(status.style, { maxHeight: '80px', overflowY: 'auto' });
      const far = document.createElement('button');
      far.textContent = 'Weit unten';
      far.className = 'layout-check-far';
      Object.assign(far.style, { display: 'block', marginTop: '900px' });
      status.append(far);
    });
    const problems = await layoutProblems(page);
    assert.ok(problems.some((p) => p.startsWith('<button> „Suchen“ is covered by <div.layout-check-cover>')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('<button.layout-check-low> „Zu tief“ lies outside the viewport')), problems.join('\n'));
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.equal(await page.locator('#status').evaluate((panel) => panel.scrollTop), 0, 'the panel is scrolled back');
  });

test('panels close by mouse, keyboard and touch; closing a Kommune goes back to the map',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    const { page, problems } = await newPage(t, SIZES[1]);
    await openMap(page, `/kommunen/${ANGERMUENDE}`);
    await page.locator('#profile .profile-title').waitFor({ timeout: 10000 });
    // The Kommune's own close button (profile.js) and Escape both go back to '/'.
    assert.equal(await page.locator('#profile .profile-close').getAttribute('title'), 'Schließen');
    await page.click('#profile .profile-close');
    await page.waitForFunction(() => document.querySelector('#profile').hidden);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.goBack();
    await page.locator('#profile:not([hidden]) .profile-title').waitFor({ timeout: 10000 });
    await page.focus('#profile');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('#profile').hidden);
    assert.equal(new URL(page.url()).pathname, '/');

    // A building's record: the panel's "Schließen", by mouse, by Escape, and by a tap on a phone.
    await signIn(page, EDITOR.name, EDITOR.password);
    await openRecord(page);
    const close = page.locator('#profile-close');
    assert.equal(await close.isVisible(), true, 'the record has a visible close button');
    assert.equal(await close.getAttribute('aria-label'), 'Schließen');
    assert.equal((await close.textContent()).trim(), 'Schließen');
    await close.click();
    await page.waitForFunction(() => document.querySelector('#profile').hidden);
    assert.equal(await close.isVisible(), false, 'no close button without a panel');
    await openRecord(page);
    await page.focus('#profile');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('#profile').hidden);
    // Escape also where the keyboard stands on the close button itself (it sits outside the panel).
    await openRecord(page);
    await close.focus();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('#profile').hidden);
    assertPageClean(assert, problems);
  });

test('on a phone a record is a full-screen view that a tap closes, and the map comes back',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    const { page, problems } = await newPage(t, PHONE, { hasTouch: true });
    await openMap(page);
    await signIn(page, EDITOR.name, EDITOR.password);
    const mapBefore = await page.locator('#map').boundingBox();
    await openRecord(page);
    const panel = await page.locator('#profile').boundingBox();
    assert.ok(panel.width >= PHONE.width - 2, `the record takes the width: ${JSON.stringify(panel)}`);
    assert.equal(await page.locator('#map').isVisible(), false, 'the map waits behind the record');
    await page.locator('#profile-close').tap();
    await page.waitForFunction(() => document.querySelector('#profile').hidden);
    assert.equal(await page.locator('#map').isVisible(), true);
    const mapAfter = await page.locator('#map').boundingBox();
    assert.deepEqual(mapAfter, mapBefore, 'the map is back where it was');
    // Leaflet knows its size again: the zoom buttons are where the map's corner is.
    const zoom = await page.locator('.leaflet-control-zoom').boundingBox();
    assert.ok(zoom.y + zoom.height <= mapAfter.y + mapAfter.height, JSON.stringify({ zoom, mapAfter }));
    assertPageClean(assert, problems);
  });

test('the legend folds: open on a desktop, folded on a phone, kept for the session',
  { skip: skipReason, timeout: 90000 }, async (t) => {
    const { page, problems } = await newPage(t, SIZES[1]);
    await openMap(page);
    const toggle = page.locator('.legend-toggle');
    assert.equal(await toggle.textContent(), 'Legende');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('#map-legend .choropleth-legend').isVisible(), true);
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('#map-legend .choropleth-legend').isVisible(), false);
    assert.equal(await page.locator('#map-legend .legend').isVisible(), false);
    // By keyboard too; and a reload keeps the choice of this session.
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await toggle.click();
    await openMap(page);
    assert.equal(await page.locator('.legend-toggle').getAttribute('aria-expanded'), 'false');
    assertPageClean(assert, problems);

    const phone = await newPage(t, PHONE);
    await openMap(phone.page);
    assert.equal(await phone.page.locator('.legend-toggle').getAttribute('aria-expanded'), 'false');
    assert.equal(await phone.page.locator('#map-legend .legend').isVisible(), false);
    const legend = await phone.page.locator('#map-legend').boundingBox();
    const map = await phone.page.locator('#map').boundingBox();
    assert.ok(legend.width * legend.height < 0.05 * map.width * map.height,
      `the folded legend covers little of the map: ${JSON.stringify({ legend, map })}`);
    await phone.page.click('.legend-toggle');
    assert.equal(await phone.page.locator('#map-legend .legend').isVisible(), true);
    assertPageClean(assert, phone.problems);
  });

test('Kommune names: a tooltip on hover, labels where they fit, never on each other or a control',
  { skip: skipReason, timeout: 90000 }, async (t) => {
    const { page, problems } = await newPage(t, SIZES[1]);
    await openMap(page);
    // The overview of Germany: no labels.
    await page.evaluate(() => window.leerstandMap.setView([51.16, 10.45], 6, { animate: false }));
    await page.waitForTimeout(300);
    assert.equal(await page.locator('.kommune-label').count(), 0, 'no labels at the overview');

    // Over Angermünde: its name as a tooltip under the pointer and as a label.
    const kommune = await (await fetch(`${baseUrl}/collections/kommunen/items/${ANGERMUENDE}`)).json();
    const ring = kommune.geometry.coordinates[0][0];
    const centre = [0, 1].map((i) => ring.reduce((s, p) => s + p[i], 0) / ring.length);
    await page.evaluate(([lon, lat]) => window.leerstandMap.setView([lat, lon], 10, { animate: false }), centre);
    await page.waitForFunction(() => document.querySelectorAll('.kommune-label').length > 0, null, { timeout: 15000 });
    const labels = await page.locator('.kommune-label').allTextContents();
    assert.ok(labels.includes('Angermünde'), labels.join(', '));
    const boxes = await page.locator('.kommune-label').evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().toJSON()));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        assert.ok(apart, `labels ${labels[i]} and ${labels[j]} overlap`);
      }
    }
    // Nor under the map's controls, where they could not be read.
    const controls = await page.locator('.leaflet-control').evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().toJSON()));
    for (const [i, a] of boxes.entries()) {
      for (const b of controls) {
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        assert.ok(apart, `label ${labels[i]} lies under a control`);
      }
    }
    // The pointer over the Kommune (and over its label, which lets the pointer through).
    const mapBox = await page.locator('#map').boundingBox();
    const point = await page.evaluate(([lon, lat]) => window.leerstandMap.latLngToContainerPoint([lat, lon]), centre);
    await page.mouse.move(mapBox.x + point.x, mapBox.y + point.y);
    await page.mouse.move(mapBox.x + point.x + 3, mapBox.y + point.y + 3);
    const tooltip = page.locator('.leaflet-tooltip.kommune-tooltip');
    await tooltip.waitFor({ timeout: 5000 });
    assert.equal(await tooltip.textContent(), 'Angermünde');
    // Off the Kommunen (the sea far north): the tooltip goes.
    await page.evaluate(() => window.leerstandMap.setView([55.5, 6], 10, { animate: false }));
    await page.mouse.move(mapBox.x + mapBox.width / 2, mapBox.y + mapBox.height / 2);
    await tooltip.waitFor({ state: 'detached', timeout: 5000 });
    assertPageClean(assert, problems);
  });
