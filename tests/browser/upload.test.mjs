// The upload that explains itself (issue 22), in a real browser against the real server: an
// editor of Landkreis Bayreuth (09472) chooses the five parts of a shapefile together (not
// zipped), uploads them for "all Gemeinden of my area", and the report names format,
// coordinate system and encoding, the Gemeinden the buildings went to (by name, with the
// counts of the reference CSV computed outside the atlas), and where the others lie.
//
// Run from the repository root:   node --test tests/browser/upload.test.mjs
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, binary, makeTempDir, openPage, outDir, repoRoot, runCli, signIn, skipReason, startServer,
  stopServer,
} from './support.mjs';
import { assertLayoutHolds } from './layout-check.mjs';

const SHARED = path.resolve(repoRoot, '..', 'shared', 'data');
const GEMEINDEN = path.join(SHARED, 'kommunen', 'vg5000_2021', 'VG5000_GEM.shp');
const KREISE = path.join(SHARED, 'kommunen', 'vg5000_2021', 'VG5000_KRS.shp');
const STEM = 'osm_bayreuth_nord_2014_buildings_utm32';
const SHAPEFILE = path.join(SHARED, 'buildings', STEM);
const COUNTS = path.join(SHARED, 'buildings', 'osm_bayreuth_nord_2014_buildings_counts_by_vg5000_gem.csv');
const KREIS = '09472';
const EDITOR = { name: 'redaktion-kreis-bayreuth', password: 'ein-langes-passwort' };
const missing = [GEMEINDEN, KREISE, SHAPEFILE, COUNTS].find((file) => !fs.existsSync(file));
const skip = skipReason ?? (missing ? `shared data not found: ${missing}` : false);
const german = new Intl.NumberFormat('de-DE');

let dataDir;
let server;
let baseUrl;

async function cli(args, input) {
  const result = await runCli([...args, '--db', path.join(dataDir, 't.sqlite')], { input });
  assert.equal(result.code, 0, `leerstand ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The reference CSV: [{ags, name, count}]. */
function referenceCounts() {
  return fs.readFileSync(COUNTS, 'utf8').trim().split('\n').slice(1).map((line) => {
    const [ags, ...rest] = line.split(',');
    const count = Number(rest.pop());
    return { ags, name: rest.join(','), count };
  });
}

function parts(extensions) {
  return extensions.map((extension) => path.join(SHAPEFILE, `${STEM}${extension}`));
}

before(async () => {
  if (skip) return;
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}`);
  dataDir = makeTempDir('leerstand-upload-');
  await cli(['import-kommunen', GEMEINDEN]);
  await cli(['import-kommunen', KREISE]);  // the editor's scope is a Kreis
  await cli(['user', 'add', EDITOR.name, '--role', 'editor', '--kommune', KREIS], `${EDITOR.password}\n`);
  server = startServer(path.join(dataDir, 't.sqlite'));
  baseUrl = await server.url;
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function openUploadDialog(t) {
  const { page, problems } = await openPage(t, `${baseUrl}/`, { width: 1366, height: 800 });
  await page.waitForSelector('body[data-kommunen="ready"]', { timeout: 60000 });
  await signIn(page, EDITOR.name, EDITOR.password);
  await page.locator('#upload-open').waitFor({ timeout: 10000 });
  await page.click('#upload-open');
  return { page, problems };
}

test('a Kreis editor uploads a shapefile as separate files for all its Gemeinden and reads where every building went',
  { skip, timeout: 300000 }, async (t) => {
    const reference = referenceCounts();
    const inKreis = reference.filter((k) => k.ags.startsWith(KREIS));
    const outside = reference.filter((k) => !k.ags.startsWith(KREIS));
    const sum = (list) => list.reduce((total, k) => total + k.count, 0);
    const { page, problems } = await openUploadDialog(t);

    // Offered first and chosen: all Gemeinden of the Kreis, assigned automatically.
    const kommune = page.locator('#upload-kommune');
    assert.equal(await kommune.evaluate((select) => select.selectedOptions[0].textContent),
      'Alle Gemeinden meines Gebiets (automatisch zuordnen)');
    assert.ok(await kommune.evaluate((select, kreis) => [...select.options].slice(1)
      .every((option) => option.value.startsWith(kreis)), KREIS), 'only Gemeinden of the Kreis');
    // The five parts chosen together, not zipped.
    await page.setInputFiles('#upload-file', parts(['.shp', '.shx', '.dbf', '.prj', '.cpg']));
    const chosen = await page.locator('.chosen-file').textContent();
    assert.match(chosen, new RegExp(`^${STEM}: \\.shp, \\.shx, \\.dbf, \\.prj, \\.cpg \\([\\d.]+ KB\\)$`));
    await page.click('.upload-form button[type="submit"]');
    const report = page.locator('.upload-report');
    await report.waitFor({ timeout: 240000 });
    assert.equal(await page.locator('.upload-state').textContent(), 'Import fertig');

    // What the server read.
    const facts = Object.fromEntries(await page.locator('.upload-source').evaluate((list) =>
      [...list.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.equal(facts.Format, 'Shapefile');
    assert.equal(facts.Koordinatensystem, 'EPSG:25832 – ETRS89 / UTM zone 32N (aus der .prj-Datei)');
    assert.match(facts.Zeichenkodierung, /^\S+ \(aus der \.cpg-Datei\)$/);

    // Stored in their Gemeinden, by name, with the reference counts.
    const rows = Object.fromEntries(await report.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent])));
    assert.equal(rows.gespeichert, german.format(sum(inKreis)));
    assert.equal(rows.gespeichert, '2.353');
    assert.equal(rows['– außerhalb Ihres Gebiets'], german.format(sum(outside)));
    const stored = Object.fromEntries(await page.locator('.upload-kommunen tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent])));
    assert.deepEqual(stored, Object.fromEntries(inKreis.map((k) => [`${k.name} (${k.ags})`, german.format(k.count)])));

    // The others: how many, in which Gemeinden (by name), and their extent.
    const places = await page.locator('.upload-outside-places').textContent();
    assert.ok(places.startsWith(`${german.format(sum(outside))} Gebäude liegen außerhalb Ihres Gebiets`), places);
    assert.ok(places.startsWith('1.914 Gebäude'), places);
    for (const k of outside) assert.ok(places.includes(`${k.name} (${german.format(k.count)})`), `${k.name} in: ${places}`);
    for (const name of ['Bayreuth', 'Harsdorf', 'Himmelkron', 'Neudrossenfeld']) assert.ok(places.includes(name), name);
    assert.match(await page.locator('.upload-outside-extent').textContent(),
      /^Ausdehnung dieser Gebäude: 11,\d{3}° bis 11,\d{3}° östl\. Länge, 49,\d{3}° bis 50,\d{3}° nördl\. Breite\.$/);

    // German only: no English word of the server's report on screen.
    const text = await page.locator('.upload-result').textContent();
    assert.doesNotMatch(text, /outside|invalid|stored|rejected|inferred|\bfile\b/);
    assert.equal(await page.locator('.upload-form .form-error').textContent(), '');

    // The README's docs/upload-report.png is this picture, the dialog scrolled to the report.
    await page.locator('.upload-kommunen').scrollIntoViewIfNeeded();
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'upload-report-kreis.png'), animations: 'disabled' });
    for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }, { width: 1366, height: 800 }]) {
      await page.setViewportSize(size);
      await assertLayoutHolds(assert, page, `upload report at ${size.width}x${size.height}`);
    }
    // On a phone the report stays inside the screen: it scrolls, it does not spill sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    const box = await page.locator('#upload-dialog').boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
    const wide = await page.locator('#upload-dialog').evaluate((dialog) => [...dialog.querySelectorAll('*')]
      .filter((node) => node.getBoundingClientRect().right > dialog.getBoundingClientRect().right + 0.5)
      .map((node) => `${node.tagName}.${node.className} ${node.getBoundingClientRect().right} ${node.textContent.slice(0, 40)}`));
    assert.ok(await page.locator('#upload-dialog').evaluate((dialog) => dialog.scrollWidth <= dialog.clientWidth), `no sideways scrolling: ${wide.join(' | ')}`);
    await page.screenshot({ path: path.join(outDir, 'upload-report-kreis-390.png'), animations: 'disabled' });
    await assertLayoutHolds(assert, page, 'upload report at 390x844');
    assertPageClean(assert, problems);
  });

test('a shapefile without its .dbf is refused in German, naming the missing part', { skip, timeout: 120000 }, async (t) => {
  const { page, problems } = await openUploadDialog(t);
  await page.setInputFiles('#upload-file', parts(['.shp', '.shx', '.prj']));
  await page.click('.upload-form button[type="submit"]');
  const error = page.locator('.upload-form .form-error');
  await page.waitForFunction(() => document.querySelector('.upload-form .form-error')?.textContent !== '');
  const text = await error.textContent();
  assert.match(text, /^Hochladen nicht möglich: /);
  assert.match(text, /Zum Shapefile fehlt: \.dbf\./);
  assert.doesNotMatch(text, /lacks|choose|missing|zipped|upload them/i, "none of the server's English detail");
  // The refusal is the one expected HTTP error.
  assert.deepEqual(problems.badResponses.map((entry) => entry.replace(baseUrl, '')), ['400 /api/uploads']);
  problems.badResponses = [];
  problems.consoleErrors = problems.consoleErrors.filter((line) => !/status of 400/.test(line));
  assertPageClean(assert, problems);
});
