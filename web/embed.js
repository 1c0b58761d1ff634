// The embed page (/embed/kommunen/{ags}, embed.html): one Kommune's outline, its Zukunftsorte
// and published vacancies on a small map, a few public figures, the credits of the data and a
// link to the Kommune's profile in the atlas. Made for other sites' iframes.
//
// Every request goes without credentials (fetchPublicJson): a visitor signed in to the atlas
// sees in the frame exactly what the public sees, and the host page learns nothing of them.
// Everything from the API goes into the page as text.

import { fetchPublicJson } from './api.js';
import { definitionList, element, formatCount, formatDate, formatRate, numberFormat } from './dom.js';
import { label, statusColor } from './labels.js';
import { addBasemap, addDataAttribution } from './site.js';

const EMBED_PATH = /^\/embed\/kommunen\/(\d{5}|\d{8})\/?$/;
const ITEM_LIMIT = 10000;
const FIT_PADDING = [16, 16];
const FIT_MAX_ZOOM = 15;

const zukunftsortIcon = L.divIcon({ className: 'zukunftsort-marker', iconSize: [18, 18] });

function pointOf(feature) {
  const [lon, lat] = feature?.geometry?.type === 'Point' ? feature.geometry.coordinates : [];
  return Number.isFinite(lon) && Number.isFinite(lat) ? L.latLng(lat, lon) : null;
}

function vacancyMarker(properties, latlng) {
  const popup = () => {
    const box = element('div', 'popup');
    box.append(element('h2', 'popup-title', 'Leerstand'), definitionList([
      ['Status', label('status', properties.status)],
      ['Nutzung', label('use', properties.use)],
      ['Leer seit', formatDate(properties.vacant_since)],
    ]));
    if (properties.public_description) box.append(element('p', 'popup-text', properties.public_description));
    return box;
  };
  return L.circleMarker(latlng, {
    radius: 7, color: '#ffffff', weight: 2, fillColor: statusColor(properties.status), fillOpacity: 0.95,
    className: 'vacancy-marker',
  }).bindPopup(popup);
}

function zukunftsortMarker(properties, latlng) {
  const name = properties.name || 'Zukunftsort';
  const popup = () => {
    const box = element('div', 'popup');
    box.append(element('h2', 'popup-title', name));
    if (properties.kind) box.append(element('p', 'popup-kind', properties.kind));
    if (properties.description) box.append(element('p', 'popup-text', properties.description));
    return box;
  };
  return L.marker(latlng, { icon: zukunftsortIcon, title: `Zukunftsort: ${name}` }).bindPopup(popup);
}

/** The features of `collection` in the Kommune, as the public sees them. */
async function publicItems(collection, ags) {
  const page = await fetchPublicJson(`/collections/${collection}/items?kommune=${ags}&limit=${ITEM_LIMIT}`,
    'application/geo+json');
  return Array.isArray(page?.features) ? page.features : [];
}

function showFigures(list, summary) {
  const rows = [
    ['Gebäude', formatCount(summary.buildings)],
    ['Offene Leerstände', formatCount(summary.open_vacancies)],
    ['Leerstandsquote', formatRate(summary.vacancy_rate)],
    ['Reaktiviert', formatCount(summary.reactivated)],
    ['Zukunftsorte', formatCount(summary.zukunftsorte)],
  ];
  list.replaceWith(definitionList(rows, 'embed-figures'));
}

async function start() {
  const body = document.body;
  const message = document.querySelector('.embed-message');
  const match = EMBED_PATH.exec(window.location.pathname);
  // No wheel zoom: scrolling the host page over the frame must scroll the page.
  const map = L.map('embed-map', { zoomControl: false, scrollWheelZoom: false }).setView([51.16, 10.45], 6);
  L.control.zoom({ position: 'bottomleft', zoomInTitle: 'Hineinzoomen', zoomOutTitle: 'Herauszoomen' }).addTo(map);
  addBasemap(map);
  addDataAttribution(map);
  if (!match) {
    message.textContent = 'Keine Kommune in der Adresse.';
    body.dataset.state = 'error';
    return;
  }
  const ags = match[1];
  const profile = document.querySelector('.embed-profile');
  profile.href = new URL(`/kommunen/${ags}`, window.location.origin).href;

  const [kommune, summary, places, vacancies] = await Promise.allSettled([
    fetchPublicJson(`/collections/kommunen/items/${ags}`, 'application/geo+json'),
    fetchPublicJson(`/api/kommunen/${ags}/summary`),
    publicItems('zukunftsorte', ags),
    publicItems('vacancies', ags),
  ]);
  const failures = [kommune, summary, places, vacancies].filter((r) => r.status === 'rejected');

  if (kommune.status === 'fulfilled') {
    const name = kommune.value.properties?.name ?? ags;
    document.querySelector('.embed-title').textContent = name;
    profile.textContent = `${name} im Leerstandsatlas`;
    const outline = L.geoJSON(kommune.value, {
      style: { color: '#1f2933', weight: 2, fillColor: '#0f766e', fillOpacity: 0.06 },
      interactive: false,
    }).addTo(map);
    if (outline.getBounds().isValid()) {
      map.fitBounds(outline.getBounds(), { padding: FIT_PADDING, maxZoom: FIT_MAX_ZOOM, animate: false });
    }
  }
  if (summary.status === 'fulfilled') showFigures(document.querySelector('.embed-figures'), summary.value);

  let markers = 0;
  for (const [result, make] of [[vacancies, vacancyMarker], [places, zukunftsortMarker]]) {
    if (result.status !== 'fulfilled') continue;
    for (const feature of result.value) {
      const latlng = pointOf(feature);
      if (!latlng) continue;
      make(feature.properties ?? {}, latlng).addTo(map);
      markers += 1;
    }
  }
  body.dataset.markers = String(markers);
  if (failures.length > 0) {
    message.textContent = `Nicht alles ist abrufbar: ${failures[0].reason.message}`;
    body.dataset.state = 'error';
  } else {
    body.dataset.state = 'ready';
  }
  map.getContainer().setAttribute('aria-label',
    `Karte: ${numberFormat.format(markers)} Orte in ${document.querySelector('.embed-title').textContent}`);
}

start();
