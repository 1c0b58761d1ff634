// The German wording of the import's rejection reasons (web/rejection-reasons.js), checked
// against the reasons as the server spells them (server/services/*.cpp, geo/polygon_rings.hpp).
// Plain node: the module touches no DOM. The upload flow in map.test.mjs shows two of them in
// the report table of a real upload.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rejectionReason } from '../../web/rejection-reasons.js';

test('fixed reasons read in German', () => {
  assert.equal(rejectionReason('no geometry'), 'keine Geometrie');
  assert.equal(rejectionReason('degenerate polygon (no area)'), 'Polygon ohne Fläche');
  assert.equal(rejectionReason('invalid polygon too complex to repair'),
    'ungültiges Polygon, zu komplex für die automatische Reparatur');
  assert.equal(rejectionReason('outside every known Kommune'), 'außerhalb aller bekannten Kommunen');
  assert.equal(rejectionReason('outside your area'), 'außerhalb Ihres Gebiets');
  assert.equal(rejectionReason('invalid status'), 'ungültiger Status');
  assert.equal(rejectionReason('invalid vacant_since'), 'ungültiges Datum „Leer seit“');
});

test('reasons with a value keep the value', () => {
  assert.equal(rejectionReason('not a polygon (LineString)'), 'kein Polygon (LineString)');
  assert.equal(rejectionReason('not a point (Polygon)'), 'kein Punkt (Polygon)');
  assert.equal(rejectionReason('more than 10000 vertices'), 'mehr als 10000 Stützpunkte');
  assert.equal(rejectionReason('outside Kommune 12073008'), 'außerhalb der Kommune 12073008');
  assert.equal(rejectionReason('the point lies outside Kommune 12073008'), 'Punkt liegt außerhalb der Kommune 12073008');
  assert.equal(rejectionReason('not a land area (GF 1)'), 'keine Landfläche (GF 1)');
  assert.equal(rejectionReason("invalid AGS '123' (8 digits for a Gemeinde, 5 for a Kreis)"),
    'ungültiger AGS „123“ (8 Ziffern für eine Gemeinde, 5 für einen Kreis)');
});

test('unknown reasons come as they were sent', () => {
  assert.equal(rejectionReason('a reason added on the server later'), 'a reason added on the server later');
  // "invalid" + a field this page has no word for: the server's wording, not a guess.
  assert.equal(rejectionReason('invalid colour'), 'invalid colour');
  assert.equal(rejectionReason('constructor'), 'constructor');
  assert.equal(rejectionReason('<b>x</b>'), '<b>x</b>');
});
