// Queryables (OGC API – Features Part 3), `properties` and `sortby` on items against the real
// `leerstand serve`: the queryables are a JSON Schema linked from each collection; `properties`
// and `sortby` are honoured or refused with a code, never ignored; and neither lets the public
// see or order by what it may not see.
//
// Run from the repository root:   node --test tests/browser/
// Environment and helpers: see support.mjs (LEERSTAND_BINARY). Needs no browser.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  binary, makeDemoDatabase, makeTempDir, runCli, startServer, stopServer,
} from './support.mjs';

const ANGERMUENDE = '12073008';
const QUERYABLES_REL = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';
let dataDir;
let server;
let baseUrl;
let token;
// Published reports with distinct days and areas, and unpublished ones whose owner types would
// order them differently from the published ones.
const REPORTS = [
  { vacant_since: '2019-03-01', floor_area_m2: 120, consent_publish: true, owner_type: 'privat' },
  { vacant_since: '2021-07-15', floor_area_m2: 80, consent_publish: true, owner_type: 'unbekannt' },
  { vacant_since: '2017-11-30', floor_area_m2: 300, consent_publish: true, owner_type: 'gewerblich' },
  { vacant_since: '2020-01-01', floor_area_m2: 55, consent_publish: false, owner_type: 'oeffentlich' },
  { vacant_since: '2023-05-05', floor_area_m2: 999, consent_publish: false, owner_type: 'privat' },
];

async function api(target, { asAdmin = false } = {}) {
  const headers = asAdmin ? { Authorization: `Bearer ${token}` } : {};
  const response = await fetch(`${baseUrl}${target}`, { headers });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

before(async () => {
  assert.ok(fs.existsSync(binary), `leerstand binary not found at ${binary}; build it or set LEERSTAND_BINARY`);
  dataDir = makeTempDir('leerstand-queryables-');
  const dbPath = path.join(dataDir, 'q.sqlite');
  await makeDemoDatabase(dbPath, ['--buildings-only']);
  assert.equal((await runCli(['user', 'add', 'q-admin', '--role', 'admin', '--db', dbPath],
    { input: 'ein-langes-passwort\n' })).code, 0);
  const created = await runCli(['token', 'create', '--user', 'q-admin', '--db', dbPath]);
  token = created.stdout.trim().split('\n').pop().trim();
  server = startServer(dbPath);
  baseUrl = await server.url;
  const buildings = (await api(`/collections/buildings/items?kommune=${ANGERMUENDE}&limit=${REPORTS.length}`)).body.features;
  for (const [i, report] of REPORTS.entries()) {
    const ring = buildings[i].geometry.coordinates.flat(Infinity);
    const point = [ring.filter((_, j) => j % 2 === 0), ring.filter((_, j) => j % 2 === 1)]
      .map((values) => values.reduce((a, b) => a + b, 0) / values.length);
    const response = await fetch(`${baseUrl}/collections/vacancies/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/geo+json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: point },
        properties: { status: 'gemeldet', use: 'wohnen', kommune_ags: ANGERMUENDE, building_id: buildings[i].id, ...report } }),
    });
    assert.equal(response.status, 201, await response.text());
  }
});

after(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('each collection links its queryables, a JSON Schema of what the filters read', async () => {
  const openapi = (await api('/api')).body;
  for (const id of ['kommunen', 'buildings', 'vacancies', 'zukunftsorte']) {
    const collection = (await api(`/collections/${id}`)).body;
    const link = collection.links.find((l) => l.rel === QUERYABLES_REL);
    assert.ok(link, `${id} links its queryables`);
    assert.equal(link.type, 'application/schema+json');
    const answer = await fetch(link.href);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'application/schema+json');
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    const schema = await answer.json();
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(schema.$id, link.href);
    assert.equal(schema.type, 'object');
    assert.equal(schema.additionalProperties, false);
    assert.ok(schema.properties.geometry.format.startsWith('geometry-'));
    for (const [name, property] of Object.entries(schema.properties))
      if (name !== 'geometry') assert.ok(property.type, `${id}.${name} has a type`);
  }
  const vacancies = (await api('/collections/vacancies/queryables')).body;
  const documented = Object.fromEntries(openapi.components.schemas.VacancyStatus.enum.map((s) => [s, true]));
  assert.deepEqual(Object.fromEntries(vacancies.properties.status.enum.map((s) => [s, true])), documented);
  assert.equal(vacancies.properties.vacant_since.format, 'date');
  // Every queryable is a filter that works.
  for (const status of vacancies.properties.status.enum)
    assert.equal((await api(`/collections/vacancies/items?status=${status}`)).status, 200);
  const unknown = await api('/collections/gibt-es-nicht/queryables');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.code, 'unknown_collection');
});

test('properties selects what comes back; names no feature has are refused', async () => {
  const page = (await api(`/collections/buildings/items?kommune=${ANGERMUENDE}&limit=5&properties=kommune_ags,area_m2`)).body;
  assert.equal(page.features.length, 5);
  for (const feature of page.features) assert.deepEqual(Object.keys(feature.properties).sort(), ['area_m2', 'kommune_ags']);
  assert.ok(page.links.find((l) => l.rel === 'next').href.includes('properties=kommune_ags'), 'next keeps properties');
  const none = (await api('/collections/zukunftsorte/items?properties=')).status;
  assert.equal(none, 400);
  const one = (await api(`/collections/kommunen/items/${ANGERMUENDE}?properties=name`)).body;
  assert.deepEqual(one.properties, { name: 'Angermünde' });
  for (const target of ['/collections/buildings/items?properties=name,gibt_es_nicht',
    `/collections/kommunen/items/${ANGERMUENDE}?properties=status`]) {
    const refused = await api(target);
    assert.equal(refused.status, 400, target);
    assert.equal(refused.body.errors[0].code, 'unknown_property');
    assert.equal(refused.body.errors[0].field, 'properties');
  }
});

test('internal properties asked for stay unseen by the public and are shown to staff', async () => {
  const target = '/collections/vacancies/items?limit=100&properties=owner_type,status,internal_notes';
  const publicPage = (await api(target)).body;
  assert.ok(publicPage.features.length >= 3);
  for (const feature of publicPage.features) assert.deepEqual(Object.keys(feature.properties), ['status']);
  const staffPage = (await api(target, { asAdmin: true })).body;
  assert.ok(staffPage.features.some((f) => f.properties.owner_type === 'oeffentlich'));
  assert.equal(staffPage.numberMatched, publicPage.numberMatched + 2);
});

test('sortby orders items and pages; it is refused for what cannot be sorted', async () => {
  const days = (await api('/collections/vacancies/items?sortby=-vacant_since&limit=100')).body.features
    .map((f) => f.properties.vacant_since).filter(Boolean);
  assert.deepEqual(days, [...days].sort().reverse());
  assert.ok(days.length >= 3);
  // "+" unencoded arrives as a blank; both spellings sort ascending.
  for (const ascending of ['%2Bfloor_area_m2', '+floor_area_m2', 'floor_area_m2']) {
    const areas = (await api(`/collections/vacancies/items?sortby=${ascending}`)).body.features
      .map((f) => f.properties.floor_area_m2).filter((a) => a !== null);
    assert.deepEqual(areas, [...areas].sort((a, b) => a - b), ascending);
  }
  // Pages of a sorted list add up to the whole list.
  const query = `kommune=${ANGERMUENDE}&sortby=-area_m2,name`;
  const whole = (await api(`/collections/buildings/items?${query}&limit=60`)).body.features.map((f) => f.id);
  const paged = [];
  for (let offset = 0; offset < 60; offset += 7)
    paged.push(...(await api(`/collections/buildings/items?${query}&limit=7&offset=${offset}`)).body.features.map((f) => f.id));
  assert.deepEqual(paged.slice(0, 60), whole);
  const areas = (await api(`/collections/buildings/items?${query}&limit=60`)).body.features.map((f) => f.properties.area_m2);
  assert.deepEqual(areas, [...areas].sort((a, b) => b - a));
  const names = (await api('/collections/zukunftsorte/items?sortby=name')).body.features.map((f) => f.properties.name);
  assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

  for (const [target, code] of [['/collections/vacancies/items?sortby=gibt_es_nicht', 'unknown_property'],
    ['/collections/kommunen/items?sortby=-vacancy_rate', 'not_sortable'],
    ['/collections/vacancies/items?sortby=-', 'invalid_value']]) {
    const refused = await api(target);
    assert.equal(refused.status, 400, target);
    assert.equal(refused.body.errors[0].code, code, target);
    assert.equal(refused.body.errors[0].field, 'sortby');
  }
  // Exports hold every property in id order: the parameters are refused there, not ignored.
  const exported = await fetch(`${baseUrl}/export/zukunftsorte.geojson?sortby=name`);
  assert.equal(exported.status, 400);
});

test('an order by internal fields is refused for everyone, staff too, so no order leaks', async () => {
  for (const asAdmin of [false, true])
    for (const field of ['owner_type', 'internal_notes', 'author', 'updated_at', 'version']) {
      const refused = await api(`/collections/vacancies/items?sortby=${field}`, { asAdmin });
      assert.equal(refused.status, 400, `${field} as ${asAdmin ? 'admin' : 'public'}`);
      assert.equal(refused.body.errors[0].code, 'not_sortable');
    }
  assert.equal((await api('/collections/zukunftsorte/items?sortby=vacancy_id')).body.errors[0].code, 'not_sortable');
});
