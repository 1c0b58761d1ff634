// Choosing a building with the keyboard. The buildings are drawn on canvas (tile-layer.js), so
// there is nothing Tab could reach on the map itself; this control is one focusable list
// (role="listbox") of the buildings in view, nearest the map's centre first, so a keyboard
// user moves the map (arrow keys on the focused map) to where they want and then walks out
// from the centre. The arrow keys move through the list, the chosen building is outlined on
// the map, and Enter opens what a click on it opens (the building's record).
//
// Only the chosen option is in the DOM, with its place given by aria-posinset/aria-setsize:
// a view at z13 can hold thousands of buildings. Each choice gets an option with its own id,
// because screen readers announce a change of aria-activedescendant, not of the text under it.

import { element, numberFormat } from './dom.js';
import { pointOnSurface } from './tile-layer.js';

const PANE = 'buildingPickerPane';
// Dark casing under a yellow line: visible on light and dark fills and on any basemap.
const OUTLINE = [{ color: '#1f2933', weight: 6 }, { color: '#f7c948', weight: 3 }];
const DIRECTIONS = ['nördlich', 'nordöstlich', 'östlich', 'südöstlich', 'südlich', 'südwestlich', 'westlich', 'nordwestlich'];
// Closer than this the building is "at the centre": a direction would be noise.
const AT_CENTRE_M = 10;
const decimalFormat = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 1 });

/** "etwa 40 m nordöstlich der Kartenmitte": where `latlng` lies, for those who cannot see it. */
export function whereFromCentre(map, latlng) {
  const centre = map.getCenter();
  const metres = map.distance(centre, latlng);
  if (metres < AT_CENTRE_M) return 'an der Kartenmitte';
  const from = map.latLngToLayerPoint(centre);
  const to = map.latLngToLayerPoint(latlng);
  // Screen y grows downwards; 0° is north, clockwise.
  const degrees = (Math.atan2(to.x - from.x, from.y - to.y) * 180) / Math.PI;
  const direction = DIRECTIONS[Math.round(((degrees + 360) % 360) / 45) % 8];
  const distance = metres < 1000
    ? `${numberFormat.format(Math.round(metres / 10) * 10)}\u00a0m`
    : `${decimalFormat.format(metres / 1000)}\u00a0km`;
  return `etwa ${distance} ${direction} der Kartenmitte`;
}

/**
 * The control. `describe(feature)` says what a sighted person sees of the building (its
 * status); `open(feature, latlng, opener)` does what a click does, with a point inside the
 * building and the element to give the focus back to.
 */
export function buildingPicker(map, layer, { describe, open, minZoom }) {
  const control = L.control({ position: 'bottomright' });
  let entries = [];  // { feature, latlng, metres }, nearest the centre first
  let index = -1;
  let stale = true;  // the map moved or tiles came in since `entries` was made
  let chosenId = null;
  let box;
  let placeholder;
  let state;
  let outline = null;

  const markStale = () => { stale = true; };

  function refresh() {
    if (!stale) return;
    const centre = map.getCenter();
    // Distances once per building, not per comparison: a view at z13 holds thousands.
    entries = layer.visibleFeatures()
      .map((feature) => {
        const point = pointOnSurface(feature.geometry);
        const latlng = point && L.latLng(point[1], point[0]);
        return latlng && { feature, latlng, metres: map.distance(centre, latlng) };
      })
      .filter(Boolean)
      .sort((a, b) => a.metres - b.metres);
    // The chosen building keeps its place, so the next key goes on from it.
    index = entries.findIndex((entry) => entry.feature.id === chosenId);
    stale = false;
  }

  function showOutline(feature) {
    outline?.remove();
    outline = L.layerGroup(OUTLINE.map((style) => L.geoJSON(feature.geometry, {
      pane: PANE, interactive: false, style: { ...style, fill: false, opacity: 1 },
    }))).addTo(map);
  }

  function say(text) {
    state.textContent = text;
  }

  function choose(next) {
    refresh();
    if (entries.length === 0) {
      say(map.getZoom() < minZoom
        ? 'Keine Gebäude: zum Wählen näher heranzoomen.'
        : 'Keine Gebäude im Ausschnitt.');
      return;
    }
    index = (next(index, entries.length) + entries.length) % entries.length;
    const { feature, latlng } = entries[index];
    chosenId = feature.id;
    const option = element('div', 'building-picker-option');
    option.id = `building-picker-option-${feature.id}`;
    option.setAttribute('role', 'option');
    option.setAttribute('aria-selected', 'true');
    option.setAttribute('aria-posinset', String(index + 1));
    option.setAttribute('aria-setsize', String(entries.length));
    const place = element('span', 'building-picker-place', `${numberFormat.format(index + 1)}/${numberFormat.format(entries.length)}`);
    place.setAttribute('aria-hidden', 'true');  // aria-posinset says it
    option.append(place, ' ', `${describe(feature)}, ${whereFromCentre(map, latlng)}`);
    box.replaceChildren(option);
    box.setAttribute('aria-activedescendant', option.id);
    say('');
    showOutline(feature);
  }

  // A click on a building ends the keyboard's choice: the outline would point elsewhere.
  function forget() {
    chosenId = null;
    index = -1;
    outline?.remove();
    outline = null;
    box.removeAttribute('aria-activedescendant');
    box.replaceChildren(placeholder);
  }

  function openChosen() {
    if (index < 0) choose(() => 0);
    const entry = entries[index];
    if (entry) open(entry.feature, entry.latlng, box);
  }

  const KEYS = {
    ArrowDown: () => choose((i) => i + 1),
    ArrowRight: () => choose((i) => i + 1),
    ArrowUp: () => choose((i) => (i < 0 ? -1 : i - 1)),
    ArrowLeft: () => choose((i) => (i < 0 ? -1 : i - 1)),
    Home: () => choose(() => 0),
    End: () => choose(() => -1),
    Enter: openChosen,
    ' ': openChosen,
  };

  control.onAdd = () => {
    if (!map.getPane(PANE)) {
      // Above the tiles and the vacancy circles, below markers and popups; never takes a click.
      map.createPane(PANE).style.zIndex = '450';
      map.getPane(PANE).style.pointerEvents = 'none';
    }
    const container = element('section', 'leaflet-control building-picker');
    const title = element('h2', null, 'Gebäude wählen');
    title.id = 'building-picker-title';
    container.setAttribute('aria-labelledby', title.id);
    box = element('div', 'building-picker-box');
    box.id = 'building-picker';
    box.tabIndex = 0;
    box.setAttribute('role', 'listbox');
    box.setAttribute('aria-labelledby', title.id);
    placeholder = element('span', 'building-picker-placeholder', 'noch keins gewählt');
    placeholder.setAttribute('aria-hidden', 'true');  // the hint says what to do
    box.append(placeholder);
    const hint = element('p', 'building-picker-hint',
      'Pfeiltasten: nächstes Gebäude von der Kartenmitte aus; Eingabetaste: öffnen.');
    hint.id = 'building-picker-hint';
    box.setAttribute('aria-describedby', hint.id);
    state = element('p', 'building-picker-state');
    state.setAttribute('role', 'status');
    container.append(title, box, hint, state);
    box.addEventListener('keydown', (event) => {
      const action = KEYS[event.key];
      if (!action || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();  // no page scroll, no click of anything behind
      action();
    });
    L.DomEvent.disableClickPropagation(container);
    L.DomEvent.disableScrollPropagation(container);
    map.on('moveend', markStale);
    layer.on('tiledata tileunload', markStale);
    layer.on('featureclick', forget);
    return container;
  };

  control.onRemove = () => {
    map.off('moveend', markStale);
    layer.off('tiledata tileunload', markStale);
    layer.off('featureclick', forget);
    outline?.remove();
    outline = null;
  };

  return control;
}
