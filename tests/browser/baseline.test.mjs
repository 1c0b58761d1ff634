// Headless-browser test of the official baseline on the public map: every Gemeinde of VG5000
// (all of Germany) imported, the default choropleth "Wohnungsleerstand (Zensus 2022)" filling
// the Gemeinden at zoom 6 in several classes from the kommunen tiles, its legend and source on
// screen; and the optional Zensus 2011 1 km grid overlay over a slice of the real grid file.
//
// Run from the repository root:   node --test tests/browser/baseline.test.mjs
// Environment and helpers: see support.mjs (LEERSTAND_BINARY, CHROMIUM).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertPageClean, binary, makeTempDir, openPage, outDir, repoRoot, runCli, skipReason, startServer, stopServer,
} from './support.mjs';

const SHARED = path.resolve(repoRoot, '..', 'shared', 'data');
const GEMEINDEN = path.join(SHARED, 'kommunen', 'vg5000_2021', 'VG5000_GEM.shp');
const GRID = path.join(SHARED, 'zensus', 'zensus2011_1km_leerstandsquote_epsg3035.csv');
// The classes of the choropleth, light to dark (web/kommunen.js), and of the grid overlay.
const CLASS_COLORS = ['#fef0d9', '#fdcc8a', '#fc8d59', '#e34a33', '#b30000'];
const GRID_COLORS = ['#edf8fb', '#b3cde3', '#8c96c6', '#8856a7', '#810f7c'];
const missing = [GEMEINDEN, GRID].find((file) => !fs.existsSync(file));

let dataDir;
let server;
let baseUrl;
let gridCell;  // [lon, lat] inside a cell of the imported grid slice, and its share

async function cli(args) {
  const result = await runCli([...args, '--db', path.join(dataDir, 't.sqlite')]);
  assert.equal(result.code, 0, `leerstand ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

before(async () => {
  if (skipReason || missing) return;
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}`);
  dataDir = makeTempDir('leerstand-baseline-');
  const report = JSON.parse(await cli(['import-kommunen', GEMEINDEN, '--json']));
  assert.equal(report.stored, 10997);
  // VG5000 is of 2021, the census of 2022: Gemeinden merged in between have no census row and
  // are named in the report, not dropped.
  assert.ok(report.without_zensus2022.count > 0, JSON.stringify(report.without_zensus2022));
  // The first 2000 cells of the real grid file.
  const slice = path.join(dataDir, 'grid.csv');
  fs.writeFileSync(slice, fs.readFileSync(GRID, 'utf8').split('\n').slice(0, 2001).join('\n'));
  assert.match(await cli(['import-zensus-grid', slice]), /2000 cells/);
  server = startServer(path.join(dataDir, 't.sqlite'));
  baseUrl = await server.url;
  // A cell with vacant dwellings, its centre projected to lon/lat by GDAL's own tool.
  const line = fs.readFileSync(slice, 'utf8').split('\n').slice(1).find((l) => Number(l.split(',')[2]) > 5);
  const [x, y, share] = line.trim().split(',');
  const projected = spawnSync('gdaltransform', ['-s_srs', 'EPSG:3035', '-t_srs', 'EPSG:4326', '-output_xy'],
    { input: `${x} ${y}\n`, encoding: 'utf8' });
  assert.equal(projected.status, 0, projected.stderr);
  const [lon, lat] = projected.stdout.trim().split(/\s+/).map(Number);
  gridCell = { lon, lat, share: Number(share) };
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Waits until every tile of the layer in view is loaded. */
function layerLoaded(page, layerClass, timeout = 60000) {
  return page.waitForFunction((cls) => {
    const tiles = document.querySelectorAll(`.${cls} canvas`);
    return tiles.length > 0 && [...tiles].every((t) => t.classList.contains('leaflet-tile-loaded'));
  }, layerClass, { timeout });
}

/** How many pixels of each colour of `colors` the layer's canvases show. */
function colourCounts(page, layerClass, colors) {
  return page.evaluate(({ layerClass, colors }) => {
    const wanted = colors.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
    const counts = colors.map(() => 0);
    for (const canvas of document.querySelectorAll(`.${layerClass} canvas`)) {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        const k = wanted.findIndex(([r, g, b]) => data[i] === r && data[i + 1] === g && data[i + 2] === b);
        if (k !== -1) counts[k] += 1;
      }
    }
    return counts;
  }, { layerClass, colors });
}

test('the public map colours every German Gemeinde by its Zensus 2022 share',
  { skip: skipReason ?? (missing ? `shared data not found: ${missing}` : false), timeout: 300000 }, async (t) => {
    const { page, problems } = await openPage(t, `${baseUrl}/`, { width: 1366, height: 800 });
    await page.evaluate(() => window.leerstandMap.setView([51.2, 10.4], 6, { animate: false }));
    await layerLoaded(page, 'kommunen-layer');

    // The default figure, its legend with source and year.
    assert.equal(await page.locator('#figure').inputValue(), 'zensus2022');
    const legend = page.locator('.choropleth-legend');
    assert.equal(await legend.locator('h2').textContent(), 'Wohnungsleerstand (Zensus 2022)');
    assert.match(await legend.locator('.legend-source').textContent(),
      /^Quelle: Statistische Ämter des Bundes und der Länder, Zensus 2022/);
    assert.equal(await legend.locator('li').last().textContent(), 'keine Angabe');
    assert.match(await page.locator('.leaflet-control-attribution').textContent(), /Zensus 2022/);

    // Many Gemeinden filled, in every class: the tiles carry the share, no list is needed.
    const features = await page.evaluate(() => {
      let layer = null;
      window.leerstandMap.eachLayer((l) => { if (l.options?.layer === 'kommunen') layer = l; });
      return layer.loadedFeatures().map((f) => f.properties);
    });
    const gemeinden = features.filter((p) => p.ags.length === 8);
    const withShare = gemeinden.filter((p) => typeof p.zensus2022_leerstandsquote === 'number');
    assert.ok(gemeinden.length > 9000, `${gemeinden.length} Gemeinden in view`);
    assert.ok(withShare.length > 0.95 * gemeinden.length, `${withShare.length} of ${gemeinden.length} with a share`);
    const counts = await colourCounts(page, 'kommunen-layer', CLASS_COLORS);
    assert.ok(counts.every((n) => n > 1000), `pixels per class ${counts}`);
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'baseline-germany.png'), animations: 'disabled' });
    assertPageClean(assert, problems);
  });

test('the Zensus 2011 grid is an optional overlay with its own legend',
  { skip: skipReason ?? (missing ? `shared data not found: ${missing}` : false), timeout: 120000 }, async (t) => {
    const { page, problems } = await openPage(t, `${baseUrl}/`, { width: 390, height: 844 });
    const { lon, lat } = gridCell;
    await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 11, { animate: false }), { lon, lat });

    assert.equal(await page.locator('.zensus-grid-legend').isVisible(), false);
    assert.equal(await page.locator('.zensus-grid-layer').count(), 0);
    // On a phone the introduction lies over the top of the map until the visitor puts it away.
    await page.click('#status .intro-close');
    await page.check('#zensus-grid');
    assert.equal(await page.locator('.zensus-grid-legend').isVisible(), true);
    assert.match(await page.locator('.zensus-grid-legend .legend-source').textContent(), /Zensus 2011/);
    await layerLoaded(page, 'zensus-grid-layer');
    const counts = await colourCounts(page, 'zensus-grid-layer', GRID_COLORS);
    assert.ok(counts.filter((n) => n > 0).length >= 2, `grid pixels per class ${counts}`);
    // The cell at the centre of the view has its class's colour (5 % and more: the two darkest).
    const shown = await page.evaluate(() => {
      const map = window.leerstandMap;
      const box = map.getContainer().getBoundingClientRect();
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      const canvas = [...document.querySelectorAll('.zensus-grid-layer canvas')].find((c) => {
        const r = c.getBoundingClientRect();
        return x >= r.left && x < r.right && y >= r.top && y < r.bottom;
      });
      const r = canvas.getBoundingClientRect();
      const ratio = canvas.width / r.width;
      return [...canvas.getContext('2d').getImageData(Math.floor((x - r.left) * ratio), Math.floor((y - r.top) * ratio), 1, 1).data];
    });
    const expected = GRID_COLORS[gridCell.share > 10 ? 4 : 3];
    assert.deepEqual(shown.slice(0, 3), [1, 3, 5].map((i) => parseInt(expected.slice(i, i + 2), 16)), `centre pixel ${shown}`);
    fs.mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: path.join(outDir, 'baseline-grid-phone.png'), animations: 'disabled' });
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.evaluate(({ lon, lat }) => window.leerstandMap.setView([lat, lon], 10, { animate: false }), { lon, lat });
    await layerLoaded(page, 'zensus-grid-layer');
    await page.screenshot({ path: path.join(outDir, 'baseline-grid-desktop.png'), animations: 'disabled' });
    await page.uncheck('#zensus-grid');
    assert.equal(await page.locator('.zensus-grid-layer').count(), 0);
    assertPageClean(assert, problems);
  });
