// Offers in the web app (issue 23, part "offers"): an editor offers a consented vacancy from
// its record ("Zur Vermittlung anbieten"); a visitor finds the offer on /angebote by its
// filters, which stay in the address through a reload; the exposé shows the facts and the
// Kommune's contact, and prints as one A4 page; desktop and phone layouts hold.
//
// Run from the repository root:   node --test tests/browser/offers.test.mjs
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, buildingCentres, createItem, launchBrowser, makeJpeg, makeTempDir, outDir, prepareDatabase,
  signIn, skipReason, startServer, stopServer, watchPage,
} from './support.mjs';
import { assertLayoutHolds } from './layout-check.mjs';

const ANGERMUENDE = '12073008';
const HERZBERG = '12062224';
const PASSWORD = 'ein-langes-passwort';
const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 390, height: 844 };


const point = (coordinates, properties) => ({ type: 'Feature', geometry: { type: 'Point', coordinates }, properties });

async function shoot(page, name, viewport) {
  await page.setViewportSize(viewport);
  await page.waitForTimeout(300);
  fs.mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, name), animations: 'disabled' });
}

/** The pages of a PDF, counted by their page objects. */
function pdfPageCount(pdf) {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

test('Offers: an editor offers a vacancy, a visitor finds it by filter and prints the exposé',
  { skip: skipReason, timeout: 240000 }, async (t) => {
    const dir = makeTempDir('leerstand-offers-');
    const dbPath = path.join(dir, 'atlas.sqlite');
    // A demo database (buildings only) with an admin, whose API token is used, and an editor.
    const token = await prepareDatabase(dbPath, {
      demoArgs: ['--buildings-only'],
      users: [{ name: 'angebote-admin', password: PASSWORD, role: 'admin' },
        { name: 'redaktion-angermuende', password: PASSWORD, role: 'editor', kommune: ANGERMUENDE }],
      tokenFor: 'angebote-admin',
    });
    const server = startServer(dbPath);
    t.after(async () => {
      await stopServer(server);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const base = await server.url;

    // A consented shop in Angermünde (to be offered in the browser), and a hall in Herzberg
    // offered for sale already: the filters must tell them apart.
    const [shopBuilding] = await buildingCentres(base, ANGERMUENDE, 1);
    const shopPoint = [shopBuilding.lon, shopBuilding.lat];
    await createItem(base, token, 'vacancies', point(shopPoint, {
      status: 'bestaetigt', use: 'laden', consent_publish: true, owner_contact: 'GEHEIM-Eigentümer',
    }));
    const [hallBuilding] = await buildingCentres(base, HERZBERG, 1);
    const hall = await createItem(base, token, 'vacancies', point([hallBuilding.lon, hallBuilding.lat], {
      status: 'gemeldet', use: 'gewerbe', consent_publish: true,
    }));
    await createItem(base, token, 'angebote', {
      type: 'Feature', geometry: null, properties: {
        vacancy_id: hall.id, title: 'Halle an der Elster', kinds: ['kauf'], floor_area_m2: 900,
        contact_role: 'Stadtverwaltung Herzberg',
      },
    });

    const profile = makeTempDir('pw-offers-');
    const context = await launchBrowser(profile);
    t.after(async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    });
    const page = context.pages()[0] ?? await context.newPage();
    await page.setViewportSize(DESKTOP);

    // -- The editor offers the shop from its record -------------------------------------------
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 15000 });
    await signIn(page, 'redaktion-angermuende', PASSWORD);
    await page.evaluate(([x, y]) => window.leerstandMap.setView([y, x], 16, { animate: false }), shopPoint);
    await page.locator('path.vacancy-marker').first().click({ force: true });
    const offerButton = page.locator('.offer-action a', { hasText: 'Zur Vermittlung anbieten' });
    await offerButton.waitFor({ timeout: 15000 });
    await offerButton.click();
    await page.waitForSelector('#page[data-view="angebot-form"]', { timeout: 10000 });
    assert.equal(new URL(page.url()).pathname, '/angebote/neu');

    // A bad e-mail is refused with a German message next to the field; nothing is stored.
    await page.fill('#offer-title', 'Ladenlokal am Marktplatz');
    await page.check('input[name="kinds"][value="zwischennutzung"]');
    await page.fill('#offer-floor_area_m2', '120');
    await page.fill('#offer-conditions', 'Miete nach Vereinbarung.\nZwischennutzung ab sofort möglich.');
    await page.fill('#offer-available_from', '2027-03-01');
    await page.fill('#offer-contact_role', 'Wirtschaftsförderung Angermünde');
    await page.fill('#offer-contact_email', 'wirtschaft at angermuende');
    await page.fill('#offer-contact_phone', '03331 260 0');
    await page.click('.offer-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('[data-field="contact_email"] .field-error')?.textContent !== '');
    assert.match(await page.locator('[data-field="contact_email"] .field-error').textContent(), /E-Mail-Adresse/);
    const none = await (await fetch(`${base}/collections/angebote/items?kommune=${ANGERMUENDE}`)).json();
    assert.equal(none.numberMatched, 0);

    await page.fill('#offer-contact_email', 'wirtschaft@angermuende.example');
    await page.setInputFiles('.offer-form .place-images input[type="file"]', makeJpeg(dir));
    await page.waitForSelector('.offer-form .place-images .image-preview img', { timeout: 15000 });
    await shoot(page, 'offer-form-desktop.png', DESKTOP);
    await page.click('.offer-form button[type="submit"]');
    await page.waitForSelector('#page[data-view="angebot"]', { timeout: 10000 });
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    assert.ok(Number.isInteger(id) && id > 0, page.url());
    // Staff see the slot of the match suggestions; the exposé can be edited.
    assert.equal(await page.locator('section#vorschlaege').count(), 1);
    assert.equal(await page.locator('.offer-actions a', { hasText: 'Angebot bearbeiten' }).count(), 1);

    // -- A visitor finds it by its filters ----------------------------------------------------
    const visitorProfile = makeTempDir('pw-offers-visitor-');
    const visitorContext = await launchBrowser(visitorProfile);
    t.after(async () => {
      await visitorContext.close();
      fs.rmSync(visitorProfile, { recursive: true, force: true });
    });
    const visitor = visitorContext.pages()[0] ?? await visitorContext.newPage();
    const problems = watchPage(visitor);
    await visitor.setViewportSize(DESKTOP);
    await visitor.goto(`${base}/angebote`, { waitUntil: 'load' });
    await visitor.waitForSelector('#page[data-view="angebote"]', { timeout: 15000 });
    assert.equal(await visitor.locator('.list-count').textContent(), '2 Angebote');
    await visitor.selectOption('select[name="kind"]', 'miete');
    await visitor.fill('input[name="min_area"]', '100');
    await visitor.locator('input[name="min_area"]').dispatchEvent('change');
    await visitor.waitForFunction(() => document.querySelector('.list-count')?.textContent === '1 Angebot');
    assert.deepEqual(await visitor.locator('.offer-card .place-card-title').allTextContents(), ['Ladenlokal am Marktplatz']);
    const address = new URL(visitor.url());
    assert.equal(address.pathname, '/angebote');
    assert.equal(address.searchParams.get('kind'), 'miete');
    assert.equal(address.searchParams.get('min_area'), '100');
    // The filtered list is shareable: a reload shows the same.
    await visitor.reload({ waitUntil: 'load' });
    await visitor.waitForSelector('#page[data-view="angebote"]', { timeout: 15000 });
    assert.equal(await visitor.locator('select[name="kind"]').inputValue(), 'miete');
    assert.equal(await visitor.locator('input[name="min_area"]').inputValue(), '100');
    assert.equal(await visitor.locator('.list-count').textContent(), '1 Angebot');
    // Kommune and use too.
    await visitor.selectOption('select[name="kommune"]', HERZBERG);
    await visitor.waitForFunction(() => document.querySelector('.list-count')?.textContent === '0 Angebote');
    await visitor.selectOption('select[name="kommune"]', ANGERMUENDE);
    await visitor.selectOption('select[name="use"]', 'laden');
    await visitor.waitForFunction(() => document.querySelector('.list-count')?.textContent === '1 Angebot');

    // -- The exposé -----------------------------------------------------------------------------
    await visitor.click('.offer-card .place-card-title a');
    await visitor.waitForSelector('#page[data-view="angebot"]', { timeout: 10000 });
    assert.equal(new URL(visitor.url()).pathname, `/angebote/${id}`);
    assert.equal(await visitor.title(), 'Ladenlokal am Marktplatz – Leerstandsatlas');
    const facts = await visitor.locator('.offer-details').textContent();
    for (const text of ['Angermünde', 'Laden', 'Miete, Zwischennutzung', '120\u00a0m²', '01.03.2027',
      'Zwischennutzung ab sofort möglich.'])
      assert.ok(facts.includes(text), `${text} in ${facts}`);
    const contact = await visitor.locator('.offer-contact').textContent();
    assert.ok(contact.includes('Wirtschaftsförderung Angermünde'), contact);
    assert.equal(await visitor.locator('.offer-contact a[href="mailto:wirtschaft@angermuende.example"]').count(), 1);
    assert.ok(!(await visitor.content()).includes('GEHEIM'), 'nothing of the owner');
    assert.equal(await visitor.locator('section#anfrage').count(), 1, 'the slot of the inquiry form');
    assert.equal(await visitor.locator('section#vorschlaege').count(), 0, 'no staff panel for visitors');
    await visitor.waitForFunction(() => [...document.querySelectorAll('.offer-pictures img')].every((i) => i.complete));
    await shoot(visitor, 'offer-expose.png', DESKTOP);
    await assertLayoutHolds(assert, visitor, 'the exposé', { root: '#page' });
    await shoot(visitor, 'offer-expose-phone.png', PHONE);
    await assertLayoutHolds(assert, visitor, 'the exposé', { root: '#page' });
    await visitor.goto(`${base}/angebote`, { waitUntil: 'load' });
    await visitor.waitForSelector('#page[data-view="angebote"]', { timeout: 15000 });
    await shoot(visitor, 'offer-list-phone.png', PHONE);
    await assertLayoutHolds(assert, visitor, 'the list of offers', { root: '#page' });
    await visitor.goto(`${base}/angebote/${id}`, { waitUntil: 'load' });
    await visitor.waitForSelector('#page[data-view="angebot"]', { timeout: 15000 });

    // -- Printed: one A4 page with the picture, the facts and the contact, no map chrome ------
    await visitor.setViewportSize(DESKTOP);
    await visitor.emulateMedia({ media: 'print' });
    assert.equal(await visitor.locator('#map').isVisible(), false, 'no map in print');
    assert.equal(await visitor.locator('.topbar').isVisible(), false, 'no header in print');
    assert.equal(await visitor.locator('.offer-print').isVisible(), false, 'no buttons in print');
    assert.equal(await visitor.locator('.offer-contact').isVisible(), true);
    assert.equal(await visitor.locator('.offer-pictures img').first().isVisible(), true);
    await visitor.screenshot({ path: path.join(outDir, 'offer-expose-print.png'), fullPage: true });
    await visitor.emulateMedia({ media: 'screen' });
    const pdf = await visitor.pdf({ format: 'A4', printBackground: true });
    fs.writeFileSync(path.join(outDir, 'offer-expose.pdf'), pdf);
    assert.equal(pdfPageCount(pdf), 1, 'the exposé prints on one page');

    assertPageClean(assert, problems);
  });
