// The network's public face in a real browser: the start page explains itself, names the
// product on phones, shows no schema version, and its footer (covering no map control) opens
// the operator's texts from the site file; the map credits every data source. The embed page,
// framed by a page of another origin, renders the Kommune's public markers and shows exactly
// what the public sees even when the visitor is signed in to the atlas as an editor.
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  assertPageClean, binary, createItem, launchBrowser, makeDemoDatabase, makeTempDir, outDir, runCli,
  skipReason, startServer, stopServer, watchPage,
} from './support.mjs';

const ANGERMUENDE = '12073008';
const SECRET = 'GEHEIM-EMBED';
const EDITOR = { name: 'embed-editor', password: 'ein-langes-passwort' };

// The operator's own texts: seen on the pages, they can only come from this file.
const SITE = {
  operator: 'Testnetz Leerstand e. V.',
  contact: 'Teststraße 9\n99999 Prüfstadt\nkontakt@testnetz.example',
  about: ['Über-Absatz des Testnetzes.', '## Zweite Überschrift', 'Mehr unter https://testnetz.example/mehr.'],
  imprint: ['Impressum-Absatz des Testnetzes <b>ohne HTML</b>.'],
  privacy: ['Datenschutz-Absatz des Testnetzes.'],
  data_license: {
    title: 'ODC-By 1.0', url: 'https://opendatacommons.org/licenses/by/1-0/', attribution: '© Testnetz Leerstand',
  },
};

const point = (lon, lat) => ({ type: 'Point', coordinates: [lon, lat] });
const PUBLISHED = {
  type: 'Feature', geometry: point(14.0005, 53.0167),
  properties: { kommune_ags: ANGERMUENDE, status: 'bestaetigt', use: 'laden', consent_publish: true },
};
const UNPUBLISHED = {
  type: 'Feature', geometry: point(14.0015, 53.0172),
  properties: {
    kommune_ags: ANGERMUENDE, status: 'gemeldet', use: 'wohnen', consent_publish: false,
    public_description: SECRET, internal_notes: SECRET,
  },
};
const PLACE = {
  type: 'Feature', geometry: point(13.9985, 53.0175),
  properties: { kommune_ags: ANGERMUENDE, name: 'Alte Molkerei', kind: 'Coworking' },
};

async function cli(args, input = '') {
  const result = await runCli(args, { input });
  assert.equal(result.code, 0, `leerstand ${args[0]}: ${result.stderr}`);
  return result.stdout;
}

/** A demo database with an admin (whose API token is returned) and an editor of Angermünde. */
async function prepareDatabase(dbPath) {
  await makeDemoDatabase(dbPath, ['--buildings-only']);
  await cli(['user', 'add', 'site-admin', '--role', 'admin', '--db', dbPath], 'ein-langes-passwort\n');
  await cli(['user', 'add', EDITOR.name, '--role', 'editor', '--kommune', ANGERMUENDE, '--db', dbPath],
    `${EDITOR.password}\n`);
  const lines = (await cli(['token', 'create', '--user', 'site-admin', '--db', dbPath])).trim().split('\n');
  return lines[lines.length - 1].trim();
}

/** Starts a server with the test's site file on a demo database with items; cleans up after. */
async function atlas(t) {
  const dataDir = makeTempDir('leerstand-site-');
  const siteFile = path.join(dataDir, 'site.json');
  fs.writeFileSync(siteFile, JSON.stringify(SITE));
  const dbPath = path.join(dataDir, 't.sqlite');
  const token = await prepareDatabase(dbPath);
  const server = startServer(dbPath, ['--site', siteFile]);
  t.after(async () => {
    await stopServer(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const baseUrl = await server.url;
  await createItem(baseUrl, token, 'vacancies', PUBLISHED);
  await createItem(baseUrl, token, 'vacancies', UNPUBLISHED);
  await createItem(baseUrl, token, 'zukunftsorte', PLACE);
  return { baseUrl, server };
}

async function browser(t) {
  const profileDir = makeTempDir('leerstand-chromium-');
  const context = await launchBrowser(profileDir);
  t.after(async () => {
    await context.close();
    fs.rmSync(profileDir, { recursive: true, force: true });
  });
  return context;
}

/** Whether two boxes overlap. */
const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Asserts that the footer is on screen and covers none of the map's controls. */
async function assertFooterFree(page, viewport) {
  const footer = await page.locator('#site-footer').boundingBox();
  assert.ok(footer, 'the footer is shown');
  assert.ok(footer.y >= 0 && footer.y + footer.height <= viewport.height + 0.5, 'the footer is on screen');
  for (const control of await page.locator('.leaflet-control').all()) {
    const box = await control.boundingBox();
    if (!box) continue;
    const name = await control.getAttribute('class');
    assert.ok(!overlaps(footer, box), `the footer covers ${name}: ${JSON.stringify({ footer, box })}`);
  }
}

/** Asserts that the zoom buttons are covered neither by the attribution nor by `others`. */
async function assertZoomFree(scope, others = []) {
  const zoom = await scope.locator('.leaflet-control-zoom').boundingBox();
  assert.ok(zoom, 'the zoom buttons are shown');
  for (const selector of ['.leaflet-control-attribution', ...others]) {
    const box = await scope.locator(selector).boundingBox();
    if (box) assert.ok(!overlaps(zoom, box), `${selector} covers the zoom buttons: ${JSON.stringify({ zoom, box })}`);
  }
}

test('the start page explains itself, names the product on phones and opens the operator\'s texts',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}`);
    const { baseUrl } = await atlas(t);
    const context = await browser(t);
    const page = context.pages()[0] ?? await context.newPage();
    const problems = watchPage(page);
    fs.mkdirSync(outDir, { recursive: true });

    const desktop = { width: 1366, height: 800 };
    await page.setViewportSize(desktop);
    await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await page.waitForSelector('#status[data-layers="ready"]', { timeout: 15000 });
    await page.waitForSelector('#site-footer .data-license:not([hidden])', { timeout: 15000 });

    // Two sentences: what the atlas is, what a Zukunftsort is.
    const intro = await page.locator('#status .intro').allInnerTexts();
    assert.equal(intro.length, 2);
    assert.match(intro[0], /^Der Leerstandsatlas zeigt/);
    assert.match(intro[1], /^Ein Zukunftsort ist/);
    assert.ok(!(await page.locator('body').innerText()).includes('Schema'), 'no schema version');
    assert.ok(await page.locator('.topbar .brand').isVisible());

    // The footer: the three pages and the licence of the network's data.
    const footerLinks = await page.locator('#site-footer a:visible').allInnerTexts();
    assert.deepEqual(footerLinks, ['Über', 'Impressum', 'Datenschutz', 'Datenlizenz: ODC-By 1.0']);
    assert.equal(await page.locator('#site-footer .data-license').getAttribute('href'), SITE.data_license.url);
    // The map credits every source of its data.
    await page.waitForFunction(() => document.querySelector('.leaflet-control-attribution')?.textContent.includes('Testnetz'));
    const attribution = await page.locator('.leaflet-control-attribution').innerText();
    for (const credit of ['© OpenStreetMap-Mitwirkende', '© GeoBasis-DE / BKG (2021)', 'Zensus 2022', '© Testnetz Leerstand'])
      assert.ok(attribution.includes(credit), `attribution names ${credit}: ${attribution}`);
    await assertFooterFree(page, desktop);
    await assertZoomFree(page, ['#tools']);
    await page.screenshot({ path: path.join(outDir, 'start-desktop.png') });

    // Each footer link opens its page with the operator's text, as text.
    const pages = [
      ['Impressum', 'Impressum', 'Impressum-Absatz des Testnetzes <b>ohne HTML</b>.', '/impressum'],
      ['Datenschutz', 'Datenschutz', 'Datenschutz-Absatz des Testnetzes.', '/datenschutz'],
      ['Über', 'Über den Leerstandsatlas', 'Über-Absatz des Testnetzes.', '/ueber'],
    ];
    for (const [linkText, title, text, pathname] of pages) {
      await page.locator('#site-footer a', { hasText: linkText }).first().click();
      await page.waitForSelector('#page:not([hidden]) .page-title');
      assert.equal(await page.locator('#page .page-title').innerText(), title);
      assert.equal(new URL(page.url()).pathname, pathname);
      const paragraphs = await page.locator('#page .page-text').allInnerTexts();
      assert.ok(paragraphs.includes(text), `${pathname} shows ${text}: ${paragraphs}`);
      assert.equal(await page.locator('#page b').count(), 0, 'operator text is never HTML');
      await assertFooterFree(page, desktop);
      // The text lies over the map's panels: the filter box is hidden under a page, or covered.
      const tools = await page.locator('#tools').boundingBox();
      assert.ok(tools === null || await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('#page') !== null,
        { x: tools.x + tools.width / 2, y: tools.y + tools.height / 2 }), 'the filter box shows through the page');
    }
    // Über: the heading markup, the linked address, the operator, every licence.
    assert.deepEqual(await page.locator('#page h2.page-heading').allInnerTexts(),
      ['Zweite Überschrift', 'Betreiber', 'Daten und Lizenzen']);
    assert.equal(await page.locator('#page a[href="https://testnetz.example/mehr"]').count(), 1);
    assert.equal(await page.locator('#page a[href="mailto:kontakt@testnetz.example"]').count(), 1);
    assert.equal(await page.locator('#page .page-licenses li').count(), 4);
    await page.screenshot({ path: path.join(outDir, 'ueber-desktop.png') });

    // A reload of a page's address opens the same view.
    await page.goto(`${baseUrl}/datenschutz`, { waitUntil: 'load' });
    await page.waitForSelector('#page:not([hidden]) .page-text');
    assert.equal(await page.locator('#page .page-title').innerText(), 'Datenschutz');

    // A phone: the product's name in the bar, the sentences, the footer.
    const phone = { width: 390, height: 844 };
    await page.setViewportSize(phone);
    await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await page.waitForSelector('#status[data-layers="ready"]', { state: 'attached', timeout: 15000 });
    await page.waitForSelector('#site-footer .data-license:not([hidden])', { timeout: 15000 });
    const brand = await page.locator('.topbar .brand').boundingBox();
    assert.ok(brand && brand.width > 0 && brand.x >= 0 && brand.x + brand.width <= phone.width, 'name on a phone');
    assert.equal(await page.locator('.topbar .brand').innerText(), 'Leerstandsatlas');
    assert.ok(await page.locator('#status .intro').first().isVisible(), 'the sentences on a phone');
    await assertFooterFree(page, phone);
    await assertZoomFree(page, ['#tools']);
    const [tools, credits] = [await page.locator('#tools').boundingBox(), await page.locator('.leaflet-control-attribution').boundingBox()];
    assert.ok(!overlaps(tools, credits), 'the filter box covers the credits');
    await page.screenshot({ path: path.join(outDir, 'start-phone.png') });
    await page.locator('.intro-close').click();
    assert.ok(!(await page.locator('#status .intro').first().isVisible()), 'the sentences can be put away');

    assertPageClean(assert, problems);
  });

/** A page of another origin that frames the embed page of `ags`. */
function hostPage(atlasUrl, ags) {
  const html = `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Gemeindeblatt</title></head>
<body style="font-family: sans-serif; margin: 20px"><h1>Gemeindeblatt Angermünde</h1>
<p>Unsere Leerstände und Zukunftsorte:</p>
<iframe src="${atlasUrl}/embed/kommunen/${ags}" width="640" height="420" title="Leerstandsatlas"></iframe>
</body></html>`;
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** What the framed embed page shows once ready: title, figures, marker count, profile link. */
async function embedView(page) {
  const frame = page.frameLocator('iframe');
  await frame.locator('body[data-state="ready"]').waitFor({ timeout: 15000 });
  return {
    title: await frame.locator('.embed-title').innerText(),
    figures: await frame.locator('.embed-figures').innerText(),
    vacancies: await frame.locator('.vacancy-marker').count(),
    places: await frame.locator('.zukunftsort-marker').count(),
    outline: await frame.locator('path').count(),
    link: await frame.locator('.embed-profile').getAttribute('href'),
    target: await frame.locator('.embed-profile').getAttribute('target'),
    text: await frame.locator('body').innerText(),
    attribution: await frame.locator('.leaflet-control-attribution').innerText(),
  };
}

test('the embed page, framed by another origin, shows the public view even to a signed-in editor',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    const { baseUrl } = await atlas(t);
    const host = await hostPage(baseUrl, ANGERMUENDE);
    t.after(() => new Promise((resolve) => {
    host.closeAllConnections();
    host.close(resolve);
  }));
    const hostUrl = `http://127.0.0.1:${host.address().port}/`;
    assert.notEqual(new URL(hostUrl).origin, new URL(baseUrl).origin);

    // Anonymous first.
    const anonymousContext = await browser(t);
    const anonymousPage = anonymousContext.pages()[0] ?? await anonymousContext.newPage();
    const anonymousProblems = watchPage(anonymousPage);
    await anonymousPage.setViewportSize({ width: 760, height: 560 });
    await anonymousPage.goto(hostUrl, { waitUntil: 'load' });
    const anonymous = await embedView(anonymousPage);
    assert.equal(anonymous.title, 'Angermünde');
    assert.equal(anonymous.vacancies, 1, 'the published vacancy only');
    assert.equal(anonymous.places, 1);
    assert.ok(anonymous.outline >= 1, 'the Kommune\'s outline');
    assert.equal(anonymous.link, `${baseUrl}/kommunen/${ANGERMUENDE}`);
    assert.equal(anonymous.target, '_blank');
    assert.match(anonymous.figures, /Zukunftsorte/);
    assert.ok(anonymous.attribution.includes('© Testnetz Leerstand'), anonymous.attribution);
    await assertZoomFree(anonymousPage.frameLocator('iframe'), ['.embed-info']);
    await anonymousPage.waitForTimeout(300);
    fs.mkdirSync(outDir, { recursive: true });
    await anonymousPage.screenshot({ path: path.join(outDir, 'embed-in-iframe.png') });
    assertPageClean(assert, anonymousProblems);

    // Signed in on the atlas's own origin as Angermünde's editor, who may read the unpublished
    // report there: the frame still shows the public view.
    const editorContext = await browser(t);
    const editorPage = editorContext.pages()[0] ?? await editorContext.newPage();
    await editorPage.setViewportSize({ width: 760, height: 560 });
    await editorPage.goto(`${baseUrl}/`, { waitUntil: 'load' });
    const seenSignedIn = await editorPage.evaluate(async ({ editor, ags }) => {
      const login = await fetch('/api/login', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(editor),
      });
      // Read to the end: a body left unread is aborted by the next navigation.
      const answer = await login.text();
      if (!login.ok) return `login ${login.status}: ${answer}`;
      const items = await (await fetch(`/collections/vacancies/items?kommune=${ags}`)).json();
      return items.features.length;
    }, { editor: EDITOR, ags: ANGERMUENDE });
    // The session works: with it the editor sees both reports (so a frame that sent it would too).
    assert.equal(seenSignedIn, 2);
    const editorProblems = watchPage(editorPage);
    const embedRequests = [];
    // The data the frame fetches (its own page and files are the same for everyone).
    editorPage.on('request', (request) => {
      if (request.url().startsWith(baseUrl) && request.resourceType() === 'fetch') embedRequests.push(request);
    });
    await editorPage.goto(hostUrl, { waitUntil: 'load' });
    const editor = await embedView(editorPage);
    assert.deepEqual(editor, anonymous);
    assert.ok(!editor.text.includes(SECRET));
    // None of them carried the session cookie.
    assert.ok(embedRequests.length >= 5, `the frame's requests: ${embedRequests.length}`);
    for (const request of embedRequests) {
      const cookie = (await request.allHeaders()).cookie ?? '';
      assert.ok(!cookie.includes('lsa_session'), `${request.url()} sent the session cookie`);
    }
    assertPageClean(assert, editorProblems);
  });
