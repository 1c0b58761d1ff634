// Leerstandsatlas web app: for now a Leaflet map of Germany and a status panel fed by /health.
// This is a placeholder for the real map: the data layers (Kommunen, Gebäude, Leerstände,
// Zukunftsorte) arrive with the tiles and API issues.
//
// Leaflet is loaded as a classic script before this module (window.L); see index.html.

const GERMANY_CENTER = [51.16, 10.45];
const GERMANY_ZOOM = 6;
const COUNT_FIELDS = ['kommunen', 'buildings', 'vacancies', 'zukunftsorte'];
const numberFormat = new Intl.NumberFormat('de-DE');

// The basemap is optional so that the map works offline and in tests: a tile URL template comes
// only from `?tiles=<template>` or `window.TILE_URL` (e.g. set by the operator in a script).
function tileTemplate() {
  const template = new URLSearchParams(window.location.search).get('tiles') ?? window.TILE_URL;
  if (typeof template !== 'string' || template === '') return null;
  // Only web URLs: a template from the address bar must not point anywhere else.
  return /^(https?:\/\/|\/)/.test(template) ? template : null;
}

function createMap(element) {
  const map = L.map(element).setView(GERMANY_CENTER, GERMANY_ZOOM);
  L.control.scale({ imperial: false }).addTo(map);
  const template = tileTemplate();
  if (template) {
    // The attribution is rendered as HTML by Leaflet, so it is taken only from the page's own
    // configuration, never from the URL.
    L.tileLayer(template, { maxZoom: 19, attribution: window.TILE_ATTRIBUTION ?? '' }).addTo(map);
  }
  return map;
}

function setField(panel, name, value) {
  const element = panel.querySelector(`[data-field="${name}"]`);
  if (element) element.textContent = value;
}

function showStatus(panel, health) {
  setField(panel, 'schema_version', String(health.schema_version));
  for (const name of COUNT_FIELDS) {
    const value = health.counts[name];
    setField(panel, name, typeof value === 'number' ? numberFormat.format(value) : '–');
  }
  panel.querySelector('#status-message').textContent = 'Dienst erreichbar.';
  panel.dataset.state = 'ready';
}

function showError(panel, message) {
  panel.querySelector('#status-message').textContent = `Status nicht abrufbar: ${message}`;
  panel.dataset.state = 'error';
}

async function loadStatus(panel) {
  try {
    const response = await fetch('/health', { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const health = await response.json();
    if (typeof health.schema_version !== 'number' || typeof health.counts !== 'object') {
      throw new Error('unerwartete Antwort');
    }
    showStatus(panel, health);
  } catch (error) {
    showError(panel, error.message);
  }
}

createMap(document.getElementById('map'));
loadStatus(document.getElementById('status'));
