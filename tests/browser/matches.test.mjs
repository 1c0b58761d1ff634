// The staff's suggestions in the browser (web/matches.js): an editor of Angermünde sees the
// needs that fit an offer, best first, with the total as a bar and a German sentence per
// reason; writes to a need's author (the local SMTP sink receives the mail) and accepts (the
// finish and its Zukunftsort: activation-loop.test.mjs). Screenshots at 1366×800 and 390×844 go to
// tests/browser/out/ (match.png is the desktop one).
//
// The panel lives on the offer's exposé (/angebote/{id}) and on a need's page (/gesuche/{id}).
// Both tests share one server and database: the first reads the panel on a need's page, the
// second then walks it on the exposé up to the accepted match (which reserves the offer).
//
// Run from the repository root:   LEERSTAND_BINARY=build/leerstand node --test tests/browser/matches.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, binary, createItem, makeTempDir, openApp, outDir, prepareDatabase, signIn,
  skipReason, startServer, startSmtpSink, stopServer,
} from './support.mjs';

const ANGERMUENDE = '12073008';
const EDITOR = { name: 'vermittlung-redaktion', password: 'ein-langes-passwort' };
const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };

function sql(dbPath, statement) {
  const result = spawnSync('sqlite3', [dbPath, statement], { encoding: 'utf8' });
  assert.equal(result.status, 0, `sqlite3: ${result.stderr}`);
  return result.stdout.trim();
}

/** A demo database with an editor of Angermünde, an offer (a shop of 120 m² for rent) on a
 *  vacancy made through the API and three needs, and its server; resolves with the server's
 *  address, the SMTP sink, the ids and `stop()`, which stops server and sink. */
async function prepare() {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  const dataDir = makeTempDir('leerstand-matches-');
  const dbPath = path.join(dataDir, 't.sqlite');
  const token = await prepareDatabase(dbPath, {
    users: [{ ...EDITOR, role: 'editor', kommune: ANGERMUENDE }], tokenFor: EDITOR.name,
  });
  // Only the test's own offers and needs are ranked, whatever demo data the other parts add.
  sql(dbPath, 'DELETE FROM vermittlungen; DELETE FROM nachrichten; DELETE FROM angebote; DELETE FROM gesuche;');

  const sink = await startSmtpSink(dataDir);
  const server = startServer(dbPath, ['--smtp-url', sink.url, '--mail-from', 'atlas@leerstand.example']);
  const stop = async () => {
    await stopServer(server);
    sink.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const baseUrl = await server.url;

  const buildings = await (await fetch(`${baseUrl}/collections/buildings/items?kommune=${ANGERMUENDE}&limit=1`)).json();
  const ring = buildings.features[0].geometry.coordinates[0][0];
  const point = [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
  await createItem(baseUrl, token, 'vacancies', {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: point },
    properties: { status: 'bestaetigt', use: 'laden', consent_publish: true, kommune_ags: ANGERMUENDE },
  });
  const vacancy = Number(sql(dbPath, 'SELECT max(id) FROM vacancies'));
  const now = "'2026-12-01T10:00:00Z'";
  const offer = Number(sql(dbPath, `INSERT INTO angebote (vacancy_id, title, kinds, floor_area_m2, available_from,
      contact_role, contact_email, status, created_at, updated_at) VALUES (${vacancy}, 'Ladenlokal am Markt',
      '["miete"]', 120, '2027-03-01', 'Wirtschaftsförderung', 'wirtschaft@angermuende.example', 'offen', ${now}, ${now});
      SELECT last_insert_rowid();`));
  const need = (title, values) => Number(sql(dbPath, `INSERT INTO gesuche (title, description, uses, kinds,
      min_area_m2, max_area_m2, kommunen, needed_from, common_good, contact_name, contact_email, status, source,
      created_at, updated_at) VALUES ('${title}', ${values.description}, '${values.uses}', '${values.kinds}',
      ${values.min}, ${values.max}, '["${ANGERMUENDE}"]', ${values.needed}, ${values.commonGood}, 'Erika Muster',
      'gesuch@example.org', 'offen', 'formular', ${now}, ${now}); SELECT last_insert_rowid();`));
  // 100 points: laden, 80–150 m², Angermünde, Miete, from 1 March 2027 (common good).
  const weltladen = need('Weltladen Angermünde', {
    description: "'Fairer Handel und ein Treffpunkt am Markt.'", uses: '["laden"]', kinds: '["miete"]',
    min: 80, max: 150, needed: "'2027-03-01'", commonGood: 1,
  });
  // 85: gewerbe is related to laden (15).
  const werkstatt = need('Offene Werkstatt', {
    description: 'NULL', uses: '["gewerbe"]', kinds: '[]', min: 100, max: 200, needed: 'NULL', commonGood: 0,
  });
  // 79: 80 m² too small (5 of 25), 30 days late (9 of 10).
  const grosserLaden = need('Großer Laden', {
    description: 'NULL', uses: '["laden"]', kinds: '["miete","kauf"]', min: 200, max: 300, needed: "'2027-01-30'",
    commonGood: 0,
  });
  return { baseUrl, dbPath, sink, offer, vacancy, needs: [weltladen, werkstatt, grosserLaden], stop };
}

async function shoot(page, name) {
  fs.mkdirSync(outDir, { recursive: true });
  for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(outDir, `${name}-${label}.png`), fullPage: false, animations: 'disabled' });
  }
  await page.setViewportSize(DESKTOP);
}

/** Walks the panel in `section` (a locator): the order, the sentences, contact, accept. */
async function walkThePanel(page, section, { dbPath, sink, offer, vacancy }) {
  await section.locator('.match-list').waitFor({ timeout: 10000 });
  const titles = await section.locator('.match-title').allTextContents();
  assert.deepEqual(titles, ['Weltladen Angermünde', 'Offene Werkstatt', 'Großer Laden'], 'needs in score order');
  const first = section.locator('.match').first();
  assert.equal(await first.locator('.match-score-text').textContent(), '100 von 100 Punkten');
  assert.equal(await first.locator('.badge-common-good').textContent(), 'gemeinwohlorientiert');
  assert.deepEqual(await first.locator('.reason-text').allTextContents(), [
    'Nutzung Laden passt',
    '120\u00a0m² liegt in 80–150\u00a0m²',
    'Liegt in Angermünde',
    'Miete passt',
    'ab 1. März 2027 verfügbar, gesucht ab 1. März 2027',
  ]);
  assert.deepEqual(await section.locator('.match').nth(2).locator('.reason-text').allTextContents(), [
    'Nutzung Laden passt',
    '120\u00a0m² ist kleiner als gesucht (200–300\u00a0m²)',
    'Liegt in Angermünde',
    'Miete passt',  // the kinds both name
    'ab 1. März 2027 verfügbar, gesucht ab 30. Januar 2027 (30 Tage später)',
  ]);
  assert.equal(await page.locator('body').evaluate((b) => b.textContent.includes('gesuch@example.org')), false,
    'the author\'s address is never on the page');
  await shoot(page, 'match');
  fs.copyFileSync(path.join(outDir, 'match-desktop.png'), path.join(outDir, 'match.png'));

  // Kontakt aufnehmen: the message goes to the author by mail.
  await first.locator('button.match-contact').click();
  const dialog = page.locator('dialog.match-dialog');
  await dialog.waitFor();
  await dialog.locator('textarea[name="message"]').fill('Wir hätten ein Ladenlokal für Sie. Besichtigung am Freitag?');
  await shoot(page, 'match-contact');
  await dialog.locator('button[type="submit"]').click();
  await dialog.waitFor({ state: 'detached', timeout: 10000 });
  const mails = await sink.waitForMails(1);
  assert.deepEqual(mails[0].rcpt_tos, ['gesuch@example.org']);
  assert.ok(mails[0].text.includes('Besichtigung am Freitag?'), mails[0].text);
  assert.ok(mails[0].text.includes(`/angebote/${offer}`), mails[0].text);
  await section.locator('.match').first().locator('.badge-kontaktiert').waitFor({ timeout: 10000 });

  // Zusage: the vacancy goes into activation.
  await section.locator('.match').first().locator('button.match-accept').click();
  await dialog.waitFor();
  await dialog.locator('button[type="submit"]').click();
  await section.locator('.match').first().locator('.badge-angenommen').waitFor({ timeout: 10000 });
  assert.equal(sql(dbPath, `SELECT status FROM vacancies WHERE id = ${vacancy}`), 'in_aktivierung');

  // Abschließen (the Zukunftsort, prefilled from the offer) is walked in
  // activation-loop.test.mjs, on the match accepted there.
}

let setup;
before(async () => {
  if (!skipReason) setup = await prepare();
});
after(() => setup?.stop());

// First, while every offer and need is open: the walk below closes them.
test('the need\'s page shows the offers the editor may change, ranked and explained', { skip: skipReason, timeout: 180000 }, async (t) => {
  const { page, problems } = await openApp(t, `${setup.baseUrl}/`, DESKTOP);
  await signIn(page, EDITOR.name, EDITOR.password);
  // The start page's own requests (the Kommunen's names, tiles) first: navigating away while
  // one is in flight aborts it, which the clean-page check below would count as a failure.
  await page.waitForLoadState('networkidle');
  await page.goto(`${setup.baseUrl}/gesuche/${setup.needs[1]}`, { waitUntil: 'load' });
  const needPanel = page.locator('section#vorschlaege');
  await needPanel.locator('.match-list').waitFor({ timeout: 10000 });
  assert.equal(await needPanel.locator('h2').textContent(), 'Passende Angebote');
  assert.deepEqual(await needPanel.locator('.match-title').allTextContents(), ['Ladenlokal am Markt']);
  assert.equal(await needPanel.locator('.match-title').getAttribute('href'), `/angebote/${setup.offer}`);
  assert.equal(await needPanel.locator('.match-score-text').textContent(), '85 von 100 Punkten');
  assert.equal(await needPanel.locator('.reason-text').first().textContent(), 'Laden ist verwandt mit Gewerbe');
  assertPageClean(assert, problems);
});

test('the exposé shows the suggestions to the Kommune\'s editor', { skip: skipReason, timeout: 180000 }, async (t) => {
  const { page } = await openApp(t, `${setup.baseUrl}/`, DESKTOP);
  await signIn(page, EDITOR.name, EDITOR.password);
  await page.goto(`${setup.baseUrl}/angebote/${setup.offer}`, { waitUntil: 'load' });
  const section = page.locator('section#vorschlaege');
  await section.waitFor({ timeout: 10000 });
  await walkThePanel(page, section, setup);
});
