// Reuse by other sites (issue 21): MapLibre GL JS, OpenLayers and @camptocamp/ogc-client, each
// loaded by a page of ANOTHER origin (a second small server on another port), use the atlas
// through CORS as a site of a Kommune or a researcher would: MapLibre draws the buildings of a
// town from TileJSON and MVT, OpenLayers reads MVT tiles and OGC API items, ogc-client reads the
// collections and every item of a town page by page, a plain fetch reads a public summary. A
// fetch with credentials to /api/me, while the browser is signed in by cookie on the atlas'
// origin, must be refused by the browser.
//
// MapLibre needs WebGL: Chromium runs it on SwiftShader (`--use-angle=swiftshader`,
// `--enable-unsafe-swiftshader`), so rendered features are checked with queryRenderedFeatures
// and the canvas' pixels.
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  binary, chromiumPath, makeDemoDatabase, makeTempDir, outDir, playwright, runCli, skipReason, startServer,
  stopServer, webRoot,
} from './support.mjs';

const ANGERMUENDE = '12073008';
const CENTRE = [13.9939, 53.0157];
const modules = path.join(webRoot, 'node_modules');
const libraries = ['maplibre-gl/dist/maplibre-gl.js', 'ol/dist/ol.js', '@camptocamp/ogc-client/dist/index.js'];
const missing = libraries.filter((file) => !fs.existsSync(path.join(modules, file)));
const skip = skipReason || (missing.length > 0 && `not installed in web/node_modules (run npm ci in web/): ${missing}`);

let dataDir;
let atlas;
let atlasUrl;
let site;
let siteUrl;
let context;
let page;

// Where the other origin's files come from: the libraries as npm ships them.
const SITE_FILES = {
  '/lib/maplibre-gl.js': 'maplibre-gl/dist/maplibre-gl.js',
  '/lib/maplibre-gl.css': 'maplibre-gl/dist/maplibre-gl.css',
  '/lib/ol.js': 'ol/dist/ol.js',
};
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8' };

const PAGE = `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Eine andere Seite</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/lib/maplibre-gl.css">
<style>body { margin: 0 } .map { width: 512px; height: 384px; display: inline-block }</style>
<script src="/lib/maplibre-gl.js"></script>
<script src="/lib/ol.js"></script>
<script type="importmap">{ "imports": { "@rgrove/parse-xml": "/lib/parse-xml.mjs" } }</script>
<script type="module">
  import * as ogcClient from '/lib/ogc-client/index.js';
  window.ogcClient = ogcClient;
  document.body.dataset.ready = 'yes';
</script>
</head><body><div id="maplibre" class="map"></div><div id="ol" class="map"></div></body></html>`;

/** The other origin: the test page, the libraries from web/node_modules, and @rgrove/parse-xml
 *  (which ships CommonJS only) wrapped as a module for ogc-client's import of it. */
function startSite() {
  const server = http.createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://x');
    const send = (type, body) => { response.writeHead(200, { 'Content-Type': type }); response.end(body); };
    if (pathname === '/page.html') return send(TYPES['.html'], PAGE);
    if (pathname === '/lib/parse-xml.mjs') {
      const cjs = fs.readFileSync(path.join(modules, '@rgrove/parse-xml/dist/browser.js'), 'utf8');
      return send(TYPES['.js'], `const library = (() => { const module = { exports: {} };\n${cjs}\n`
        + 'return module.exports; })();\n'
        + 'export const { parseXml, XmlElement, XmlText, XmlDocument, XmlNode, XmlError } = library;\n');
    }
    let file = SITE_FILES[pathname];
    if (!file && pathname.startsWith('/lib/ogc-client/') && !pathname.includes('..'))
      file = `@camptocamp/ogc-client/dist/${pathname.slice('/lib/ogc-client/'.length)}`;
    if (!file || !fs.existsSync(path.join(modules, file))) {
      response.writeHead(404);
      return response.end();
    }
    return send(TYPES[path.extname(file)] ?? 'application/octet-stream', fs.readFileSync(path.join(modules, file)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  if (skip) return;
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-reuse-');
  const dbPath = path.join(dataDir, 'reuse.sqlite');
  await makeDemoDatabase(dbPath);
  assert.equal((await runCli(['user', 'add', 'reuse-editor', '--role', 'editor', '--kommune', ANGERMUENDE,
    '--db', dbPath], { input: 'ein-langes-passwort\n' })).code, 0);
  atlas = startServer(dbPath);
  atlasUrl = await atlas.url;
  site = await startSite();
  siteUrl = `http://127.0.0.1:${site.address().port}`;
  assert.notEqual(new URL(siteUrl).origin, new URL(atlasUrl).origin);
  context = await playwright.chromium.launchPersistentContext(path.join(dataDir, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1100, height: 420 },
    args: ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist'],
  });
  // Signed in on the atlas' own origin, as a member of staff would be in another tab.
  const atlasPage = await context.newPage();
  await atlasPage.goto(`${atlasUrl}/`);
  const signedIn = await atlasPage.evaluate(async () => (await fetch('/api/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'reuse-editor', password: 'ein-langes-passwort' }),
  })).status);
  assert.equal(signedIn, 200);
  await atlasPage.close();
  page = context.pages()[0] ?? await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
  await page.goto(`${siteUrl}/page.html`);
  await page.waitForSelector('body[data-ready="yes"]', { state: 'attached', timeout: 20000 })
    .catch((error) => { throw new Error(`${error.message}; page errors: ${pageErrors.join('; ')}`); });
});

after(async () => {
  if (context) await context.close();
  if (site) await new Promise((resolve) => site.close(resolve));
  if (atlas) await stopServer(atlas);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('MapLibre GL JS on another site draws a town\'s buildings from TileJSON and MVT', { skip }, async () => {
  const result = await page.evaluate(async ({ atlasUrl, centre }) => {
    const map = new maplibregl.Map({
      container: 'maplibre',
      center: centre,
      zoom: 16,
      attributionControl: false,
      fadeDuration: 0,
      style: {
        version: 8,
        sources: { gebaeude: { type: 'vector', url: `${atlasUrl}/tiles/buildings.json` } },
        layers: [
          { id: 'hintergrund', type: 'background', paint: { 'background-color': '#ffffff' } },
          { id: 'gebaeude', type: 'fill', source: 'gebaeude', 'source-layer': 'buildings',
            paint: { 'fill-color': '#c0392b' } },
        ],
      },
    });
    const errors = [];
    map.on('error', (event) => errors.push(String(event.error?.message ?? event.error)));
    await new Promise((resolve, reject) => {
      map.once('idle', resolve);
      setTimeout(() => reject(new Error(`no idle within 30 s: ${errors}`)), 30000);
    });
    const rendered = map.queryRenderedFeatures({ layers: ['gebaeude'] });
    // The drawn pixels: WebGL's buffer read right after a render.
    const canvas = map.getCanvas();
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    let red = 0;
    await new Promise((resolve) => {
      map.once('render', () => {
        const pixels = new Uint8Array(gl.drawingBufferWidth * gl.drawingBufferHeight * 4);
        gl.readPixels(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
        for (let i = 0; i < pixels.length; i += 4)
          if (pixels[i] > 150 && pixels[i + 1] < 90 && pixels[i + 2] < 90) red++;
        resolve();
      });
      map.triggerRepaint();
    });
    return { errors, rendered: rendered.length, ids: new Set(rendered.map((f) => f.id)).size, red,
      kommunen: new Set(rendered.map((f) => f.properties.kommune_ags)).size };
  }, { atlasUrl, centre: CENTRE });
  assert.deepEqual(result.errors, []);
  assert.ok(result.ids >= 10, `rendered buildings: ${JSON.stringify(result)}`);
  assert.equal(result.kommunen, 1);
  assert.ok(result.red > 1000, `red pixels of buildings: ${result.red}`);
  fs.mkdirSync(outDir, { recursive: true });
  await page.locator('#maplibre').screenshot({ path: path.join(outDir, 'reuse-maplibre.png') });
});

test('OpenLayers on another site reads MVT tiles and OGC API items', { skip }, async () => {
  const result = await page.evaluate(async ({ atlasUrl, centre, ags }) => {
    const tiles = new ol.source.VectorTile({
      format: new ol.format.MVT(),
      url: `${atlasUrl}/tiles/buildings/{z}/{x}/{y}.mvt`,
    });
    const items = new ol.source.Vector({
      format: new ol.format.GeoJSON(),
      url: `${atlasUrl}/collections/buildings/items?limit=300&kommune=${ags}`,
    });
    const tileFeatures = [];
    const tileErrors = [];
    tiles.on('tileloadend', (event) => tileFeatures.push(...(event.tile.getFeatures?.() ?? [])));
    tiles.on('tileloaderror', () => tileErrors.push('tile'));
    const itemsLoaded = new Promise((resolve, reject) => {
      items.once('featuresloadend', resolve);
      items.once('featuresloaderror', () => reject(new Error('items did not load')));
    });
    const map = new ol.Map({
      target: 'ol',
      layers: [new ol.layer.VectorTile({ source: tiles }), new ol.layer.Vector({ source: items })],
      view: new ol.View({ center: ol.proj.fromLonLat(centre), zoom: 16 }),
    });
    await new Promise((resolve) => map.once('rendercomplete', resolve));
    await itemsLoaded;
    const expected = await (await fetch(`${atlasUrl}/collections/buildings/items?limit=300&kommune=${ags}`)).json();
    return {
      tileFeatures: tileFeatures.length,
      tileErrors,
      kommunen: [...new Set(tileFeatures.map((f) => f.get('kommune_ags')))],
      items: items.getFeatures().length,
      expected: expected.numberReturned,
      ids: items.getFeatures().map((f) => f.getId()).sort((a, b) => a - b),
      expectedIds: expected.features.map((f) => f.id).sort((a, b) => a - b),
    };
  }, { atlasUrl, centre: CENTRE, ags: ANGERMUENDE });
  assert.deepEqual(result.tileErrors, []);
  assert.ok(result.tileFeatures >= 10, `features of MVT tiles: ${result.tileFeatures}`);
  assert.deepEqual(result.kommunen, [ANGERMUENDE]);
  assert.equal(result.expected, 300);
  assert.equal(result.items, result.expected);
  assert.deepEqual(result.ids, result.expectedIds);
});

test('ogc-client on another site reads the collections and every item of a town, paged', { skip }, async () => {
  const result = await page.evaluate(async ({ atlasUrl, ags }) => {
    const endpoint = new ogcClient.OgcApiEndpoint(`${atlasUrl}/`);
    const collections = await endpoint.featureCollections;
    const info = await endpoint.getCollectionInfo('buildings');
    const pageSize = 250;
    const ids = [];
    for (let offset = 0; ; offset += pageSize) {
      const features = await endpoint.getCollectionItems('buildings', pageSize, offset, true, null, null, null, null,
        `kommune=${ags}`);
      ids.push(...features.map((f) => f.id));
      if (features.length < pageSize) break;
    }
    const first = await (await fetch(`${atlasUrl}/collections/buildings/items?kommune=${ags}&limit=1`)).json();
    return { collections, title: info.title, crs: info.supportedCrs ?? null, queryables: info.queryables ?? null,
      ids: ids.length, distinct: new Set(ids).size, matched: first.numberMatched };
  }, { atlasUrl, ags: ANGERMUENDE });
  assert.deepEqual([...result.collections].sort(), ['angebote', 'buildings', 'gesuche', 'kommunen', 'vacancies', 'zukunftsorte']);
  assert.equal(result.title, 'Gebäude');
  assert.ok(result.matched > 250, `more than a page: ${result.matched}`);
  assert.equal(result.ids, result.matched);
  assert.equal(result.distinct, result.matched);
});

test('a plain fetch reads a public summary; a fetch with credentials gets nothing of a signed-in user', { skip }, async () => {
  const result = await page.evaluate(async ({ atlasUrl, ags }) => {
    const summary = await fetch(`${atlasUrl}/api/kommunen/${ags}/summary`);
    const me = await fetch(`${atlasUrl}/api/me`);
    let credentialed;
    try {
      const answer = await fetch(`${atlasUrl}/api/me`, { credentials: 'include' });
      credentialed = `read: ${await answer.text()}`;
    } catch (error) {
      credentialed = `refused: ${error.name}`;
    }
    let write;
    try {
      const answer = await fetch(`${atlasUrl}/collections/vacancies/items`, {
        method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/geo+json' }, body: '{}',
      });
      write = `sent: ${answer.status}`;
    } catch (error) {
      write = `refused: ${error.name}`;
    }
    return { summary: summary.status, buildings: (await summary.json()).buildings, me: await me.json(), credentialed, write };
  }, { atlasUrl, ags: ANGERMUENDE });
  assert.equal(result.summary, 200);
  assert.ok(result.buildings > 0);
  // Without credentials the browser sends no cookie: the public's answer.
  assert.equal(result.me.signed_in, false);
  assert.equal(result.credentialed, 'refused: TypeError');
  assert.equal(result.write, 'refused: TypeError');
  // The atlas' own page still knows its user (the cookie was there all along).
  const own = await context.newPage();
  await own.goto(`${atlasUrl}/`);
  const signedIn = await own.evaluate(async () => (await (await fetch('/api/me')).json()).signed_in);
  await own.close();
  assert.equal(signedIn, true);
});
