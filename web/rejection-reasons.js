// German text for the reasons an import rejects a feature. The server keeps its reasons in
// English (they are stored in the uploads table and read by scripts); the upload report shows
// them in German. The vocabulary is fixed by the importers (server/services/*.cpp, calls of
// ImportReport::reject, and geo/ for the geometry reasons); a reason that carries a value
// (a Kommune key, a geometry type, a GF code) is matched by its pattern and keeps the value.
// A reason this page does not know yet is shown as the server sent it, never dropped.

// Reasons without a value, as the server spells them.
const FIXED = Object.freeze({
  'no geometry': 'keine Geometrie',
  'degenerate polygon (no area)': 'Polygon ohne Fläche',
  'invalid coordinates': 'ungültige Koordinaten',
  'cannot reproject': 'Koordinaten nicht umrechenbar',
  'invalid polygon too complex to repair': 'ungültiges Polygon, zu komplex für die automatische Reparatur',
  'outside every known Kommune': 'außerhalb aller bekannten Kommunen',
  // Automatic assignment: in a Gemeinde beyond the uploader's own (the report names where).
  'outside your area': 'außerhalb Ihres Gebiets',
  'the point lies outside every Kommune of the atlas': 'Punkt liegt außerhalb aller Kommunen des Atlas',
  'no AGS': 'kein AGS',
  'no name (GEN)': 'kein Name (GEN)',
  'duplicate AGS (first kept)': 'AGS doppelt (der erste wurde übernommen)',
  // A vacancy row the validation refused without naming a field.
  'invalid vacancy': 'ungültige Meldung',
});

// A vacancy row refused for one field reads "invalid FIELD" (the API's property names).
const INVALID_FIELD = Object.freeze({
  status: 'ungültiger Status',
  use: 'ungültige Nutzung',
  degree: 'ungültiger Umfang',
  vacant_since: 'ungültiges Datum „Leer seit“',
  floor_area_m2: 'ungültige Fläche',
  owner_type: 'ungültige Eigentumsart',
  owner_contact: 'ungültiger Kontakt',
  internal_notes: 'ungültige Notizen',
  consent_publish: 'ungültige Angabe zur Veröffentlichung',
  public_description: 'ungültige Beschreibung',
  building_id: 'ungültige Gebäudenummer',
  kommune_ags: 'ungültige Kommune',
  geometry: 'ungültige Geometrie',
});

// Reasons with a value: [pattern, German text from the captured value].
const PATTERNS = Object.freeze([
  [/^not a polygon \((.+)\)$/, (type) => `kein Polygon (${type})`],
  [/^not a point \((.+)\)$/, (type) => `kein Punkt (${type})`],
  [/^more than (\d+) vertices$/, (limit) => `mehr als ${limit} Stützpunkte`],
  [/^outside Kommune (\S+)$/, (ags) => `außerhalb der Kommune ${ags}`],
  [/^the point lies outside Kommune (\S+)$/, (ags) => `Punkt liegt außerhalb der Kommune ${ags}`],
  [/^not a land area \(GF (.*)\)$/, (gf) => `keine Landfläche (GF ${gf})`],
  [/^invalid AGS '(.*)' \(8 digits for a Gemeinde, 5 for a Kreis\)$/,
    (ags) => `ungültiger AGS „${ags}“ (8 Ziffern für eine Gemeinde, 5 für einen Kreis)`],
  [/^invalid (\w+)$/, (field) => (Object.hasOwn(INVALID_FIELD, field) ? INVALID_FIELD[field] : null)],
]);

/** The German text of an import's rejection `reason`; unknown reasons come back unchanged. */
export function rejectionReason(reason) {
  const text = String(reason);
  // hasOwn, not `in`: a reason like "constructor" must not resolve to Object's members.
  if (Object.hasOwn(FIXED, text)) return FIXED[text];
  for (const [pattern, german] of PATTERNS) {
    const match = pattern.exec(text);
    const translated = match ? german(match[1]) : null;
    if (translated) return translated;
  }
  return text;
}
