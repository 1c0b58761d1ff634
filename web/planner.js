// The planner map (signed in): buildings coloured by the status of their vacancy, from the
// GeoJSON tiles (z13 and closer); a click on a building, or on a vacancy's marker, shows the
// record with its history, the chosen building outlined on the map.

import { fetchJson, request } from './api.js';
import { canEdit, canReadInternal, vacancyForm } from './editor.js';
import {
  definitionList, element, formatArea, formatDate, formatDateTime,
} from './dom.js';
import { FIELD_LABELS, fieldLabel, label } from './labels.js';
import { GeoJsonTileLayer } from './tile-layer.js';
import { offerAction } from './offers.js';  // part "offers"

export const BUILDINGS_MIN_ZOOM = 13;
const PLAIN_BUILDING = Object.freeze({ fill: 'rgba(140, 150, 160, 0.45)', stroke: '#616e7c', weight: 0.6 });

// The order the history lists a change's fields in: the form's order.
const FIELD_ORDER = Object.keys(FIELD_LABELS);

/** The buildings layer; `colorOf(status)` gives the fill of a building with a vacancy. */
export function buildingsLayer(colorOf, visibleStatus) {
  return new GeoJsonTileLayer({
    layer: 'buildings',
    className: 'buildings-layer',
    minZoom: BUILDINGS_MIN_ZOOM,
    zIndex: 2,
    style(feature) {
      const status = feature.properties?.vacancy_status;
      // Without a vacancy, or with one the filters leave out: a plain grey building.
      if (!status || !visibleStatus(status)) return PLAIN_BUILDING;
      return { fill: colorOf(status), stroke: '#1f2933', weight: 1 };
    },
  });
}

/** What the map shows of a building, in words (for the keyboard's choice of buildings). */
export function buildingDescription(feature) {
  const status = feature.properties?.vacancy_status;
  return status ? `Gebäude mit Leerstand „${label('status', status)}“` : 'Gebäude ohne Leerstandsmeldung';
}

/** A value of history field `key` in German: labels for identifiers, German dates, numbers
 *  and yes/no; 'leer' for none. */
function historyValue(key, value) {
  if (value === null || value === undefined || value === '') return 'leer';
  if (typeof value === 'boolean') return value ? 'ja' : 'nein';
  if (key === 'status' || key === 'use' || key === 'degree' || key === 'owner_type') return label(key, value);
  if (key === 'vacant_since' || key === 'consent_date') return formatDate(value);
  if (key === 'floor_area_m2') return formatArea(value);
  if (key === 'building_id') return `Nr. ${value}`;
  if (key === 'kommune_ags') return `AGS ${value}`;
  return String(value);
}

const ACTIONS = Object.freeze({ create: 'angelegt', update: 'geändert', delete: 'gelöscht' });

// Where a report lies: the record's building and Kommune show it; a report's first entry
// names only what was said about the vacancy.
const PLACE_FIELDS = new Set(['geometry', 'building_id', 'kommune_ags']);

/** The fields of one history entry, each once, in the form's order. */
function changedFields(entry) {
  const keys = new Set([...Object.keys(entry.old ?? {}), ...Object.keys(entry.new ?? {})]
    .filter((key) => entry.action === 'update' || !PLACE_FIELDS.has(key)));
  const rank = (key) => (FIELD_ORDER.includes(key) ? FIELD_ORDER.indexOf(key) : FIELD_ORDER.length);
  return [...keys].sort((a, b) => rank(a) - rank(b));
}

/** One change of a field: old → new (a report shows only what it was created with). */
function changeOf(entry, key) {
  const value = element('dd', 'history-change');
  // Coordinates say nothing to a reader: that the point moved is what counts.
  if (key === 'geometry') {
    value.textContent = 'auf der Karte verschoben';
    return value;
  }
  const hasOld = entry.old && Object.hasOwn(entry.old, key);
  const hasNew = entry.new && Object.hasOwn(entry.new, key);
  if (hasOld) value.append(element('span', 'history-old', historyValue(key, entry.old[key])));
  if (hasOld && hasNew) value.append(' → ');
  if (hasNew) value.append(element('span', 'history-new', historyValue(key, entry.new[key])));
  if (!hasOld && entry.old_withheld && hasNew) value.prepend('(vorher nicht einsehbar) → ');
  return value;
}

/** The history as a list: who, when (date and time) and each field's old → new value. */
function historyList(entries) {
  const list = element('ol', 'history');
  for (const entry of entries) {
    const item = element('li', 'history-entry');
    const head = element('p', 'history-head');
    const when = element('time', 'history-when', formatDateTime(entry.changed_at));
    when.dateTime = entry.changed_at ?? '';
    head.append(when, ' ', element('span', 'history-what', ACTIONS[entry.action] ?? 'geändert'));
    if (entry.changed_by) head.append(' von ', element('span', 'history-who', entry.changed_by));
    item.append(head);
    const changes = element('dl', 'history-changes');
    for (const key of changedFields(entry)) {
      const term = element('dt', null, fieldLabel(key));
      term.dataset.key = key;
      // One line per field (a <div> groups a term with its value inside a <dl>).
      const row = element('div', 'history-row');
      row.append(term, changeOf(entry, key));
      changes.append(row);
    }
    if (changes.childElementCount > 0) item.append(changes);
    list.append(item);
  }
  return list;
}

function vacancyRecord(vacancy, history) {
  const v = vacancy.properties ?? {};
  const section = element('section', 'vacancy-record');
  section.dataset.vacancy = String(vacancy.id);
  section.append(element('h3', null, 'Leerstand'));
  section.append(definitionList([
    ['Status', label('status', v.status)],
    ['Nutzung', label('use', v.use)],
    ['Umfang', label('degree', v.degree)],
    ['Leer seit', formatDate(v.vacant_since)],
    ['Fläche', formatArea(v.floor_area_m2)],
    ['Eigentum', label('owner_type', v.owner_type)],
    ['Kontakt', v.owner_contact ?? ''],
    ['Notizen', v.internal_notes ?? ''],
    ['Veröffentlichung', v.consent_publish ? 'zugestimmt' : 'nicht zugestimmt'],
    ['Zustimmung am', formatDate(v.consent_date)],
    ['Zuletzt geändert', formatDateTime(v.updated_at)],
  ], 'profile-facts'));
  if (v.public_description) section.append(element('p', 'popup-text', v.public_description));
  const entries = history?.changes ?? [];
  if (entries.length > 0) {
    section.append(element('h3', null, 'Verlauf'));
    section.append(historyList(entries));
  }
  return section;
}

function loadVacancy(id) {
  return request(`/collections/vacancies/items/${id}`, { accept: 'application/geo+json', withEtag: true });
}

/**
 * The outline of the chosen building on `map`: drawn while `panel` shows that building's
 * record, gone as soon as the panel closes or shows anything else (whoever replaced it).
 */
export function buildingOutline(map, panel) {
  const pane = map.createPane('building-outline');
  // Above the buildings' canvas, below the markers' pane; never in the way of a click.
  pane.style.zIndex = '450';
  pane.style.pointerEvents = 'none';
  let outline = null;
  let shownId = null;
  const clear = () => {
    outline?.remove();
    outline = null;
    shownId = null;
    delete map.getContainer().dataset.outlined;
  };
  const stillShown = () => !panel.hidden && panel.querySelector(`.building-facts[data-building="${shownId}"]`);
  new MutationObserver(() => {
    if (outline && !stillShown()) clear();
  }).observe(panel, { attributes: true, attributeFilter: ['hidden'], childList: true });
  return {
    show(building) {
      clear();
      if (!building?.geometry) return;
      shownId = String(building.id);
      // A dark casing under a bright line: visible on grey, coloured and white alike.
      outline = L.featureGroup([
        L.geoJSON(building, { pane: 'building-outline', interactive: false, style: { color: '#1f2933', weight: 7, opacity: 0.9, fill: false } }),
        L.geoJSON(building, { pane: 'building-outline', interactive: false, style: { color: '#ffd21f', weight: 3.5, opacity: 1, fill: false, className: 'building-outline' } }),
      ]).addTo(map);
      map.getContainer().dataset.outlined = shownId;
    },
    clear,
  };
}

/**
 * Fills `panel` with the record of the building `buildingId` (may be null) and of its vacancy
 * `vacancyId` (may be null) as far as the caller may see them; an editor in scope gets the form
 * to report or edit it. `changed()` runs after a saved edit; `outline` marks the building.
 */
async function showRecord(panel, { buildingId, vacancyId }, context) {
  const { me, latlng, changed, outline } = context;
  panel.hidden = false;
  panel.replaceChildren(element('p', null, buildingId ? 'Gebäude wird geladen …' : 'Leerstand wird geladen …'));
  try {
    const [building, loaded] = await Promise.all([
      buildingId ? fetchJson(`/collections/buildings/items/${buildingId}`, 'application/geo+json') : null,
      vacancyId ? loadVacancy(vacancyId) : null,
    ]);
    const vacancy = loaded?.body ?? null;
    const ags = building?.properties?.kommune_ags ?? vacancy?.properties?.kommune_ags;
    // The history is there only for who reads the report's internal data; asking otherwise
    // would only fetch the 404 of an unknown report.
    const history = vacancy && canReadInternal(me, vacancy.properties?.kommune_ags)
      ? await fetchJson(`/collections/vacancies/items/${vacancyId}/history`).catch(() => null)
      : null;
    panel.replaceChildren(element('h2', 'profile-title', building ? 'Gebäude' : 'Leerstand'));
    if (building) {
      const b = building.properties ?? {};
      panel.dataset.building = String(building.id);
      const address = [b.street, b.housenumber].filter(Boolean).join(' ');
      const facts = definitionList([
        ['Adresse', [address, [b.postcode, b.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')],
        ['Funktion', label('building_function', b.function)],
        ['Geschosse', b.floors ?? ''],
        ['Grundfläche', formatArea(b.area_m2)],
      ], 'profile-facts building-facts');
      facts.dataset.building = String(building.id);
      panel.append(facts);
      outline?.show(building);
    } else {
      delete panel.dataset.building;
      outline?.clear();
    }
    const editable = canEdit(me, ags);
    const reopen = async (created) => {
      changed();
      // The server refreshed the building's tiles at once; the record shows what it stored.
      const next = created?.id ?? vacancyId;
      const nextBuilding = buildingId ?? created?.properties?.building_id ?? null;
      await showRecord(panel, { buildingId: nextBuilding, vacancyId: next }, context);
    };
    if (!vacancy) {
      panel.append(element('p', 'profile-note', 'Kein Leerstand gemeldet.'));
      if (editable && latlng) panel.append(vacancyForm({ latlng, saved: reopen }));
      return;
    }
    panel.append(vacancyRecord(vacancy, history));
    const offer = offerAction(vacancy, me);  // part "offers"
    if (offer) panel.append(offer);
    if (editable) {
      panel.append(vacancyForm({
        vacancy: { id: vacancy.id, etag: loaded.etag, properties: vacancy.properties },
        saved: reopen,
        reload: async () => {
          const fresh = await loadVacancy(vacancyId);
          return { etag: fresh.etag, properties: fresh.body.properties };
        },
      }));
    }
  } catch (error) {
    outline?.clear();
    panel.replaceChildren(element('p', 'error', `${buildingId ? 'Gebäude' : 'Leerstand'} nicht abrufbar: ${error.message}`));
  }
}

/**
 * Fills `panel` with the building of a buildings-tile `feature` and, when it has one the caller
 * may see, its vacancy. `context`: { me, latlng, changed, outline }.
 */
export function showBuilding(panel, feature, context) {
  return showRecord(panel, { buildingId: feature.id, vacancyId: feature.properties?.vacancy_id ?? null }, context);
}

/**
 * Fills `panel` with the record of vacancy `vacancyId` and its building (if it has one): the
 * entry point for the vacancy markers and the list of vacancies. `context` as for showBuilding.
 */
export async function openVacancyRecord(panel, vacancyId, context) {
  panel.hidden = false;
  panel.replaceChildren(element('p', null, 'Leerstand wird geladen …'));
  let buildingId = null;
  try {
    const { body } = await loadVacancy(vacancyId);
    buildingId = body?.properties?.building_id ?? null;
  } catch (error) {
    context.outline?.clear();
    panel.replaceChildren(element('p', 'error', `Leerstand nicht abrufbar: ${error.message}`));
    return;
  }
  await showRecord(panel, { buildingId, vacancyId }, context);
}
