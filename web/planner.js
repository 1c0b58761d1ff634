// The planner map (signed in): buildings coloured by the status of their vacancy, from the
// GeoJSON tiles (z13 and closer); a click on a building shows its vacancy record and history.

import { fetchJson, request } from './api.js';
import { canEdit, vacancyForm } from './editor.js';
import { definitionList, element, formatArea, formatDate } from './dom.js';
import { FIELD_LABELS, label } from './labels.js';
import { GeoJsonTileLayer } from './tile-layer.js';

export const BUILDINGS_MIN_ZOOM = 13;
const PLAIN_BUILDING = Object.freeze({ fill: 'rgba(140, 150, 160, 0.45)', stroke: '#616e7c', weight: 0.6 });

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

function historyList(entries) {
  const list = element('ol', 'history');
  for (const entry of entries) {
    const item = element('li');
    const changes = Object.keys(entry.new ?? entry.old ?? {}).filter((key) => key !== 'geometry')
      .map((key) => FIELD_LABELS[key] ?? key).join(', ');
    item.append(
      element('span', 'history-when', formatDate(entry.changed_at)),
      ' ',
      element('span', 'history-what', `${entry.action === 'create' ? 'angelegt' : entry.action === 'delete' ? 'gelöscht' : 'geändert'}${changes ? `: ${changes}` : ''}`),
      ' ',
      element('span', 'history-who', entry.changed_by ? `(${entry.changed_by})` : ''),
    );
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
 * Fills `panel` with the building and, when it has one the caller may see, its vacancy; an
 * editor in scope gets the form to report or edit it. `changed()` runs after a saved edit.
 */
export async function showBuilding(panel, feature, { me, latlng, changed }) {
  panel.hidden = false;
  panel.replaceChildren(element('p', null, 'Gebäude wird geladen …'));
  try {
    const building = await fetchJson(`/collections/buildings/items/${feature.id}`, 'application/geo+json');
    const b = building.properties ?? {};
    panel.replaceChildren(element('h2', 'profile-title', 'Gebäude'));
    panel.dataset.building = String(feature.id);
    const address = [b.street, b.housenumber].filter(Boolean).join(' ');
    panel.append(definitionList([
      ['Adresse', [address, [b.postcode, b.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')],
      ['Funktion', b.function ?? ''],
      ['Geschosse', b.floors ?? ''],
      ['Grundfläche', formatArea(b.area_m2)],
    ], 'profile-facts'));
    const editable = canEdit(me, b.kommune_ags);
    const vacancyId = feature.properties?.vacancy_id;
    const reopen = async (created) => {
      changed();
      // The server refreshed the building's tiles at once; the record shows what it stored.
      const properties = { ...feature.properties, vacancy_id: created?.id ?? vacancyId };
      await showBuilding(panel, { ...feature, properties }, { me, latlng, changed });
    };
    if (!vacancyId) {
      panel.append(element('p', 'profile-note', 'Kein Leerstand gemeldet.'));
      if (editable) panel.append(vacancyForm({ latlng, saved: reopen }));
      return;
    }
    const [{ body: vacancy, etag }, history] = await Promise.all([
      loadVacancy(vacancyId),
      fetchJson(`/collections/vacancies/items/${vacancyId}/history`).catch(() => null),
    ]);
    panel.append(vacancyRecord(vacancy, history));
    if (editable) {
      panel.append(vacancyForm({
        vacancy: { id: vacancy.id, etag, properties: vacancy.properties },
        saved: reopen,
        reload: async () => {
          const fresh = await loadVacancy(vacancyId);
          return { etag: fresh.etag, properties: fresh.body.properties };
        },
      }));
    }
  } catch (error) {
    panel.replaceChildren(element('p', 'error', `Gebäude nicht abrufbar: ${error.message}`));
  }
}
