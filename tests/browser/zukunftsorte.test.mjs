// Zukunftsorte as stories in the web app (issue 21): an editor creates a place with a story by
// a click on the map, it appears in the list (the "Inspirationsreise") and on its own page;
// the list filters by kind and Kommune in its address; a visitor opens a place's page
// directly; an editor of another Kommune cannot change it; the vacancy it came from shows only
// when published, and only its public fields.
//
// Run from the repository root:   node --test tests/browser/zukunftsorte.test.mjs
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, launchBrowser, makeJpeg, makeTempDir, outDir, prepareDatabase, signIn, skipReason, startServer,
  stopServer, watchPage,
} from './support.mjs';

const ANGERMUENDE = '12073008';
const HERZBERG = '12062224';
const PASSWORD = 'ein-langes-passwort';
const SECRET = 'GEHEIM';
// In Angermünde's town centre (the demo's buildings are there).
const HOME_POINT = [14.0005, 53.0167];


async function post(base, token, collection, feature) {
  const response = await fetch(`${base}/collections/${collection}/items`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/geo+json' },
    body: JSON.stringify(feature),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return response.json();
}

/** The middle of a building of Kommune `ags` (its first ring's vertex average). */
async function buildingPoint(base, ags) {
  const page = await (await fetch(`${base}/collections/buildings/items?kommune=${ags}&limit=1`)).json();
  const geometry = page.features[0].geometry;
  const ring = geometry.type === 'Polygon' ? geometry.coordinates[0] : geometry.coordinates[0][0];
  const corners = ring.slice(0, -1);
  return [0, 1].map((axis) => corners.reduce((sum, c) => sum + c[axis], 0) / corners.length);
}

const point = (coordinates, properties) => ({ type: 'Feature', geometry: { type: 'Point', coordinates }, properties });

/**
 * `problems` without the answers `expected(entry)` accepts (each "STATUS URL") and the console
 * line the browser writes for each of them.
 */
function cleanOf(problems, expected) {
  const accepted = problems.badResponses.filter(expected);
  const consoleErrors = [...problems.consoleErrors];
  for (const entry of accepted) {
    const line = consoleErrors.findIndex((text) =>
      text.startsWith(`Failed to load resource: the server responded with a status of ${entry.split(' ')[0]} `));
    if (line !== -1) consoleErrors.splice(line, 1);
  }
  return { ...problems, consoleErrors, badResponses: problems.badResponses.filter((r) => !accepted.includes(r)) };
}

async function shoot(page, name, viewport) {
  await page.setViewportSize(viewport);
  await page.waitForTimeout(300);
  fs.mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, name), animations: 'disabled', fullPage: false });
}

test('Zukunftsorte: an editor tells a story, the list and the page show it, others only read',
  { skip: skipReason, timeout: 180000 }, async (t) => {
    const dir = makeTempDir('leerstand-zukunftsorte-');
    const dbPath = path.join(dir, 'atlas.sqlite');
    // A demo database with an admin (whose API token is used) and an editor per Kommune.
    const token = await prepareDatabase(dbPath, {
      demoArgs: ['--buildings-only'],
      users: [{ name: 'zo-admin', password: PASSWORD, role: 'admin' },
        { name: 'redaktion-angermuende', password: PASSWORD, role: 'editor', kommune: ANGERMUENDE },
        { name: 'redaktion-herzberg', password: PASSWORD, role: 'editor', kommune: HERZBERG }],
      tokenFor: 'zo-admin',
    });
    const server = startServer(dbPath);
    t.after(async () => {
      await stopServer(server);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const base = await server.url;

    // Before: a published vacancy that became active, and a hidden one, both in Angermünde.
    const published = await post(base, token, 'vacancies', point([14.0011, 53.0169], {
      status: 'aktiviert', use: 'laden', vacant_since: '2016-04-01', consent_publish: true,
      public_description: 'Leeres Ladenlokal am Markt', owner_contact: `${SECRET}-Kontakt`,
      internal_notes: `${SECRET}-Notiz`,
    }));
    const hidden = await post(base, token, 'vacancies', point([14.0019, 53.0171], {
      status: 'aktiviert', use: 'gewerbe', vacant_since: '1987-01-01', public_description: `${SECRET}-Beschreibung`,
    }));
    // Another Kommune's place, and one that grew out of the hidden vacancy.
    const scheune = await post(base, token, 'zukunftsorte', point(await buildingPoint(base, HERZBERG), {
      name: 'Kulturscheune Herzberg', kind: 'Kultur', description: 'Theater und Konzerte in der Scheune.',
    }));
    const werkhof = await post(base, token, 'zukunftsorte', point([14.0019, 53.0171], {
      name: 'Werkhof', kind: 'Werkstatt', vacancy_id: hidden.id, story: 'Aus der Halle wurde ein Werkhof.',
    }));

    const profile = makeTempDir('pw-zukunftsorte-');
    const context = await launchBrowser(profile);
    t.after(async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    });
    const page = context.pages()[0] ?? await context.newPage();
    const problems = watchPage(page);
    await page.setViewportSize({ width: 1366, height: 800 });

    // -- An editor of Angermünde creates a Zukunftsort with a story -----------------------------
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 15000 });
    await signIn(page, 'redaktion-angermuende', PASSWORD);
    // The map links to the list (in the legend).
    await page.click('.legend-link');
    await page.waitForSelector('#page[data-view="zukunftsorte-list"]', { timeout: 10000 });
    assert.equal(new URL(page.url()).pathname, '/zukunftsorte');
    await page.click('.create-place');
    await page.waitForSelector('.pick-hint');
    assert.equal(await page.locator('#page').isHidden(), true, 'the map is shown to click on');
    const [lon, lat] = HOME_POINT;
    await page.evaluate(([x, y]) => window.leerstandMap.setView([y, x], 17, { animate: false }), HOME_POINT);
    const spot = await page.evaluate(([x, y]) => {
      const p = window.leerstandMap.latLngToContainerPoint([y, x]);
      const r = window.leerstandMap.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, [lon, lat]);
    await page.mouse.click(spot.x, spot.y);
    await page.waitForSelector('#page[data-view="zukunftsort-editor"]', { timeout: 10000 });
    assert.equal(await page.locator('#place-kommune_ags').inputValue(), ANGERMUENDE);
    // Kind is free text with suggestions.
    const suggestions = await page.locator('#place-kind-suggestions option').evaluateAll((o) => o.map((x) => x.value));
    for (const kind of ['Coworking', 'Café', 'Werkstatt', 'Kultur', 'Wohnen', 'Jugend', 'Laden', 'Bildung', 'Soziales'])
      assert.ok(suggestions.includes(kind), kind);
    // The vacancies offered are those that may become this place: not the one already linked.
    const offered = await page.locator('#place-vacancy_id option').evaluateAll((o) => o.map((x) => x.value));
    assert.ok(offered.includes(String(published.id)), `offered: ${offered}`);
    assert.ok(!offered.includes(String(hidden.id)), 'a linked vacancy is not offered again');

    // A story over its bound is refused with a German message next to it; nothing is stored.
    await page.fill('#place-name', 'Café am Markt');
    await page.fill('#place-kind', 'Café');
    await page.evaluate(() => {
      const story = document.getElementById('place-story');
      story.removeAttribute('maxlength');
      story.value = 'x'.repeat(20001);
    });
    await page.click('.place-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('[data-field="story"] .field-error')?.textContent !== '');
    assert.equal(await page.locator('[data-field="story"] .field-error').textContent(),
      'Zu lang: höchstens 20.000 Zeichen.');

    const story = 'Zwölf Jahre stand der Laden leer.\n\nHeute gibt es hier Kuchen, Kaffee und Gespräche.';
    await page.fill('#place-story', story);
    await page.fill('#place-description', 'Kaffee & Kuchen <b>am</b> Markt');
    await page.fill('#place-opened', '2024-05-04');
    await page.fill('#place-website', 'https://example.org/cafe');
    await page.selectOption('#place-vacancy_id', String(published.id));
    // A picture, uploaded in the form: it becomes the place's first image.
    await page.setInputFiles('.place-images input[type="file"]', makeJpeg(dir));
    await page.waitForSelector('.place-images .image-preview img', { timeout: 15000 });
    await shoot(page, 'zukunftsort-editor-desktop.png', { width: 1366, height: 800 });
    await page.click('.place-form button[type="submit"]');
    await page.waitForSelector('#page[data-view="zukunftsort"]', { timeout: 10000 });
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    assert.ok(Number.isInteger(id) && id > 0, page.url());
    assert.equal(await page.locator('.page-title').textContent(), 'Café am Markt');
    assert.equal(await page.title(), 'Café am Markt – Leerstandsatlas');
    assert.deepEqual(await page.locator('.place-story p').allTextContents(),
      ['Zwölf Jahre stand der Laden leer.', 'Heute gibt es hier Kuchen, Kaffee und Gespräche.']);
    assert.equal(await page.locator('.place-description').textContent(), 'Kaffee & Kuchen <b>am</b> Markt');
    // Before and after: the published vacancy's public fields.
    const before = await page.locator('.place-before').textContent();
    assert.match(before, /Leeres Ladenlokal am Markt/);
    assert.match(before, /2016/);
    assert.match(before, /Laden/);
    assert.equal(await page.locator('.place-facts a.kommune-link').getAttribute('href'), `/kommunen/${ANGERMUENDE}`);
    assert.equal(await page.locator('.place-actions button', { hasText: 'Bearbeiten' }).count(), 1);
    await page.locator('.place-map.leaflet-container .zukunftsort-marker').waitFor({ timeout: 10000 });
    const picture = page.locator('.place-pictures img');
    assert.equal(await picture.count(), 1);
    assert.match(await picture.getAttribute('src'), /^\/images\/[0-9a-f]{32}\/(800|1600)\.jpg$/);
    assert.equal(await picture.getAttribute('alt'), 'Café am Markt');
    await picture.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('.place-pictures img').naturalWidth > 0);
    await shoot(page, 'zukunftsort-page-desktop.png', { width: 1366, height: 800 });
    await shoot(page, 'zukunftsort-page-phone.png', { width: 390, height: 844 });
    await page.setViewportSize({ width: 1366, height: 800 });

    // Editing: a new kind, saved with the current version.
    await page.click('.place-actions button:has-text("Bearbeiten")');
    await page.waitForSelector('#page[data-view="zukunftsort-editor"]');
    await page.fill('#place-kind', 'Gastronomie');
    await page.click('.place-form button[type="submit"]');
    await page.waitForSelector('#page[data-view="zukunftsort"] .place-kind');
    assert.equal(await page.locator('#page .place-kind').first().textContent(), 'Gastronomie');

    // -- The list, filtered by kind and Kommune in its address ---------------------------------
    await page.click('.back-link');
    await page.waitForSelector('#page[data-view="zukunftsorte-list"]');
    const names = () => page.locator('.place-card-title').allTextContents();
    assert.deepEqual((await names()).sort(), ['Café am Markt', 'Kulturscheune Herzberg', 'Werkhof']);
    await page.selectOption('.list-filters select[name="kind"]', 'Gastronomie');
    await page.waitForFunction(() => document.querySelectorAll('.place-card').length === 1);
    assert.deepEqual(await names(), ['Café am Markt']);
    assert.equal(await page.locator('.place-card .place-card-picture img').count(), 1, 'the card shows its picture');
    assert.equal(new URL(page.url()).search, '?kind=Gastronomie');
    await page.selectOption('.list-filters select[name="kind"]', '');
    await page.selectOption('.list-filters select[name="kommune"]', HERZBERG);
    await page.waitForFunction(() => document.querySelectorAll('.place-card').length === 1);
    assert.deepEqual(await names(), ['Kulturscheune Herzberg']);
    assert.equal(new URL(page.url()).search, `?kommune=${HERZBERG}`);
    // A shared filtered address opens the same list.
    await page.goto(`${base}/zukunftsorte?kind=werkstatt&kommune=${ANGERMUENDE}`, { waitUntil: 'load' });
    await page.waitForSelector('#page[data-view="zukunftsorte-list"]', { timeout: 10000 });
    assert.deepEqual(await names(), ['Werkhof']);
    await page.goto(`${base}/zukunftsorte`, { waitUntil: 'load' });
    await page.waitForSelector('#page[data-view="zukunftsorte-list"]', { timeout: 10000 });
    await shoot(page, 'zukunftsorte-list-desktop.png', { width: 1366, height: 800 });
    await shoot(page, 'zukunftsorte-list-phone.png', { width: 390, height: 844 });
    // The one refusal: the story over its bound.
    assertPageClean(assert, cleanOf(problems, (r) => r === `400 ${base}/collections/zukunftsorte/items`));

    // -- A visitor opens a place's page directly -----------------------------------------------
    // Without the session cookie: whoever opens the link.
    await context.clearCookies();
    const visit = await context.newPage();
    const visitProblems = watchPage(visit);
    await visit.setViewportSize({ width: 1366, height: 800 });
    await visit.goto(`${base}/zukunftsorte/${id}`, { waitUntil: 'load' });
    await visit.waitForSelector('#page[data-view="zukunftsort"]', { timeout: 10000 });
    assert.equal(await visit.locator('.page-title').textContent(), 'Café am Markt');
    assert.equal(await visit.locator('.place-story p').count(), 2);
    assert.equal(await visit.locator('.place-actions').count(), 0, 'visitors do not edit');
    // The place that came from a hidden vacancy: no "Vorher", nothing of it in the page.
    await visit.goto(`${base}/zukunftsorte/${werkhof.id}`, { waitUntil: 'load' });
    await visit.waitForSelector('#page[data-view="zukunftsort"]', { timeout: 10000 });
    assert.equal(await visit.locator('.place-before').count(), 0);
    assert.ok(!(await visit.content()).includes(SECRET));
    assert.ok(!(await visit.locator('#page').textContent()).includes('1987'));
    // An unknown place.
    await visit.goto(`${base}/zukunftsorte/987654`, { waitUntil: 'load' });
    await visit.waitForSelector('#page[data-view="zukunftsort-missing"]', { timeout: 10000 });
    assert.equal(await visit.title(), 'Zukunftsort nicht gefunden – Leerstandsatlas');
    assertPageClean(assert, cleanOf(visitProblems, (r) => /\/987654$/.test(r)));
    // The link's preview shows the first picture.
    const head = await (await fetch(`${base}/zukunftsorte/${id}`)).text();
    assert.match(head, /<meta property="og:image" content="http:\/\/127\.0\.0\.1:\d+\/images\/[0-9a-f]{32}\/800\.jpg">/);
    await visit.close();

    // -- An editor of another Kommune reads but cannot change it -------------------------------
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.locator('#sign-in-open').waitFor({ timeout: 10000 });
    await signIn(page, 'redaktion-herzberg', PASSWORD);
    await page.goto(`${base}/zukunftsorte/${id}`, { waitUntil: 'load' });
    await page.waitForSelector('#page[data-view="zukunftsort"]', { timeout: 10000 });
    assert.equal(await page.locator('.place-actions').count(), 0);
    const refused = await page.evaluate(async (target) => {
      const item = await fetch(target);
      const response = await fetch(target, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': item.headers.get('ETag') },
        body: JSON.stringify({ properties: { name: 'Übernommen' } }),
      });
      return { status: response.status, code: (await response.json()).code };
    }, `/collections/zukunftsorte/items/${id}`);
    assert.deepEqual(refused, { status: 403, code: 'forbidden' });
    // Its own place it may change, and delete after saying so.
    await page.goto(`${base}/zukunftsorte/${scheune.id}`, { waitUntil: 'load' });
    await page.waitForSelector('#page[data-view="zukunftsort"]', { timeout: 10000 });
    assert.equal(await page.locator('.place-actions button', { hasText: 'Bearbeiten' }).count(), 1);
    const questions = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      dialog.accept();
    });
    await page.click('.place-actions button:has-text("Löschen")');
    await page.waitForSelector('#page[data-view="zukunftsorte-list"]', { timeout: 10000 });
    assert.deepEqual(questions, ['„Kulturscheune Herzberg“ wirklich löschen?']);
    assert.deepEqual((await names()).sort(), ['Café am Markt', 'Werkhof']);
    assert.equal((await fetch(`${base}/collections/zukunftsorte/items/${scheune.id}`)).status, 404);
  });
