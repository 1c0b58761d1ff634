// Headless-browser check of the first slice of the public map (issue 3, "The web app shows
// German labels for them"): published vacancies and Zukunftsorte on the map, German labels in
// the popups and the legend, user text shown as text, and nothing unpublished in the page.
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, binary, createItem, launchBrowser, makeDemoDatabase, makeTempDir, outDir, runCli,
  skipReason, startServer, stopServer, watchPage,
} from './support.mjs';

// Angermünde from `leerstand demo`; its town centre is near lon 14.0, lat 53.017.
const ANGERMUENDE = '12073008';
// Marks everything the public must never see; the test asserts it appears nowhere.
const SECRET = 'GEHEIM';

const PUBLISHED_VACANCY = {
  type: 'Feature',
  geometry: { type: 'Point', coordinates: [14.0005, 53.0167] },
  properties: {
    kommune_ags: ANGERMUENDE,
    status: 'bestaetigt',
    use: 'laden',
    degree: 'vollstaendig',
    vacant_since: '2021-03-01',
    floor_area_m2: 1234.5,
    consent_publish: true,
    public_description: 'Ladenlokal am Markt, <b>bold</b> & hell',
    // Private fields of a published vacancy: the public sees the vacancy but never these.
    owner_type: 'privat',
    owner_contact: `${SECRET}-Kontakt, Tel. 0123`,
    internal_notes: `${SECRET}-Notiz`,
  },
};

const UNPUBLISHED_VACANCY = {
  type: 'Feature',
  geometry: { type: 'Point', coordinates: [14.0015, 53.0172] },
  properties: {
    kommune_ags: ANGERMUENDE,
    status: 'gemeldet',
    use: 'wohnen',
    vacant_since: '2023-07-15',
    consent_publish: false,
    public_description: SECRET,
  },
};

const ZUKUNFTSORT = {
  type: 'Feature',
  geometry: { type: 'Point', coordinates: [13.9985, 53.0175] },
  properties: {
    kommune_ags: ANGERMUENDE,
    name: 'Alte Molkerei',
    kind: 'Coworking',
    description: 'Werkstätten & Büros <i>im</i> Altbau',
    website: 'https://example.org/molkerei',
    opened: '2022-05-01',
  },
};

const STATUS_LABELS_IN_ORDER = ['Gemeldet', 'Bestätigt', 'In Aktivierung', 'Aktiviert', 'Abgerissen',
  'Kein Leerstand'];

/** A fresh demo database (Kommunen and buildings, no reports: the tests count their own) with
 *  an admin; resolves with that admin's API token. */
async function prepareDatabase(dbPath) {
  await makeDemoDatabase(dbPath, ['--buildings-only']);
  const user = await runCli(['user', 'add', 'browser-admin', '--role', 'admin', '--db', dbPath],
    { input: 'ein-langes-passwort\n' });
  assert.equal(user.code, 0, `leerstand user add: ${user.stderr}`);
  const token = await runCli(['token', 'create', '--user', 'browser-admin', '--db', dbPath]);
  assert.equal(token.code, 0, `leerstand token create: ${token.stderr}`);
  const lines = token.stdout.trim().split('\n');
  return lines[lines.length - 1].trim();
}

/** The popup's facts as { term: value } (textContent, so markup would show as tags). */
async function popupFacts(popup) {
  const terms = await popup.locator('dt').allTextContents();
  const values = await popup.locator('dd').allTextContents();
  assert.equal(terms.length, values.length);
  return Object.fromEntries(terms.map((term, i) => [term, values[i]]));
}

test('the public map shows published vacancies and Zukunftsorte with German labels',
  { skip: skipReason, timeout: 90000 }, async (t) => {
    assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
    const dataDir = makeTempDir('leerstand-browser-');
    const profileDir = makeTempDir('leerstand-chromium-');
    const dbPath = path.join(dataDir, 't.sqlite');
    let server = null;
    let context = null;
    t.after(async () => {
      if (context) await context.close();
      if (server) await stopServer(server);
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(profileDir, { recursive: true, force: true });
    });

    const token = await prepareDatabase(dbPath);
    server = startServer(dbPath);
    const baseUrl = await server.url;
    await createItem(baseUrl, token, 'vacancies', PUBLISHED_VACANCY);
    await createItem(baseUrl, token, 'vacancies', UNPUBLISHED_VACANCY);
    await createItem(baseUrl, token, 'zukunftsorte', ZUKUNFTSORT);

    context = await launchBrowser(profileDir);
    const page = context.pages()[0] ?? await context.newPage();
    const problems = watchPage(page);
    // Everything the page received from the API, to prove the secret never reached the browser.
    const apiBodies = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/collections/')) {
        apiBodies.push(response.text().catch((error) => `unreadable: ${error.message}`));
      }
    });

    await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await page.waitForSelector('#status[data-layers="ready"]', { timeout: 15000 });
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 15000 });

    // Exactly the published vacancy is drawn, coloured by its status; and the Zukunftsort.
    const vacancyMarkers = page.locator('#map path.vacancy-marker');
    assert.equal(await vacancyMarkers.count(), 1, 'vacancy markers');
    assert.match(await vacancyMarkers.getAttribute('class'), /\bstatus-bestaetigt\b/);
    const placeMarkers = page.locator('#map .zukunftsort-marker');
    assert.equal(await placeMarkers.count(), 1, 'Zukunftsort markers');
    assert.equal(await placeMarkers.getAttribute('title'), 'Zukunftsort: Alte Molkerei');
    assert.equal(await page.locator('#layer-message').textContent(),
      'Auf der Karte: 1 Leerstand, 1 Zukunftsort.');
    // The map zoomed from the overview of Germany to the data: at zoom 6 the two markers,
    // about 140 m apart, would lie on top of each other.
    const centre = async (locator) => {
      const box = await locator.boundingBox();
      return [box.x + box.width / 2, box.y + box.height / 2];
    };
    const [vx, vy] = await centre(vacancyMarkers);
    const [px, py] = await centre(placeMarkers);
    assert.ok(Math.hypot(vx - px, vy - py) > 30, `markers ${Math.hypot(vx - px, vy - py)} px apart`);

    // The legend names every status in German, in lifecycle order, and the Zukunftsort symbol.
    const legendItems = await page.locator('.legend li').allTextContents();
    assert.deepEqual(legendItems, [...STATUS_LABELS_IN_ORDER, 'Zukunftsort', 'Angebot']);
    assert.equal(await page.locator('.legend h2').textContent(), 'Leerstände');

    // The vacancy popup: German labels, a German date and area, the description as text.
    await vacancyMarkers.click();
    const vacancyPopup = page.locator('.leaflet-popup .popup-vacancy');
    await vacancyPopup.waitFor({ timeout: 5000 });
    assert.equal(await vacancyPopup.locator('h2').textContent(), 'Leerstand');
    assert.deepEqual(await popupFacts(vacancyPopup), {
      Status: 'Bestätigt',
      Nutzung: 'Laden',
      Umfang: 'vollständig',
      'Leer seit': '01.03.2021',
      Fläche: '1.234,5\u00a0m²',
    });
    assert.equal(await vacancyPopup.locator('.popup-text').textContent(),
      'Ladenlokal am Markt, <b>bold</b> & hell');
    assert.equal(await vacancyPopup.locator('b').count(), 0, 'the description must not become markup');
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'vacancies.png'), animations: 'disabled' });

    // The Zukunftsort popup: name, kind, description as text and a safe link.
    await page.locator('.leaflet-popup-close-button').click();
    await vacancyPopup.waitFor({ state: 'detached', timeout: 5000 });
    await placeMarkers.click();
    const placePopup = page.locator('.leaflet-popup .popup-zukunftsort');
    await placePopup.waitFor({ timeout: 5000 });
    assert.equal(await placePopup.locator('h2').textContent(), 'Alte Molkerei');
    assert.equal(await placePopup.locator('.popup-kind').textContent(), 'Coworking');
    assert.equal(await placePopup.locator('.popup-text').textContent(), 'Werkstätten & Büros <i>im</i> Altbau');
    assert.equal(await placePopup.locator('i').count(), 0, 'the description must not become markup');
    assert.equal((await popupFacts(placePopup))['Eröffnet'], '01.05.2022');
    const link = placePopup.locator('a.popup-link');
    assert.equal(await link.getAttribute('href'), 'https://example.org/molkerei');
    assert.equal(await link.getAttribute('rel'), 'noopener');
    assert.equal(await link.textContent(), 'https://example.org/molkerei');
    await page.screenshot({ path: path.join(outDir, 'zukunftsorte.png'), animations: 'disabled' });

    // Nothing unpublished or private reached the page: not in the DOM, not in any API body.
    const pageText = await page.content();
    assert.ok(!pageText.includes(SECRET), `"${SECRET}" in the page`);
    const bodies = await Promise.all(apiBodies);
    assert.ok(bodies.length >= 2, 'the page fetched both collections');
    for (const body of bodies) assert.ok(!body.includes(SECRET), `"${SECRET}" in an API response: ${body}`);

    assertPageClean(assert, problems);

    await context.close();
    context = null;
    assert.equal(await stopServer(server), 0, `server exit status; stderr: ${server.stderr()}`);
    server = null;
  });
