// The MVT tiles of the real `leerstand serve`, decoded by @mapbox/vector-tile (the decoder
// Mapbox GL and MapLibre build on): the same features, ids and properties as the GeoJSON tile of
// the same layer and position, outer rings clockwise in tile coordinates as the MVT spec says,
// and the geometry where the GeoJSON tile puts it (within a pixel).
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY). Needs no browser.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  binary, loadVectorTile, makeDemoDatabase, makeTempDir, runCli, startServer, stopServer,
} from './support.mjs';

// The decoder and its protobuf reader from the web app's node_modules (devDependencies).
const modules = await loadVectorTile();
const skip = !modules && '@mapbox/vector-tile or pbf not installed in web/node_modules (run `npm ci` in web/)';

const ANGERMUENDE = [13.9939, 53.0157];
let dataDir;
let server;
let baseUrl;
let vacancyPoints;

/** The slippy-map tile of [lon, lat] at zoom z. */
function tileOf([lon, lat], z) {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n),
  };
}

before(async () => {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-tiles-');
  const dbPath = path.join(dataDir, 't.sqlite');
  // Kommunen and buildings only: the two reports below are the only ones.
  await makeDemoDatabase(dbPath, ['--buildings-only']);
  // Two vacancy reports on demo buildings near Angermünde's centre, one published, one not.
  server = startServer(dbPath);
  baseUrl = await server.url;
  const { z, x, y } = tileOf(ANGERMUENDE, 16);
  const buildings = await (await fetch(`${baseUrl}/tiles/buildings/${z}/${x}/${y}.geojson`)).json();
  assert.ok(buildings.features.length >= 2, 'demo buildings near the centre');
  vacancyPoints = buildings.features.slice(0, 2).map((f) => {
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
    const [lon, lat] = ring.slice(0, -1).reduce(([a, b], [c, d]) => [a + c, b + d], [0, 0]);
    return [lon / (ring.length - 1), lat / (ring.length - 1)];
  });
  await stopServer(server);
  const csv = path.join(dataDir, 'meldungen.csv');
  fs.writeFileSync(csv, 'lon;lat;status;use;consent_publish\n'
    + `${vacancyPoints[0][0]};${vacancyPoints[0][1]};bestaetigt;laden;ja\n`
    + `${vacancyPoints[1][0]};${vacancyPoints[1][1]};gemeldet;wohnen;nein\n`);
  const imported = await runCli(['import', csv, '--layer', 'vacancies', '--db', dbPath]);
  assert.equal(imported.code, 0, `leerstand import: ${imported.stderr}`);
  server = startServer(dbPath);
  baseUrl = await server.url;
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Twice the signed area of a ring of {x, y} points (positive = clockwise with y down). */
function doubledArea(ring) {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += ring[j].x * ring[i].y - ring[i].x * ring[j].y;
  return sum;
}

/** [minLon, minLat, maxLon, maxLat] of a GeoJSON geometry. */
function bounds(geometry) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
    } else c.forEach(visit);
  };
  visit(geometry.coordinates);
  return box;
}

const CASES = [
  ['buildings', 14], ['buildings', 16], ['vacancies', 8], ['vacancies', 15],
  ['kommunen', 4], ['kommunen', 9], ['kommunen', 13],
];

for (const [layer, z] of CASES) {
  test(`${layer} z${z}: the MVT decodes to the GeoJSON tile's features`, { skip }, async () => {
    const { x, y } = tileOf(layer === 'vacancies' ? vacancyPoints[0] : ANGERMUENDE, z);
    const mvtResponse = await fetch(`${baseUrl}/tiles/${layer}/${z}/${x}/${y}.mvt`);
    assert.equal(mvtResponse.status, 200);
    assert.equal(mvtResponse.headers.get('content-type'), 'application/vnd.mapbox-vector-tile');
    const geojson = await (await fetch(`${baseUrl}/tiles/${layer}/${z}/${x}/${y}.geojson`)).json();
    const tile = new modules.VectorTile(new modules.Pbf(new Uint8Array(await mvtResponse.arrayBuffer())));
    assert.deepEqual(Object.keys(tile.layers), [layer]);
    const decoded = tile.layers[layer];
    assert.equal(decoded.version, 2);
    assert.equal(decoded.extent, 4096);
    assert.equal(decoded.length, geojson.features.length);
    assert.ok(decoded.length > 0);

    const expected = new Map(geojson.features.map((f) => [f.id, f]));
    // A pixel of a 256-pixel tile, in degrees of longitude (latitude spans less at these zooms).
    const pixel = 360 / 2 ** z / 256;
    for (let i = 0; i < decoded.length; i++) {
      const feature = decoded.feature(i);
      const twin = expected.get(feature.id);
      assert.ok(twin, `feature ${feature.id} is not in the GeoJSON tile`);
      assert.deepEqual({ ...feature.properties }, twin.properties, `feature ${feature.id}`);
      const wantType = twin.geometry.type === 'Point' ? 1 : 3;
      assert.equal(feature.type, wantType, `feature ${feature.id}`);
      if (feature.type === 3) {
        const rings = feature.loadGeometry();
        assert.ok(doubledArea(rings[0]) > 0, `feature ${feature.id}: the first ring is an outer ring, clockwise`);
      }
      const ours = bounds(feature.toGeoJSON(x, y, z).geometry);
      const theirs = bounds(twin.geometry);
      for (let k = 0; k < 4; k++)
        assert.ok(Math.abs(ours[k] - theirs[k]) <= pixel, `feature ${feature.id}: bounds ${ours} vs ${theirs}`);
    }
  });
}

test('the public MVT holds the published vacancy and not the unpublished one', { skip }, async () => {
  const ids = new Set();
  for (const point of vacancyPoints) {
    const { z, x, y } = tileOf(point, 16);
    const response = await fetch(`${baseUrl}/tiles/vacancies/${z}/${x}/${y}.mvt`);
    if (response.status === 204) continue;
    const layer = new modules.VectorTile(new modules.Pbf(new Uint8Array(await response.arrayBuffer()))).layers.vacancies;
    for (let i = 0; i < layer.length; i++) {
      const { properties } = layer.feature(i);
      ids.add(layer.feature(i).id);
      assert.notEqual(properties.status, 'gemeldet', 'the unpublished report must not show');
      assert.equal(properties.owner_contact, undefined);
    }
  }
  assert.equal(ids.size, 1, 'exactly the published report');
});
