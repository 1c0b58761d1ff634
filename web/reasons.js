// The German sentence of every reason a match's component gives (docs/matching.md, "Reasons"):
// the server sends a stable code with the values a sentence needs, the page writes the words
// ("Nutzung Laden passt", "120 m² liegt in 80–150 m²", "12 km von Angermünde"). The one home
// of these texts: tests/browser/reasons.test.mjs walks every code of docs/matching.md and
// matching/matching.cpp and fails on one without a sentence here.

import { label } from './labels.js';
import { formatArea, formatLongDate, numberFormat } from './dom.js';

const kmFormat = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 1 });

function useName(id) {
  return label('use', id);
}

/** 'Gewerbe oder Laden' for the uses (or kinds) a need names. */
function either(ids, kind) {
  const names = (Array.isArray(ids) ? ids : []).map((id) => label(kind, id));
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} oder ${names.at(-1)}`;
}

function both(ids, kind) {
  const names = (Array.isArray(ids) ? ids : []).map((id) => label(kind, id));
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} und ${names.at(-1)}`;
}

/** '80–150 m²', 'ab 80 m²', 'bis 150 m²' for the range a need names. */
function range(r) {
  const min = typeof r.min === 'number' ? r.min : null;
  const max = typeof r.max === 'number' ? r.max : null;
  if (min !== null && max !== null) return `${numberFormat.format(min)}–${formatArea(max)}`;
  if (min !== null) return `ab ${formatArea(min)}`;
  if (max !== null) return `bis ${formatArea(max)}`;
  return 'jede Größe';
}

/** A Kommune's name from the names the answer sent, else its key. */
function place(names, ags) {
  return (names && typeof names[ags] === 'string' && names[ags]) || ags || 'der Kommune';
}

function available(r) {
  return r.available ? `ab ${formatLongDate(r.available)} verfügbar` : 'sofort verfügbar';
}

/**
 * The sentence of each reason code; each takes the reason's values and the Kommune names
 * (AGS → name) of the answer.
 */
export const REASON_TEXTS = Object.freeze({
  use_fits: (r) => `Nutzung ${useName(r.use)} passt`,
  use_open: (r) => `Jede Nutzung gesucht – ${useName(r.use)} passt`,
  use_related: (r) => `${useName(r.use)} ist verwandt mit ${either(r.wanted, 'use')}`,
  use_differs: (r) => `${useName(r.use)} statt ${either(r.wanted, 'use')}`,
  size_within: (r) => `${formatArea(r.area)} liegt in ${range(r)}`,
  size_below: (r) => `${formatArea(r.area)} ist kleiner als gesucht (${range(r)})`,
  size_above: (r) => `${formatArea(r.area)} ist größer als gesucht (${range(r)})`,
  size_unknown: (r) => `Fläche unbekannt, gesucht ${range(r)}`,
  size_open: (r) => (typeof r.area === 'number' ? `${formatArea(r.area)}, jede Größe gesucht` : 'Jede Größe gesucht'),
  place_in_kommune: (r, names) => `Liegt in ${place(names, r.kommune)}`,
  place_in_kreis: (r, names) => `${place(names, r.kommune)} liegt im gesuchten Kreis ${place(names, r.kreis)}`,
  distance_km: (r, names) => `${kmFormat.format(r.km)} km von ${place(names, r.kommune)} (Umkreis ${kmFormat.format(r.radius_km)} km)`,
  kind_fits: (r) => `${both(r.kinds, 'offer_kind')} ${r.kinds?.length > 1 ? 'passen' : 'passt'}`,
  kind_open: (r) => `Jede Art gesucht – angeboten: ${both(r.kinds, 'offer_kind')}`,
  time_ready: (r) => `${available(r)}, gesucht ab ${formatLongDate(r.needed)}`,
  time_open: (r) => `${available(r)}, kein Termin gesucht`,
  time_later: (r) => `${available(r)}, gesucht ab ${formatLongDate(r.needed)} (${numberFormat.format(r.days)} Tage später)`,
});

/** The sentence of one component's reason `{code, ...values}`; a code the page does not know
 *  yet names its component's points instead. */
export function reasonText(component, names = {}) {
  const reason = component?.reason ?? {};
  if (typeof reason.code === 'string' && Object.hasOwn(REASON_TEXTS, reason.code)) {
    return REASON_TEXTS[reason.code](reason, names);
  }
  return `${component?.points ?? 0} von ${component?.weight ?? 0} Punkten`;
}
