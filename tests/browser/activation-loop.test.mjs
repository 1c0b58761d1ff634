// The whole activation loop of issue 23 in one walk, as its people meet it: the Kommune's
// editor offers a consented vacancy; a visitor finds it by filter and sends "Interesse
// melden"; the office's mail arrives at the local SMTP relay (aiosmtpd); the editor answers
// from the inbox and the inquirer gets the answer; an initiative posts a need and confirms it
// by the mailed link; the editor sees the need among the offer's suggestions with its German
// reasons, accepts (the vacancy moves to in_aktivierung) and finishes (aktiviert), and the
// Zukunftsort shows on the public map. The parts are tested in depth in offers, inquiries,
// needs and matches .test.mjs; this test checks that they make one loop.
//
// Run from the repository root:   LEERSTAND_BINARY=build/leerstand node --test tests/browser/activation-loop.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, buildingCentres, createItem, launchBrowser, makeTempDir, outDir, prepareDatabase, signIn,
  skipReason, startServer, startSmtpSink, stopServer, watchPage,
} from './support.mjs';

const ANGERMUENDE = '12073008';
const PASSWORD = 'ein-langes-passwort';
const EDITOR = 'redaktion-angermuende';
const OFFICE = 'wirtschaft@angermuende.example';
const DESKTOP = { width: 1366, height: 800 };

function vacancyStatus(dbPath, id) {
  const result = spawnSync('sqlite3', [dbPath, `SELECT status FROM vacancies WHERE id = ${id}`], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

async function newPage(t, prefix) {
  const profile = makeTempDir(prefix);
  const context = await launchBrowser(profile);
  t.after(async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? await context.newPage();
  await page.setViewportSize(DESKTOP);
  return { page, problems: watchPage(page) };
}

test('the activation loop: offer, inquiry, answer, need, match, Zukunftsort', { skip: skipReason, timeout: 300000 }, async (t) => {
  const dir = makeTempDir('leerstand-loop-');
  const dbPath = path.join(dir, 'atlas.sqlite');
  const token = await prepareDatabase(dbPath, {
    demoArgs: ['--buildings-only'],
    users: [{ name: 'loop-admin', password: PASSWORD, role: 'admin' },
      { name: EDITOR, password: PASSWORD, role: 'editor', kommune: ANGERMUENDE }],
    tokenFor: 'loop-admin',
  });
  const sink = await startSmtpSink(dir);
  const server = startServer(dbPath, ['--smtp-url', sink.url, '--mail-from', 'atlas@leerstand.example']);
  t.after(async () => {
    await stopServer(server);
    sink.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const base = await server.url;

  // A shop in Angermünde whose owner agreed to publish it (entered as staff do every day).
  const [building] = await buildingCentres(base, ANGERMUENDE, 1);
  const shopPoint = [building.lon, building.lat];
  const vacancy = await createItem(base, token, 'vacancies', {
    type: 'Feature', geometry: { type: 'Point', coordinates: shopPoint },
    properties: { status: 'bestaetigt', use: 'laden', consent_publish: true, owner_contact: 'GEHEIM-Eigentümer' },
  });

  // -- 1. The editor offers it from its record ------------------------------------------------
  const { page: staff, problems: staffProblems } = await newPage(t, 'pw-loop-staff-');
  await staff.goto(`${base}/`, { waitUntil: 'load' });
  await staff.waitForSelector('#status[data-state="ready"]', { timeout: 15000 });
  await signIn(staff, EDITOR, PASSWORD);
  await staff.evaluate(([x, y]) => window.leerstandMap.setView([y, x], 16, { animate: false }), shopPoint);
  await staff.locator('path.vacancy-marker').first().click({ force: true });
  await staff.locator('.offer-action a', { hasText: 'Zur Vermittlung anbieten' }).click({ timeout: 15000 });
  await staff.waitForSelector('#page[data-view="angebot-form"]', { timeout: 10000 });
  await staff.fill('#offer-title', 'Ladenlokal am Marktplatz');
  await staff.check('input[name="kinds"][value="miete"]');
  await staff.fill('#offer-floor_area_m2', '120');
  await staff.fill('#offer-contact_role', 'Wirtschaftsförderung Angermünde');
  await staff.fill('#offer-contact_email', OFFICE);
  await staff.click('.offer-form button[type="submit"]');
  await staff.waitForSelector('#page[data-view="angebot"]', { timeout: 10000 });
  const offer = Number(new URL(staff.url()).pathname.split('/').pop());
  assert.ok(offer > 0, staff.url());

  // -- 2. A visitor finds it by filter and sends an inquiry ----------------------------------
  const { page: visitor, problems: visitorProblems } = await newPage(t, 'pw-loop-visitor-');
  await visitor.goto(`${base}/angebote?kind=miete&min_area=100`, { waitUntil: 'load' });
  await visitor.locator('.offer-card .place-card-title a', { hasText: 'Ladenlokal am Marktplatz' }).click({ timeout: 10000 });
  await visitor.waitForSelector('#page[data-view="angebot"]', { timeout: 10000 });
  assert.ok(!(await visitor.locator('#page').textContent()).includes('GEHEIM'), 'no owner data on the exposé');
  const form = visitor.locator('section#anfrage');
  await form.locator('#inquiry-name').fill('Anna Müller');
  await form.locator('#inquiry-email').fill('anna.mueller@example.org');
  await form.locator('#inquiry-intended_use').selectOption('laden');
  await form.locator('#inquiry-common_good').check();
  await form.locator('#inquiry-message').fill('Wir möchten hier ein Café mit Weltladen eröffnen.');
  await form.locator('button[type="submit"]').click();
  await form.locator('.inquiry-confirmation').waitFor({ timeout: 10000 });

  // -- 3. The office's mail arrives; the editor answers from the inbox ------------------------
  const [inquiryMail] = await sink.waitForMails(1);
  assert.deepEqual(inquiryMail.rcpt_tos, [OFFICE]);
  assert.equal(inquiryMail.reply_to, 'anna.mueller@example.org');
  assert.ok(inquiryMail.text.includes('Café mit Weltladen'), inquiryMail.text);
  await staff.goto(`${base}/posteingang`, { waitUntil: 'load' });
  const inquiry = staff.locator('#inbox-list article.inquiry').first();
  await inquiry.waitFor({ timeout: 10000 });
  await inquiry.locator('textarea[name="text"]').fill('Guten Tag Frau Müller, gern zeigen wir Ihnen den Laden.');
  await inquiry.locator('.inquiry-reply button[type="submit"]').click();
  const answer = (await sink.waitForMails(2))[1];
  assert.deepEqual(answer.rcpt_tos, ['anna.mueller@example.org']);
  assert.ok(answer.text.includes('gern zeigen wir Ihnen den Laden'), answer.text);

  // -- 4. An initiative posts a need and confirms it by the mailed link -----------------------
  await visitor.goto(`${base}/gesuche/neu`, { waitUntil: 'load' });
  await visitor.fill('#need-title', 'Weltladen sucht Ladenlokal');
  await visitor.check('input[name="uses"][value="laden"]');
  await visitor.check('input[name="kinds"][value="miete"]');
  await visitor.fill('#need-min_area_m2', '80');
  await visitor.fill('#need-max_area_m2', '150');
  await visitor.selectOption('#need-kommunen', [ANGERMUENDE]);
  await visitor.check('#need-common_good');
  await visitor.fill('#need-contact_name', 'Weltladen-Initiative');
  await visitor.fill('#need-contact_email', 'weltladen@example.org');
  await visitor.click('.need-form button[type="submit"]');
  const confirmation = (await sink.waitForMails(3))[2];
  assert.deepEqual(confirmation.rcpt_tos, ['weltladen@example.org']);
  const link = /https?:\/\/\S+\/gesuche\/bestaetigen\?token=\S+/.exec(confirmation.text)?.[0];
  assert.ok(link, confirmation.text);
  await visitor.goto(link, { waitUntil: 'load' });
  await visitor.click('.need-confirm');
  await visitor.locator('.need-confirm-answer a').waitFor({ timeout: 10000 });

  // -- 5. The editor sees it matched to the offer, with its reasons, and accepts ---------------
  await staff.goto(`${base}/angebote/${offer}`, { waitUntil: 'load' });
  const panel = staff.locator('section#vorschlaege');
  const match = panel.locator('.match', { hasText: 'Weltladen sucht Ladenlokal' });
  await match.waitFor({ timeout: 10000 });
  const reasons = await match.locator('.reason-text').allTextContents();
  // One sentence per component of the score (docs/matching.md), German numbers with their spaces.
  const expected = [/^Nutzung Laden passt$/, /^120\sm² liegt in 80–150\sm²$/, /^Liegt in Angermünde$/, /^Miete passt$/,
    /^sofort verfügbar/];
  assert.equal(reasons.length, expected.length, reasons.join(' | '));
  expected.forEach((pattern, i) => assert.match(reasons[i], pattern));
  await match.scrollIntoViewIfNeeded();
  fs.mkdirSync(outDir, { recursive: true });
  await staff.screenshot({ path: path.join(outDir, 'loop-match.png'), animations: 'disabled' });
  await match.locator('button.match-accept').click();
  await staff.locator('dialog.match-dialog button[type="submit"]').click();
  await match.locator('.badge-angenommen').waitFor({ timeout: 10000 });
  assert.equal(vacancyStatus(dbPath, vacancy.id), 'in_aktivierung');

  // -- 6. Finished: the vacancy is aktiviert and the Zukunftsort is on the public map ----------
  // (The finish is walked here only; matches.test.mjs walks contact and accept in depth.)
  await match.locator('button.match-finish').click();
  const dialog = staff.locator('dialog.match-dialog');
  await dialog.locator('input[name="name"]').waitFor();
  assert.equal(await dialog.locator('input[name="name"]').inputValue(), 'Ladenlokal am Marktplatz',
    'the Zukunftsort is prefilled from the offer');
  await dialog.locator('input[name="name"]').fill('Weltladen am Markt');
  await dialog.locator('input[name="kind"]').fill('Weltladen');
  await staff.screenshot({ path: path.join(outDir, 'loop-match-finish.png'), animations: 'disabled' });
  await dialog.locator('button[type="submit"]').click();
  await staff.waitForFunction(() => !document.querySelector('dialog.match-dialog[open]'), null, { timeout: 10000 });
  // The need is vermittelt now: it leaves the offer's suggestions.
  await panel.locator('.match', { hasText: 'Weltladen sucht Ladenlokal' }).waitFor({ state: 'detached', timeout: 10000 });
  assert.equal(vacancyStatus(dbPath, vacancy.id), 'aktiviert');
  const places = await (await fetch(`${base}/collections/zukunftsorte/items?limit=1000`)).json();
  assert.ok(places.features.some((f) => f.properties.name === 'Weltladen am Markt'), 'the Zukunftsort is public');
  await visitor.goto(`${base}/`, { waitUntil: 'load' });
  await visitor.locator('.zukunftsort-marker[title="Zukunftsort: Weltladen am Markt"]').waitFor({ timeout: 15000 });

  assertPageClean(assert, staffProblems);
  assertPageClean(assert, visitorProblems);
});
