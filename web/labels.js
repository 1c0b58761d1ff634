// German labels for the ASCII identifiers of the API (issue 3: "The web app shows German labels
// for them"). The API and the database keep the identifiers; only the page shows these words.
//
// The order of each map is the order the UI lists them in (the status map follows the
// lifecycle gemeldet → bestätigt → in Aktivierung → aktiviert, then the two exits).

/** Status of a vacancy. */
export const STATUS_LABELS = Object.freeze({
  gemeldet: 'Gemeldet',
  bestaetigt: 'Bestätigt',
  in_aktivierung: 'In Aktivierung',
  aktiviert: 'Aktiviert',
  abgerissen: 'Abgerissen',
  kein_leerstand: 'Kein Leerstand',
});

/** Former or intended use of a vacant building. */
export const USE_LABELS = Object.freeze({
  wohnen: 'Wohnen',
  gewerbe: 'Gewerbe',
  laden: 'Laden',
  gemischt: 'Gemischt',
  oeffentlich: 'Öffentlich',
  landwirtschaft: 'Landwirtschaft',
  sonstiges: 'Sonstiges',
});

/** Whether the whole building or only part of it stands empty. */
export const DEGREE_LABELS = Object.freeze({
  vollstaendig: 'vollständig',
  teilweise: 'teilweise',
});

/** Kind of owner (internal: the public never receives it). */
export const OWNER_TYPE_LABELS = Object.freeze({
  privat: 'privat',
  gewerblich: 'gewerblich',
  oeffentlich: 'öffentlich',
  unbekannt: 'unbekannt',
});

/** All vocabularies, keyed by the API's property name. */
export const LABELS = Object.freeze({
  status: STATUS_LABELS,
  use: USE_LABELS,
  degree: DEGREE_LABELS,
  owner_type: OWNER_TYPE_LABELS,
});

/**
 * The German label of identifier `id` of vocabulary `kind` ('status', 'use', 'degree',
 * 'owner_type'). Unknown identifiers come back unchanged, so a value added on the server
 * before the page knows it is still shown rather than hidden; null and undefined give ''.
 */
export function label(kind, id) {
  if (id === null || id === undefined) return '';
  const labels = Object.hasOwn(LABELS, kind) ? LABELS[kind] : null;
  // hasOwn, not `in`: 'constructor' or '__proto__' must not resolve to Object's members.
  if (labels && Object.hasOwn(labels, id)) return labels[id];
  return String(id);
}

// Fill colours of the vacancy markers; dark enough for white text and visible on the plain
// background and on OpenStreetMap tiles. The order of STATUS_LABELS is the legend's order.
const STATUS_COLORS = Object.freeze({
  gemeldet: '#b45309',
  bestaetigt: '#c81e1e',
  in_aktivierung: '#6d28d9',
  aktiviert: '#15803d',
  abgerissen: '#4b5563',
  kein_leerstand: '#1d4ed8',
});
const UNKNOWN_STATUS_COLOR = '#1f2933';

/** The fill colour of a vacancy marker of `status`. */
export function statusColor(status) {
  return Object.hasOwn(STATUS_COLORS, status) ? STATUS_COLORS[status] : UNKNOWN_STATUS_COLOR;
}
