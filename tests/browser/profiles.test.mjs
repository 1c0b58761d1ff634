// Headless-browser tests of the Kommune pages (issue 21): /kommunen/{ags} and the slug open the
// profile panel with the tab named after the Kommune; the map and the search go to a Kommune's
// address; back and forward walk the pages; an editor of the Kommune changes the profile in
// the web app and sees it after a reload, also its picture; an editor of another Kommune gets
// no edit button.
// Debian's chromium, the real server on a fresh demo database, offline (watchPage).
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  assertPageClean, binary, makeDemoDatabase, makeTempDir, openApp, outDir, runCli, signIn, skipReason,
  startServer, stopServer,
} from './support.mjs';

const ANGERMUENDE = '12073008';
const HERZBERG = '12062224';
const EDITOR = { name: 'redaktion-angermuende', password: 'ein-langes-passwort-a' };
const OTHER_EDITOR = { name: 'redaktion-herzberg', password: 'ein-langes-passwort-h' };
const ADMIN = { name: 'profil-admin', password: 'ein-langes-passwort-x' };
const PROFILE_TEXT = 'Angermünde ist Gründungsmitglied des Netzwerks. Leere Häuser bekommen hier eine Zukunft.\n\n'
  + 'Das Bauamt berät Eigentümer und Initiativen.';

let dataDir;
let server;
let baseUrl;
let adminToken;

async function cli(args, input) {
  const result = await runCli([...args, '--db', path.join(dataDir, 't.sqlite')], { input });
  assert.equal(result.code, 0, `leerstand ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function patchProfile(ags, body) {
  const current = await fetch(`${baseUrl}/api/kommunen/${ags}/profile`);
  const response = await fetch(`${baseUrl}/api/kommunen/${ags}/profile`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': current.headers.get('ETag'),
      Authorization: `Bearer ${adminToken}` },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

before(async () => {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-profiles-');
  // The tests file their own reports and count them.
  await makeDemoDatabase(path.join(dataDir, 't.sqlite'), ['--buildings-only']);
  await cli(['user', 'add', ADMIN.name, '--role', 'admin'], `${ADMIN.password}\n`);
  await cli(['user', 'add', EDITOR.name, '--role', 'editor', '--kommune', ANGERMUENDE], `${EDITOR.password}\n`);
  await cli(['user', 'add', OTHER_EDITOR.name, '--role', 'editor', '--kommune', HERZBERG], `${OTHER_EDITOR.password}\n`);
  adminToken = (await cli(['token', 'create', '--user', ADMIN.name])).trim().split('\n').pop().trim();
  server = startServer(path.join(dataDir, 't.sqlite'));
  baseUrl = await server.url;
  await patchProfile(ANGERMUENDE, {
    text: PROFILE_TEXT, website: 'https://www.angermuende.de', contact: 'Bauamt, Tel. 03331 2600',
    member_since: '2019-05-01', founding_member: true,
  });
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

function openPage(t, target, viewport = { width: 1366, height: 800 }) {
  return openApp(t, `${baseUrl}${target}`, viewport);
}

function waitForProfile(page, name) {
  return page.waitForFunction((n) => {
    const panel = document.querySelector('#profile');
    return !panel.hidden && panel.querySelector('.profile-title')?.textContent === n
      && panel.querySelector('.profile-figures') !== null;
  }, name, { timeout: 15000 });
}

/** Whether the map shows (most of) the Kommune `ags`: its bounds' centre is in view. */
function mapShows(page, ags) {
  return page.waitForFunction(async (code) => {
    const feature = await (await fetch(`/collections/kommunen/items/${code}`)).json();
    const ring = feature.geometry.coordinates[0][0];
    const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
    const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
    const map = window.leerstandMap;
    return map.getZoom() >= 9 && map.getBounds().contains([lat, lon]);
  }, ags, { timeout: 15000 });
}

test('opening /kommunen/12073008 shows Angermünde\'s profile, and the slug the same',
  { skip: skipReason, timeout: 90000 }, async (t) => {
    const { page, problems } = await openPage(t, `/kommunen/${ANGERMUENDE}`);
    await waitForProfile(page, 'Angermünde');
    assert.equal(await page.title(), 'Angermünde – Leerstandsatlas');
    const panel = page.locator('#profile');
    assert.equal(await panel.locator('.profile-membership').textContent(), 'Gründungsmitglied · Mitglied seit 01.05.2019');
    assert.deepEqual(await panel.locator('.profile-text').allTextContents(), [
      'Angermünde ist Gründungsmitglied des Netzwerks. Leere Häuser bekommen hier eine Zukunft.',
      'Das Bauamt berät Eigentümer und Initiativen.']);
    const contacts = Object.fromEntries(await panel.locator('.profile-contacts dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.deepEqual(contacts, { Website: 'www.angermuende.de', Kontakt: 'Bauamt, Tel. 03331 2600' });
    assert.equal(await panel.locator('.profile-contacts a').getAttribute('href'), 'https://www.angermuende.de/');
    assert.ok(await panel.locator('.trend-chart').count() === 1, 'the trend of the figures');
    assert.equal(await panel.locator('.profile-vacancy-count').textContent(), 'Keine veröffentlichten Leerstände.');
    // The public sees no edit button.
    assert.equal(await panel.locator('.profile-edit').count(), 0);
    await mapShows(page, ANGERMUENDE);
    // It fits the screen with its close button.
    const box = await panel.boundingBox();
    assert.ok(box.y + box.height <= 800 && box.x + box.width <= 1366, JSON.stringify(box));
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'kommune-page.png'), animations: 'disabled' });

    await page.goto(`${baseUrl}/kommunen/angermuende`, { waitUntil: 'load' });
    await waitForProfile(page, 'Angermünde');
    assert.equal(await page.title(), 'Angermünde – Leerstandsatlas');
    assertPageClean(assert, problems);
  });

test('Herzberg (Elster)\'s page shows its Zensus 2022 vacancy rate beside the atlas\' figures',
  { skip: skipReason, timeout: 60000 }, async (t) => {
    // The expected figure is the shipped census table's row, read here with awk, not our parser.
    const table = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'baseline', 'zensus',
      'zensus2022_gemeinden_leerstand.csv');
    const row = spawnSync('awk', ['-F,', '$1 == "12062224" { print $NF }', table], { encoding: 'utf8' });
    const percent = row.stdout.trim();
    assert.match(percent, /^\d+\.\d$/, `the census row of Herzberg (Elster): ${row.stderr}`);
    const { page, problems } = await openPage(t, '/kommunen/12062224');
    await waitForProfile(page, 'Herzberg (Elster)');
    const rate = page.locator('#profile .profile-baseline .baseline-rate');
    await rate.waitFor({ timeout: 15000 });
    assert.equal(await rate.textContent(), `Wohnungsleerstand laut Zensus 2022: ${percent.replace('.', ',')}\u00a0%`);
    assert.match(await page.locator('#profile .baseline-source').textContent(), /Zensus 2022.*dl-de\/by-2-0/);
    assertPageClean(assert, problems);
  });

test('an unknown Kommune\'s page says so', { skip: skipReason, timeout: 60000 }, async (t) => {
  const { page, problems } = await openPage(t, '/kommunen/atlantis');
  await page.waitForFunction(() => document.querySelector('#profile .profile-title')?.textContent === 'Kommune nicht gefunden', null, { timeout: 15000 });
  assert.equal(await page.title(), 'Kommune nicht gefunden – Leerstandsatlas');
  assert.equal(await page.locator('#profile .error').textContent(), 'Diese Kommune gibt es im Leerstandsatlas nicht.');
  // The page itself and the profile it asked for are the 404s; nothing else failed.
  assert.deepEqual(problems.badResponses.map((entry) => entry.replace(baseUrl, '')).sort(),
    ['404 /api/kommunen/atlantis/profile', '404 /kommunen/atlantis']);
  problems.badResponses = [];
  problems.consoleErrors = problems.consoleErrors.filter((text) => !text.includes('404'));
  assertPageClean(assert, problems);
});

test('the search and the map go to a Kommune\'s address; back and forward walk them; closing goes home',
  { skip: skipReason, timeout: 90000 }, async (t) => {
    const { page, problems } = await openPage(t, `/kommunen/${ANGERMUENDE}`);
    await waitForProfile(page, 'Angermünde');
    await page.fill('#search-input', 'Herzberg (Elster)');
    await page.press('#search-input', 'Enter');
    await waitForProfile(page, 'Herzberg (Elster)');
    assert.equal(new URL(page.url()).pathname, `/kommunen/${HERZBERG}`);
    assert.equal(await page.title(), 'Herzberg (Elster) – Leerstandsatlas');
    await mapShows(page, HERZBERG);

    // A click on Angermünde on the map.
    await page.evaluate(async (code) => {
      const feature = await (await fetch(`/collections/kommunen/items/${code}`)).json();
      const ring = feature.geometry.coordinates[0][0];
      const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
      const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
      window.leerstandMap.setView([lat, lon], 10, { animate: false });
    }, ANGERMUENDE);
    await page.waitForFunction(() => {
      const tiles = document.querySelectorAll('.kommunen-layer canvas');
      return tiles.length > 0 && [...tiles].every((c) => c.classList.contains('leaflet-tile-loaded'));
    }, null, { timeout: 15000 });
    const centre = await page.evaluate(() => window.leerstandMap.latLngToContainerPoint(window.leerstandMap.getCenter()));
    await page.locator('#map').click({ position: { x: centre.x + 25, y: centre.y + 25 } });
    await waitForProfile(page, 'Angermünde');
    assert.equal(new URL(page.url()).pathname, `/kommunen/${ANGERMUENDE}`);

    await page.goBack();
    await waitForProfile(page, 'Herzberg (Elster)');
    assert.equal(new URL(page.url()).pathname, `/kommunen/${HERZBERG}`);
    await page.goBack();
    await waitForProfile(page, 'Angermünde');
    await page.goForward();
    await waitForProfile(page, 'Herzberg (Elster)');
    assert.equal(await page.title(), 'Herzberg (Elster) – Leerstandsatlas');

    await page.click('#profile .profile-close');
    await page.waitForFunction(() => document.querySelector('#profile').hidden);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.title(), 'Leerstandsatlas');
    await page.goBack();
    await waitForProfile(page, 'Herzberg (Elster)');
    assertPageClean(assert, problems);
  });

test('an editor of the Kommune edits its profile in the web app; the change shows after reload',
  { skip: skipReason, timeout: 90000 }, async (t) => {
    const { page, problems } = await openPage(t, `/kommunen/${ANGERMUENDE}`);
    await waitForProfile(page, 'Angermünde');
    await signIn(page, EDITOR.name, EDITOR.password);
    await page.locator('#profile .profile-edit').click();
    const dialog = page.locator('.profile-dialog');
    await dialog.waitFor();
    // The contact is public: the form says it must be a role, not a person.
    assert.match(await dialog.locator('[data-field="contact"] .field-hint').textContent(), /keine Privatperson/);
    // Editors do not record the membership.
    assert.equal(await dialog.locator('#profile-member_since').count(), 0);
    // The embed snippet, ready to copy.
    assert.equal(await dialog.locator('#profile-embed').inputValue(),
      `<iframe src="${baseUrl}/embed/kommunen/${ANGERMUENDE}" title="Leerstandsatlas: Angermünde" width="100%" height="480" style="border:0" loading="lazy"></iframe>`);
    await dialog.locator('.embed-copy').click();
    await page.waitForFunction(() => document.querySelector('.embed-status')?.textContent !== '');

    // A website without http(s) is refused with a German message next to the field.
    await dialog.locator('#profile-website').fill('www.angermuende.de');
    await dialog.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('[data-field="website"] .field-error')?.textContent !== '');
    assert.equal(await dialog.locator('[data-field="website"] .field-error').textContent(),
      'Bitte eine vollständige Adresse mit http:// oder https:// angeben.');
    problems.badResponses = problems.badResponses.filter((entry) => !entry.startsWith('400 '));
    problems.consoleErrors = problems.consoleErrors.filter((text) => !text.includes('status of 400'));

    await page.screenshot({ path: path.join(outDir, 'kommune-editor.png'), animations: 'disabled' });
    await dialog.locator('#profile-website').fill('https://angermuende.de/leerstand');
    await dialog.locator('#profile-text').fill('Neuer Text der Redaktion.');
    await dialog.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('.profile-dialog') === null);
    await page.waitForFunction(() => document.querySelector('#profile .profile-text')?.textContent === 'Neuer Text der Redaktion.');

    await page.reload({ waitUntil: 'load' });
    await waitForProfile(page, 'Angermünde');
    assert.deepEqual(await page.locator('#profile .profile-text').allTextContents(), ['Neuer Text der Redaktion.']);
    assert.equal(await page.locator('#profile .profile-contacts a').getAttribute('href'), 'https://angermuende.de/leerstand');
    // The server kept the admin's membership.
    assert.equal(await page.locator('#profile .profile-membership').textContent(), 'Gründungsmitglied · Mitglied seit 01.05.2019');
    assertPageClean(assert, problems);
  });

/** A 1200×800 JPEG in a warm brick colour, made with the vips CLI. */
function brickPicture() {
  const black = path.join(dataDir, 'schwarz.v');
  const file = path.join(dataDir, 'fassade.jpg');
  for (const args of [['black', black, '1200', '800', '--bands', '3'],
    ['linear', black, file, '1 1 1', '178 84 52', '--uchar']]) {
    const result = spawnSync('/usr/bin/vips', args);
    assert.equal(result.status, 0, String(result.stderr));
  }
  return file;
}

// Fails if the dialog has no picture field, if Speichern does not send the chosen picture, or
// if the profile does not show it (named after the Kommune) once saved and reloaded.
test('an editor sets the profile\'s picture in the dialog; it shows after reload',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    const { page, problems } = await openPage(t, `/kommunen/${ANGERMUENDE}`);
    await waitForProfile(page, 'Angermünde');
    assert.equal(await page.locator('#profile img.picture').count(), 0, 'no picture yet');
    await signIn(page, EDITOR.name, EDITOR.password);
    await page.locator('#profile .profile-edit').click();
    const dialog = page.locator('.profile-dialog');
    await dialog.waitFor();
    const field = dialog.locator('[data-field="image"]');
    assert.equal(await field.locator('.image-none').textContent(), 'Kein Bild gewählt');
    await field.locator('input[type="file"]').setInputFiles(brickPicture());
    await field.locator('.image-preview img').waitFor({ timeout: 30000 });
    await dialog.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('.profile-dialog') === null);
    // The panel shows the saved profile (its requests done) before the reload.
    await page.locator('#profile img.picture').waitFor({ timeout: 15000 });

    await page.reload({ waitUntil: 'load' });
    await waitForProfile(page, 'Angermünde');
    const picture = page.locator('#profile img.picture');
    await picture.waitFor();
    const profile = await (await fetch(`${baseUrl}/api/kommunen/${ANGERMUENDE}/profile`)).json();
    assert.match(profile.image?.id ?? '', /^[0-9a-f]{32}$/);
    assert.equal(await picture.getAttribute('alt'), 'Angermünde');
    assert.match(await picture.getAttribute('src'), new RegExp(`^/images/${profile.image.id}/\\d+\\.jpg$`));
    // Above the text, and loaded.
    const order = await page.evaluate(() => {
      const image = document.querySelector('#profile img.picture');
      const text = document.querySelector('#profile .profile-text');
      return Boolean(image.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(order, 'the picture comes before the text');
    await picture.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const image = document.querySelector('#profile img.picture');
      return image.complete && image.naturalWidth > 0;
    }, null, { timeout: 15000 });
    await page.locator('#profile').evaluate((panel) => { panel.scrollTop = 0; });
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'kommune-page-picture.png'), animations: 'disabled' });

    // And the editor (still signed in) removes it again.
    await page.locator('#profile .profile-edit').click({ timeout: 10000 });
    await dialog.waitFor();
    await dialog.locator('[data-field="image"] .image-remove').click();
    await dialog.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('.profile-dialog') === null);
    await page.waitForFunction(() => document.querySelector('#profile img.picture') === null);
    assert.equal((await (await fetch(`${baseUrl}/api/kommunen/${ANGERMUENDE}/profile`)).json()).image, null);
    assertPageClean(assert, problems);
  });

test('an editor of another Kommune has no edit button', { skip: skipReason, timeout: 60000 }, async (t) => {
  const { page, problems } = await openPage(t, `/kommunen/${ANGERMUENDE}`);
  await waitForProfile(page, 'Angermünde');
  await signIn(page, OTHER_EDITOR.name, OTHER_EDITOR.password);
  // Their own Kommune has one: the button follows the sign-in.
  await page.fill('#search-input', 'Herzberg (Elster)');
  await page.press('#search-input', 'Enter');
  await waitForProfile(page, 'Herzberg (Elster)');
  await page.locator('#profile .profile-edit').waitFor({ timeout: 10000 });
  await page.goBack();
  await waitForProfile(page, 'Angermünde');
  assert.equal(await page.locator('#profile .profile-edit').count(), 0);
  assertPageClean(assert, problems);
});

test('on a phone the Kommune page fits the screen with its close button', { skip: skipReason, timeout: 60000 }, async (t) => {
  const { page, problems } = await openPage(t, `/kommunen/${ANGERMUENDE}`, { width: 390, height: 844 });
  await waitForProfile(page, 'Angermünde');
  const box = await page.locator('#profile').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, JSON.stringify(box));
  const close = await page.locator('#profile .profile-close').boundingBox();
  assert.ok(close.x + close.width <= 390 && close.y >= 0, JSON.stringify(close));
  await page.screenshot({ path: path.join(outDir, 'kommune-page-phone.png'), animations: 'disabled' });
  await signIn(page, ADMIN.name, ADMIN.password);
  await page.locator('#profile .profile-edit').click();
  await page.locator('.profile-dialog').waitFor();
  assert.equal(await page.locator('#profile-member_since').inputValue(), '2019-05-01');
  await page.screenshot({ path: path.join(outDir, 'kommune-editor-phone.png'), animations: 'disabled' });
  assertPageClean(assert, problems);
});
