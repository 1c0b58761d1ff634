// The demo as `scripts/run` shows it to the public (issue 21): a fresh `leerstand demo` (its
// history ending today) served to a visitor without sign-in. The start page shows published
// reports and the Zukunftsorte on the map, nothing private travels, and the founding members'
// figures are numbers, not "unter 3", and each Zukunftsort tells its story with pictures that
// load. Screenshots at desktop and phone size in
// tests/browser/out (demo-start-desktop.png, demo-start-phone.png).
//
// Run from the repository root:   node --test tests/browser/demo.test.mjs
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, binary, launchBrowser, makeTempDir, outDir, runCli, skipReason, startServer,
  stopServer, watchPage,
} from './support.mjs';

const FOUNDING = ['12073008', '12062224', '14521410', '09479'];
// What only staff may read of a report (docs/privacy.md).
const INTERNAL = ['owner_type', 'owner_contact', 'internal_notes', 'author', 'consent_date'];

let dataDir;
let server;
let baseUrl;
let browser;  // one chromium for both viewports, with its own profile in dataDir

async function getJson(target) {
  const response = await fetch(`${baseUrl}${target}`);
  assert.equal(response.status, 200, `GET ${target}`);
  return response.json();
}

before(async () => {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-demo-');
  const db = path.join(dataDir, 'demo.sqlite');
  const demo = await runCli(['demo', '--db', db]);
  assert.equal(demo.code, 0, `leerstand demo: ${demo.stderr}`);
  server = startServer(db);
  baseUrl = await server.url;
});

after(async () => {
  if (browser) await browser.close();
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the public reads published reports, the Zukunftsorte and numbers for every founding member', async () => {
  const vacancies = await getJson('/collections/vacancies/items?limit=1000');
  assert.ok(vacancies.features.length >= 15, `${vacancies.features.length} published reports`);
  const statuses = new Set(vacancies.features.map((f) => f.properties.status));
  assert.ok(statuses.size >= 4, `statuses on the public map: ${[...statuses]}`);
  for (const feature of vacancies.features) {
    assert.equal(feature.properties.consent_publish, true);
    assert.ok(feature.properties.public_description, `report ${feature.id} says what it is`);
    for (const field of INTERNAL) assert.ok(!(field in feature.properties), `${field} of report ${feature.id}`);
  }
  const places = await getJson('/collections/zukunftsorte/items?limit=100');
  assert.ok(places.features.length >= 6 && places.features.length <= 10, `${places.features.length} Zukunftsorte`);
  for (const place of places.features) {
    assert.ok(place.properties.name && place.properties.kind && place.properties.opened, JSON.stringify(place.properties));
  }
  for (const ags of FOUNDING) {
    const summary = await getJson(`/api/kommunen/${ags}/summary`);
    assert.equal(summary.exact, false);
    for (const figure of ['vacancies', 'open_vacancies', 'vacant_buildings', 'vacancy_rate', 'reactivated']) {
      assert.equal(typeof summary[figure], 'number', `${ags} ${figure}: ${JSON.stringify(summary[figure])}`);
    }
    const open = summary.trend.map((month) => month.open);
    assert.ok(open.every((n) => typeof n === 'number'), `${ags} trend ${JSON.stringify(open)}`);
    assert.ok(new Set(open).size >= 3, `${ags}: the trend is a curve, ${JSON.stringify(open)}`);
  }
});

test('each Zukunftsort tells its story with pictures the public can load', async () => {
  const places = await getJson('/collections/zukunftsorte/items?limit=100');
  assert.ok(places.features.length >= 6, `${places.features.length} Zukunftsorte`);
  for (const { id } of places.features) {
    const place = (await getJson(`/collections/zukunftsorte/items/${id}`)).properties;
    const sentences = (place.story ?? '').split(/[.!?](?= |$)/).length - 1;
    assert.ok(sentences >= 3, `${place.name}: a story of ${sentences} sentences: ${place.story}`);
    assert.ok(place.images.length >= 1 && place.images.length <= 2, `${place.name}: ${place.images.length} pictures`);
    for (const image of place.images) {
      for (const size of ['small', 'medium', 'large']) {
        const response = await fetch(`${baseUrl}${image.urls[size]}`);
        assert.equal(response.status, 200, `${place.name}: GET ${image.urls[size]}`);
        assert.equal(response.headers.get('content-type'), 'image/jpeg');
        const bytes = new Uint8Array(await response.arrayBuffer());
        assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], `${image.urls[size]} is a JPEG`);
      }
    }
  }
});

for (const [name, viewport] of [['desktop', { width: 1366, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
  test(`the start page shows reports and Zukunftsorte (${name})`, { skip: skipReason }, async (t) => {
    browser ??= await launchBrowser(path.join(dataDir, 'chromium'));
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.setViewportSize(viewport);
    const problems = watchPage(page);
    await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
    // On a phone the status panel is folded away: attached is enough.
    await page.waitForSelector('#status[data-layers="ready"]', { state: 'attached', timeout: 15000 });
    await page.waitForSelector('body[data-kommunen="ready"]', { state: 'attached', timeout: 15000 });
    const published = (await getJson('/collections/vacancies/items?limit=1000')).features.length;
    const places = (await getJson('/collections/zukunftsorte/items?limit=100')).features.length;
    assert.equal(await page.locator('.vacancy-marker').count(), published);
    assert.equal(await page.locator('.zukunftsort-marker').count(), places);
    // The map opens on the data: some markers of each kind are in view.
    const inView = await page.evaluate(() => {
      const box = document.querySelector('#map').getBoundingClientRect();
      const visible = (selector) => [...document.querySelectorAll(selector)].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom;
      }).length;
      return { vacancies: visible('.vacancy-marker'), places: visible('.zukunftsort-marker') };
    });
    assert.ok(inView.vacancies > 0 && inView.places > 0, JSON.stringify(inView));
    assert.match(await page.locator('#status').textContent(), new RegExp(`${published} Leerstände, ${places} Zukunftsorte`));
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, `demo-start-${name}.png`), animations: 'disabled' });
    assertPageClean(assert, problems);
  });
}
