// Headless-browser test of the activation loop's figures (issue 23, part "figures"): a Kommune's
// profile and the network page show offers, inquiries, needs, matches and the buildings
// activated through the atlas in German, small counts as "unter 3", with one small chart per
// series; the layout holds on a desktop and a phone. The offer, inquiries, match and need are
// inserted by SQL (last month, so the public figures of this month include them) into a demo
// database; Debian's chromium, the real server, offline (watchPage).
//
// Run from the repository root:   node --test tests/browser/activation-figures.test.mjs
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  assertPageClean, binary, makeDemoDatabase, makeTempDir, openApp, outDir, skipReason, startServer, stopServer,
} from './support.mjs';
import { assertLayoutHolds } from './layout-check.mjs';

const ANGERMUENDE = '12073008';
// The middle of last month: the last month of the public trend.
const LAST_MONTH = "strftime('%Y-%m-15T12:00:00Z', 'now', 'start of month', '-1 month')";
const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };

let dataDir;
let server;
let baseUrl;

function sql(statements) {
  const result = spawnSync('sqlite3', [path.join(dataDir, 't.sqlite'), statements], { encoding: 'utf8' });
  assert.equal(result.status, 0, `sqlite3: ${result.stderr}`);
  return result.stdout.trim();
}

before(async () => {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-activation-figures-');
  await makeDemoDatabase(path.join(dataDir, 't.sqlite'));
  // One offer on a published open report of Angermünde, four inquiries on it, one accepted
  // match with an open need that names Angermünde.
  const offers = sql(`INSERT INTO angebote (vacancy_id, title, kinds, contact_role, created_at, updated_at)
      SELECT min(id), 'Altes Stellwerk', '["miete"]', 'Bauamt', ${LAST_MONTH}, ${LAST_MONTH} FROM vacancies
      WHERE kommune_ags = '${ANGERMUENDE}' AND consent_publish = 1 AND status IN ('gemeldet', 'bestaetigt');
    SELECT count(*) FROM angebote;`);
  assert.equal(offers, '1', 'the demo has a published open report in Angermünde');
  sql(`INSERT INTO anfragen (angebot_id, intended_use, created_at, updated_at)
      SELECT a.id, 'wohnen', ${LAST_MONTH}, ${LAST_MONTH} FROM angebote a,
        (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4);
    INSERT INTO gesuche (title, kommunen, status, source, created_at, updated_at)
      VALUES ('Werkstatt gesucht', '["${ANGERMUENDE}"]', 'offen', 'redaktion', ${LAST_MONTH}, ${LAST_MONTH});
    INSERT INTO vermittlungen (angebot_id, gesuch_id, status, score, match, accepted_at, created_at, updated_at)
      SELECT (SELECT id FROM angebote), (SELECT id FROM gesuche), 'angenommen', 80, '{}',
        ${LAST_MONTH}, ${LAST_MONTH}, ${LAST_MONTH};`);
  server = startServer(path.join(dataDir, 't.sqlite'));
  baseUrl = await server.url;
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The terms and values of the activation figures in `scope` (a locator). */
function factsIn(scope) {
  return scope.locator('.activation-facts dt').evaluateAll(
    (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
}

for (const viewport of [DESKTOP, PHONE]) {
  test(`a Kommune's profile shows the activation figures at ${viewport.width}×${viewport.height}`,
    { skip: skipReason, timeout: 90000 }, async (t) => {
      const { page, problems } = await openApp(t, `${baseUrl}/kommunen/${ANGERMUENDE}`, viewport);
      const panel = page.locator('#profile');
      await panel.locator('.activation-facts').waitFor({ timeout: 15000 });
      assert.deepEqual(await factsIn(panel), {
        Angebote: '1',
        'Angebote insgesamt': 'unter 3',
        Anfragen: '4',
        Gesuche: '1',
        Vermittlungen: 'unter 3',
        'Aktiviert über den Atlas': '0',
      });
      // One small chart per series, 24 months each; last month has the four inquiries and the
      // single match as a grey "unter 3" bar.
      const series = await panel.locator('.activation-series').evaluateAll((figures) => figures.map((f) => f.dataset.series));
      assert.deepEqual(series, ['offers', 'inquiries', 'needs', 'matches', 'activations']);
      const inquiries = panel.locator('[data-series="inquiries"] rect.activation-bar');
      assert.equal(await inquiries.count(), 24);
      assert.equal(await inquiries.last().getAttribute('data-inquiries'), '4');
      assert.equal(await panel.locator('[data-series="matches"] rect.activation-bar').last().getAttribute('data-matches'), '<3');
      assert.ok(await panel.locator('[data-series="matches"] .activation-bar-suppressed').count() >= 1);
      // The vacancy trend stays the one chart of its kind.
      assert.equal(await panel.locator('.trend-chart').count(), 1);
      await panel.locator('.activation-charts').scrollIntoViewIfNeeded();
      await assertLayoutHolds(assert, page, 'profile with the activation figures');
      fs.mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: path.join(outDir, `activation-profile-${viewport.width}.png`), animations: 'disabled' });
      assertPageClean(assert, problems);
    });

  test(`the network page shows the network's activation figures at ${viewport.width}×${viewport.height}`,
    { skip: skipReason, timeout: 90000 }, async (t) => {
      const { page, problems } = await openApp(t, `${baseUrl}/netzwerk`, viewport);
      const section = page.locator('.network-figures');
      await section.locator('.activation-facts').waitFor({ timeout: 15000 });
      assert.equal(await section.locator('h2').textContent(), 'Vom Leerstand zum Zukunftsort');
      const facts = await factsIn(section);
      assert.equal(facts.Anfragen, '4');
      // Only Angermünde has events: the network shows what Angermünde shows.
      assert.equal(facts.Vermittlungen, 'unter 3');
      assert.equal(facts.Gesuche, '1');
      await section.scrollIntoViewIfNeeded();
      // The page lies over the map: its own controls are what count.
      await assertLayoutHolds(assert, page, 'network page with the activation figures', { root: '#page' });
      fs.mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: path.join(outDir, `activation-network-${viewport.width}.png`), animations: 'disabled', fullPage: true });
      assertPageClean(assert, problems);
    });
}
