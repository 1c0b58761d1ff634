// Headless-browser check of web/images.js against the real `leerstand serve`: the picture field
// uploads a file chosen in its file input, previews the stored picture with all three sizes in
// srcset, removes it again, and tells in German why a file is refused. Screenshots of the field
// on a desktop and a phone go to tests/browser/out/.
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, binary, cleanUpAfter, launchBrowser, makeTempDir, outDir, runCli, skipReason,
  startServer, watchPage,
} from './support.mjs';

const ADMIN = { name: 'bild.admin', password: 'ein-langes-passwort-bild' };

/** A 1200×800 picture made with the vips CLI: a sky-to-meadow gradient. */
function makePicture(dir) {
  const file = path.join(dir, 'wiese.jpg');
  const steps = [
    ['xyz', path.join(dir, 'xy.v'), '1200', '800'],
    ['extract_band', path.join(dir, 'xy.v'), path.join(dir, 'y.v'), '1'],
    ['linear', path.join(dir, 'y.v'), file, '0.1 0.08 0.02', '70 120 190', '--uchar'],
  ];
  for (const args of steps) {
    const result = spawnSync('/usr/bin/vips', args);
    assert.equal(result.status, 0, String(result.stderr));
  }
  return file;
}

test('the picture field uploads, previews, removes and explains refusals in German',
  { skip: skipReason, timeout: 120000 }, async (t) => {
    assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}`);
    const dataDir = makeTempDir('leerstand-images-');
    const profileDir = makeTempDir('leerstand-chromium-');
    const db = path.join(dataDir, 't.sqlite');
    const added = await runCli(['user', 'add', ADMIN.name, '--role', 'admin', '--db', db], { input: `${ADMIN.password}\n` });
    assert.equal(added.code, 0, added.stderr);
    const server = startServer(db);
    let context = null;
    cleanUpAfter(t, { server, browser: () => context, dirs: [dataDir, profileDir] });
    const baseUrl = await server.url;
    const picture = makePicture(dataDir);
    const notAnImage = path.join(dataDir, 'foto.jpg');
    fs.writeFileSync(notAnImage, 'Dies ist Text, kein Foto.\n');

    context = await launchBrowser(profileDir);
    const page = context.pages()[0] ?? await context.newPage();
    const problems = watchPage(page);
    await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 15000 });
    const signedIn = await page.evaluate(async ({ name, password }) => (await fetch('/api/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password }),
    })).status, ADMIN);
    assert.equal(signedIn, 200);

    // The field is not wired into a page yet: mount it in the page view as an editor would.
    await page.evaluate(async () => {
      const { imageField } = await import('/images.js');
      const { showPage } = await import('/page.js');
      window.pictureChanges = [];
      showPage('Profil bearbeiten', imageField({
        label: 'Bild der Kommune', value: null, onChange: (id) => window.pictureChanges.push(id),
      }));
    });
    const field = page.locator('.image-field');
    assert.equal(await field.locator('label').textContent(), 'Bild der Kommune');
    assert.equal(await field.locator('input[type="file"]').getAttribute('accept'), 'image/jpeg,image/png,image/webp');
    assert.equal(await field.locator('.image-none').textContent(), 'Kein Bild gewählt');
    assert.equal(await field.locator('.image-remove').isHidden(), true);

    await field.locator('input[type="file"]').setInputFiles(picture);
    await field.locator('.image-preview img').waitFor();
    await page.waitForFunction(() => document.querySelector('.image-preview img')?.complete
      && document.querySelector('.image-preview img').naturalWidth > 0);
    const changes = await page.evaluate(() => window.pictureChanges);
    assert.equal(changes.length, 1);
    assert.match(changes[0], /^[0-9a-f]{32}$/);
    const id = changes[0];
    const img = await field.locator('.image-preview img').evaluate((node) => ({
      srcset: node.getAttribute('srcset'), loading: node.loading, width: node.getAttribute('width'),
      height: node.getAttribute('height'), alt: node.alt,
    }));
    assert.equal(img.srcset, [320, 800, 1600].map((s) => `/images/${id}/${s}.jpg ${s}w`).join(', '));
    assert.equal(img.loading, 'lazy');
    assert.deepEqual([img.width, img.height], ['320', '213']);  // 1200×800 fitted into 320
    assert.equal(img.alt, 'Vorschau des gewählten Bildes');
    assert.equal(await field.locator('.image-state').textContent(), 'Bild hochgeladen.');
    await page.setViewportSize({ width: 1366, height: 800 });
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'image-field.png'), animations: 'disabled' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(outDir, 'image-field-phone.png'), animations: 'disabled' });

    // pictureOf, as a profile page would show the stored picture.
    const shown = await page.evaluate(async (imageId) => {
      const { pictureOf } = await import('/images.js');
      const node = pictureOf(imageId, 'Marktplatz', 800);
      return { src: node.getAttribute('src'), sizes: node.sizes, alt: node.alt, tag: node.tagName };
    }, id);
    assert.deepEqual(shown, { src: `/images/${id}/800.jpg`, sizes: '(max-width: 800px) 100vw, 800px', alt: 'Marktplatz', tag: 'IMG' });

    await field.locator('.image-remove').click();
    assert.deepEqual(await page.evaluate(() => window.pictureChanges), [id, null]);
    assert.equal(await field.locator('.image-none').textContent(), 'Kein Bild gewählt');

    // Text under a .jpg name: the server refuses it by content, the field says why in German.
    await field.locator('input[type="file"]').setInputFiles(notAnImage);
    await page.waitForFunction(() => document.querySelector('.image-field .field-error')?.textContent);
    assert.equal(await field.locator('.field-error').textContent(),
      'Dieses Dateiformat wird nicht angenommen. Bitte ein Bild als JPEG, PNG oder WebP wählen.');
    assert.deepEqual(await page.evaluate(() => window.pictureChanges), [id, null]);
    await page.screenshot({ path: path.join(outDir, 'image-field-refused-phone.png'), animations: 'disabled' });

    // The one failed request is the refusal the test asked for.
    assert.equal(problems.badResponses.length, 1);
    assert.match(problems.badResponses[0], /^415 .*\/api\/images$/);
    problems.badResponses.length = 0;
    problems.consoleErrors.splice(0, problems.consoleErrors.length,
      ...problems.consoleErrors.filter((text) => !/status of 415/.test(text)));
    assertPageClean(assert, problems);
  });
