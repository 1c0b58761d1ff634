// No raw key or value on screen: every property the API documents for vacancies, buildings,
// Zukunftsorte, Kommunen, their profiles and uploads (with the import report's members, from
// server/services/import_report.cpp) has a German label in web/labels.js FIELD_LABELS, and a
// building's function reads in German whatever the importer stored. Plain node, no browser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIELD_LABELS, fieldLabel, label } from '../../web/labels.js';
import { repoRoot } from './support.mjs';

const read = (file) => fs.readFileSync(path.join(repoRoot, file), 'utf8');

function documentedProperties() {
  const { schemas } = JSON.parse(read('server/http/openapi.json')).components;
  const names = new Set();
  const add = (schema) => { for (const name of Object.keys(schema?.properties ?? {})) names.add(name); };
  add(schemas.VacancyProperties);
  add(schemas.ZukunftsortProperties);
  add(schemas.BuildingFeature.properties.properties);
  add(schemas.KommuneFeature.properties.properties);
  add(schemas.KommuneProfile);
  add(schemas.UploadForm);
  add(schemas.UploadJob);
  // part matches: the recorded outcome of a suggestion and what staff send
  add(schemas.Vermittlung);
  add(schemas.VermittlungInput);
  add(schemas.VermittlungChange);
  add(schemas.NeedProperties);  // part "needs" of issue 23
  // Machine members for the client's own sentences (messages.js), never shown as a field.
  names.delete('error_code');
  names.delete('error_values');
  const report = read('server/services/import_report.cpp');
  for (const m of report.matchAll(/\{"(\w+)",/g)) names.add(m[1]);
  for (const m of report.matchAll(/\["(\w+)"\]/g)) names.add(m[1]);
  return names;
}

test('every documented property has a German label', () => {
  const names = documentedProperties();
  assert.ok(names.has('consent_date') && names.has('function') && names.has('rejected_by_reason') && names.size > 60,
    `the collection finds the properties (${names.size})`);
  const missing = [...names].filter((name) => !Object.hasOwn(FIELD_LABELS, name));
  assert.deepEqual(missing, [], 'properties without a label in web/labels.js FIELD_LABELS');
  assert.equal(fieldLabel('consent_date'), 'Zustimmung am');
  assert.equal(fieldLabel('floor_area_m2'), 'Leerstehende Fläche');
  assert.equal(fieldLabel('constructor'), 'Angabe „constructor“', 'no member of Object is a label');
});

test('building functions read in German, known or not', () => {
  assert.equal(label('building_function', 'yes'), 'Gebäude');
  assert.equal(label('building_function', 'house'), 'Wohnhaus');
  assert.equal(label('building_function', 'apartments'), 'Mehrfamilienhaus');
  assert.equal(label('building_function', 'Church'), 'Kirche', 'OSM values in any case');
  assert.equal(label('building_function', '1010'), 'Wohnhaus', 'ALKIS Gebäudefunktion');
  assert.equal(label('building_function', '31001_2463'), 'Garage', 'Hausumringe: class and function');
  assert.equal(label('building_function', '31001_9876'), 'Gebäude (Funktionsschlüssel 31001_9876)');
  assert.equal(label('building_function', 'boathouse'), 'Gebäude (Typ: boathouse)');
  assert.equal(label('building_function', 'toString'), 'Gebäude (Typ: toString)');
  assert.equal(label('building_function', 'Wohn- und Geschäftshaus'), 'Wohn- und Geschäftshaus', 'German words as written');
  assert.equal(label('building_function', null), '');
  assert.equal(label('building_function', '  '), '');
});
