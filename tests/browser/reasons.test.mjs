// The reasons of a match in German (web/reasons.js), in plain node without a browser: every
// reason code the score can give (collected from matching/matching.cpp and from the table of
// docs/matching.md) has a sentence, and the sentences say what the values say.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REASON_TEXTS, reasonText } from '../../web/reasons.js';
import { repoRoot } from './support.mjs';

const read = (file) => fs.readFileSync(path.join(repoRoot, file), 'utf8');

/** Codes the C++ score writes: `{"code", {...values}}` as a Reason's first member. */
function codesInSource() {
  const source = read('matching/matching.cpp');
  return new Set([...source.matchAll(/\{"([a-z]+_[a-z_]+)",\s*(?:std::move|\{)/g)].map((m) => m[1]));
}

/** Codes of the "Reasons" table in docs/matching.md (its second column). */
function codesInDocs() {
  const docs = read('docs/matching.md');
  const table = docs.slice(docs.indexOf('## Reasons'));
  const codes = new Set();
  for (const row of table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| component'))) {
    const cells = row.split('|');
    for (const m of (cells[2] ?? '').matchAll(/`(\w+)`/g)) codes.add(m[1]);
  }
  return codes;
}

test('every reason code of the score and of its documentation has a German sentence', () => {
  const source = codesInSource();
  const docs = codesInDocs();
  assert.ok(source.size >= 17 && source.has('distance_km') && source.has('time_later'), `found in the source: ${[...source]}`);
  assert.deepEqual([...docs].sort(), [...source].sort(), 'docs/matching.md and matching.cpp name the same codes');
  const missing = [...source, ...docs].filter((code) => !Object.hasOwn(REASON_TEXTS, code));
  assert.deepEqual(missing, [], 'reason codes without a sentence in web/reasons.js');
});

test('the sentences say what the values say', () => {
  const names = { 12073008: 'Angermünde', 12073: 'Uckermark' };
  const say = (code, values) => reasonText({ reason: { code, ...values } }, names);
  assert.equal(say('use_fits', { use: 'laden' }), 'Nutzung Laden passt');
  assert.equal(say('use_related', { use: 'laden', wanted: ['gewerbe'] }), 'Laden ist verwandt mit Gewerbe');
  assert.equal(say('use_differs', { use: 'wohnen', wanted: ['laden', 'gewerbe'] }), 'Wohnen statt Laden oder Gewerbe');
  assert.equal(say('size_within', { area: 120, min: 80, max: 150 }), '120\u00a0m² liegt in 80–150\u00a0m²');
  assert.equal(say('size_below', { area: 1200.5, min: 2000 }), '1.200,5\u00a0m² ist kleiner als gesucht (ab 2.000\u00a0m²)');
  assert.equal(say('size_unknown', { max: 100 }), 'Fläche unbekannt, gesucht bis 100\u00a0m²');
  assert.equal(say('place_in_kreis', { kommune: '12073008', kreis: '12073' }), 'Angermünde liegt im gesuchten Kreis Uckermark');
  assert.equal(say('distance_km', { km: 12.3, kommune: '12073008', radius_km: 25 }), '12,3 km von Angermünde (Umkreis 25 km)');
  assert.equal(say('kind_fits', { kinds: ['miete', 'kauf'] }), 'Miete und Kauf passen');
  assert.equal(say('time_later', { available: '2027-03-01', needed: '2027-01-30', days: 30 }),
    'ab 1. März 2027 verfügbar, gesucht ab 30. Januar 2027 (30 Tage später)');
  assert.equal(say('time_ready', { needed: '2027-04-01' }), 'sofort verfügbar, gesucht ab 1. April 2027');
  // Text, never markup: a name from the API reads as it is.
  assert.equal(reasonText({ reason: { code: 'place_in_kommune', kommune: '1' } }, { 1: '<b>X</b>' }), 'Liegt in <b>X</b>');
  assert.equal(reasonText({ points: 3, weight: 10, reason: { code: 'new_code' } }), '3 von 10 Punkten');
});
