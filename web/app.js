// Leerstandsatlas web app. The public map: the Kommunen of the network as a choropleth of a
// chosen figure (from the kommunen tiles and collection), published vacancies and Zukunftsorte
// with popups, a legend, a Kommune search and a profile panel with a 24-month trend. Signed in:
// the buildings coloured by vacancy status from the GeoJSON tiles, a click shows the record.
//
// Leaflet is loaded as a classic script before this module (window.L); see index.html.
// Everything that comes from the API is put into the page with textContent or DOM properties,
// never as HTML: descriptions are typed by Kommune staff and owners.

import { setUpAccount, whoAmI } from './account.js';
import { fetchJson, fetchPublicJson } from './api.js';
import { buildingPicker } from './building-picker.js';
import {
  countOf, definitionList, element, externalLink, formatArea, formatDate, numberFormat, webUrl,
} from './dom.js';
import {
  FIGURES, choroplethLayer, choroplethLegend, fillSearch, findKommune, loadKommunen,
} from './kommunen.js';
import { STATUS_LABELS, USE_LABELS, label, statusColor } from './labels.js';
import { focusableMarker, tabStopsInView } from './keyboard-markers.js';
import { showKommuneNames } from './kommune-labels.js';
import { foldableLegend, keepMapSized, keepPopupsClear } from './layout.js';
import { canReadInternal } from './editor.js';
import {
  BUILDINGS_MIN_ZOOM, buildingDescription, buildingOutline, buildingsLayer, openVacancyRecord, showBuilding,
} from './planner.js';
import { setUpExport, setUpUpload } from './transfer.js';
import { closePage, setUpPage } from './page.js';
import { networkBounds, setUpMembership } from './membership.js';
import { setUpInbox } from './inbox.js'; // part "inquiries"
import { navigate, otherwise, setTitle, startRouter } from './router.js';
import { setUpProfiles } from './profile.js';
import { addBasemap, addDataAttribution, fillFooter, setUpSitePages } from './site.js';
import { setUpZensusGrid } from './zensus-grid.js';
import { setUpZukunftsorte } from './zukunftsorte.js';
import { setUpOffers } from './offers.js';  // part "offers"
import { setUpNeeds } from './needs.js';  // part "needs" of issue 23
import { setUpVacancyList, setUpZoomHint } from './vacancy-list.js';

const GERMANY_CENTER = [51.16, 10.45];
const GERMANY_ZOOM = 6;
const COUNT_FIELDS = ['kommunen', 'buildings', 'zukunftsorte'];
// The server's largest page; enough for this first slice (issue 6 switches to tiles).
const ITEM_LIMIT = 10000;
// Close enough to see the street, far enough to keep neighbouring markers apart.
const FIT_MAX_ZOOM = 16;
const FIT_PADDING = [40, 40];


// ---------------------------------------------------------------------------------------------
// Map

function createMap(container) {
  // The zoom buttons go bottom left: the profile panel opens top left.
  const map = L.map(container, { zoomControl: false }).setView(GERMANY_CENTER, GERMANY_ZOOM);
  L.control.zoom({ position: 'bottomleft', zoomInTitle: 'Hineinzoomen', zoomOutTitle: 'Herauszoomen' }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  addBasemap(map);
  addDataAttribution(map);
  return map;
}

/** True while the map shows the overview of Germany it opened with: a search, pan or view
 *  opened before the data came in stays. */
function atFirstOverview(map) {
  return map.getZoom() === GERMANY_ZOOM && map.getCenter().equals(L.latLng(GERMANY_CENTER));
}

/** Opens on the network: fits the members' outlines when there are members. Resolves true
 *  when there are (the data layers then leave the view alone). */
async function fitToMembers(map) {
  let bounds = null;
  try {
    bounds = await networkBounds();
  } catch {
    return false;
  }
  if (!bounds?.isValid()) return false;
  if (atFirstOverview(map)) map.fitBounds(bounds, { padding: FIT_PADDING, animate: false });
  return true;
}

/** Shows all `groups` that have features; keeps the overview of Germany when none has. */
function fitToData(map, groups) {
  if (!atFirstOverview(map)) return;
  const bounds = L.latLngBounds([]);
  for (const group of groups) {
    if (group.getLayers().length > 0) bounds.extend(group.getBounds());
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: FIT_PADDING, maxZoom: FIT_MAX_ZOOM, animate: false });
}

// ---------------------------------------------------------------------------------------------
// Status colours

/** A small coloured square for the legend and the popup. */
function statusSwatch(status) {
  const swatch = element('span', 'swatch');
  swatch.style.backgroundColor = statusColor(status);
  swatch.setAttribute('aria-hidden', 'true');
  return swatch;
}

// ---------------------------------------------------------------------------------------------
// Status panel

function setField(panel, name, value) {
  const field = panel.querySelector(`[data-field="${name}"]`);
  if (field) field.textContent = value;
}

function showStatus(panel, health) {
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

/** The panel's line about the data layers, created on first use below the service status. */
function layerMessage(panel) {
  let message = panel.querySelector('#layer-message');
  if (!message) {
    message = element('p');
    message.id = 'layer-message';
    panel.querySelector('#status-message').after(message);
  }
  return message;
}

function showLayerState(panel, state, text) {
  layerMessage(panel).textContent = text;
  panel.dataset.layers = state;
}

// ---------------------------------------------------------------------------------------------
// Fetching

async function loadStatus(panel) {
  try {
    const health = await fetchJson('/health', 'application/json');
    if (typeof health.counts !== 'object' || health.counts === null) {
      throw new Error('unerwartete Antwort');
    }
    showStatus(panel, health);
  } catch (error) {
    showError(panel, error.message);
  }
}

/** The features of one collection as the public sees them (the server filters); without the
 *  session cookie, so staff see the same markers (and a report leaves them when it is no longer
 *  public), their own reports in the buildings' colours. */
async function fetchCollection(name) {
  const collection = await fetchPublicJson(`/collections/${name}/items?limit=${ITEM_LIMIT}`,
    'application/geo+json');
  if (collection?.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw new Error('unerwartete Antwort');
  }
  return collection;
}

// ---------------------------------------------------------------------------------------------
// Popups

function vacancyPopup(properties) {
  const popup = element('div', 'popup popup-vacancy');
  popup.append(element('h2', 'popup-title', 'Leerstand'));
  const status = element('span', 'status');
  status.append(statusSwatch(properties.status), label('status', properties.status));
  popup.append(definitionList([
    ['Status', properties.status ? status : ''],
    ['Nutzung', label('use', properties.use)],
    ['Umfang', label('degree', properties.degree)],
    ['Leer seit', formatDate(properties.vacant_since)],
    ['Fläche', formatArea(properties.floor_area_m2)],
  ]));
  if (properties.public_description) {
    popup.append(element('p', 'popup-text', properties.public_description));
  }
  return popup;
}

function zukunftsortPopup(properties, id) {
  const popup = element('div', 'popup popup-zukunftsort');
  popup.append(element('h2', 'popup-title', properties.name || 'Zukunftsort'));
  if (properties.kind) popup.append(element('p', 'popup-kind', properties.kind));
  if (properties.description) popup.append(element('p', 'popup-text', properties.description));
  const website = webUrl(properties.website);
  const facts = definitionList([
    ['Eröffnet', formatDate(properties.opened)],
    ['Website', website ? externalLink(website, website, 'popup-link') : ''],
  ]);
  if (facts.childElementCount > 0) popup.append(facts);
  if (Number.isInteger(id)) {
    // The place's page tells its story.
    const more = element('a', 'popup-more', 'Mehr erfahren');
    more.href = `/zukunftsorte/${id}`;
    more.dataset.route = '';
    popup.append(more);
  }
  return popup;
}

// ---------------------------------------------------------------------------------------------
// Data layers

/** The position of a Point feature, or null for anything else (such features are skipped). */
function pointLatLng(feature) {
  const geometry = feature?.geometry;
  if (geometry?.type !== 'Point' || !Array.isArray(geometry.coordinates)) return null;
  const [lon, lat] = geometry.coordinates;
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return null;
  return L.latLng(lat, lon);
}

// A vacancy's marker whose popup may give way to the record: `openRecord(marker)` returns true
// when it opened the record instead (staff who read the report's internal data). Clicks and the
// keyboard both open popups through openPopup.
const VacancyMarker = L.CircleMarker.extend({
  openPopup(latlng) {
    if (this.options.openRecord?.(this)) return this;
    return L.CircleMarker.prototype.openPopup.call(this, latlng);
  },
});

function vacancyMarker(feature, latlng, openRecord) {
  const properties = feature.properties ?? {};
  const status = properties.status;
  const known = Object.hasOwn(STATUS_LABELS, status);
  const marker = new VacancyMarker(latlng, {
    openRecord,
    radius: 8,
    color: '#ffffff',
    weight: 2,
    fillColor: statusColor(status),
    fillOpacity: 0.95,
    className: known ? `vacancy-marker status-${status}` : 'vacancy-marker',
  }).bindPopup(() => vacancyPopup(properties));
  marker.feature = feature;  // for the filters
  const use = properties.use ? `, ${label('use', properties.use)}` : '';
  return focusableMarker(marker, `Leerstand: ${label('status', status) || 'ohne Status'}${use}`);
}

const zukunftsortIcon = L.divIcon({ className: 'zukunftsort-marker', iconSize: [18, 18] });

function zukunftsortMarker(feature, latlng) {
  const properties = feature.properties ?? {};
  const name = properties.name ? `Zukunftsort: ${properties.name}` : 'Zukunftsort';
  // title: the tooltip for the mouse; the keyboard gets the same as its name.
  return focusableMarker(L.marker(latlng, { icon: zukunftsortIcon, title: name, riseOnHover: true })
    .bindPopup(() => zukunftsortPopup(properties, feature.id)), name);
}

/** Replaces the markers of `group` with one per Point feature of `collection`. */
function fillGroup(group, collection, makeMarker) {
  group.clearLayers();
  for (const feature of collection.features) {
    const latlng = pointLatLng(feature);
    if (latlng) group.addLayer(makeMarker(feature, latlng));
  }
  return group;
}

/** The legend: vacancy statuses with their colours, then the Zukunftsort marker. */
function legendContent() {
  const legend = element('section', 'legend');
  legend.setAttribute('aria-label', 'Legende');
  legend.append(element('h2', null, 'Leerstände'));
  const statuses = element('ul');
  for (const [status, text] of Object.entries(STATUS_LABELS)) {
    const item = element('li');
    item.append(statusSwatch(status), text);
    statuses.append(item);
  }
  const places = element('ul');
  const place = element('li');
  const symbol = element('span', 'swatch swatch-zukunftsort');
  symbol.setAttribute('aria-hidden', 'true');
  place.append(symbol, 'Zukunftsort');
  places.append(place);
  // part "offers": the offer marker and the list of offers
  const offer = element('li');
  const offerSymbol = element('span', 'swatch swatch-angebot');
  offerSymbol.setAttribute('aria-hidden', 'true');
  offer.append(offerSymbol, 'Angebot');
  places.append(offer);
  const more = element('p', 'legend-more');
  const list = element('a', 'legend-link', 'Alle Zukunftsorte');
  list.href = '/zukunftsorte';
  list.dataset.route = '';
  const offers = element('a', 'legend-link', 'Alle Angebote');
  offers.href = '/angebote';
  offers.dataset.route = '';
  more.append(list, ' · ', offers);
  // part "needs" of issue 23: what initiatives look for, beside the places that came back.
  const needs = element('a', 'legend-link', 'Gesuche');
  needs.href = '/gesuche';
  needs.dataset.route = '';
  more.append(' · ', needs);
  legend.append(statuses, places, more);
  return legend;
}

/** The legend control: the choropleth's classes (replaced when the figure changes), then the
 *  vacancy statuses and the Zukunftsort symbol. */
function addLegend(map, figure) {
  const control = L.control({ position: 'bottomright' });
  control.onAdd = () => {
    const container = element('div', 'leaflet-control legend-control');
    container.append(choroplethLegend(figure), legendContent());
    foldableLegend(container);
    // Scrolling or clicking the legend must not move the map underneath.
    L.DomEvent.disableClickPropagation(container);
    L.DomEvent.disableScrollPropagation(container);
    return container;
  };
  control.setFigure = (next) => {
    control.getContainer().querySelector('.choropleth-legend').replaceWith(choroplethLegend(next));
  };
  return control.addTo(map);
}

/** What the panel says once both layers are in; notes when the vacancies did not fit a page. */
function layerSummary(vacancies, places) {
  let shown = countOf(vacancies.features.length, 'Leerstand', 'Leerstände');
  if (vacancies.numberMatched > vacancies.features.length) {
    shown += ` (von ${numberFormat.format(vacancies.numberMatched)})`;
  }
  return `Auf der Karte: ${shown}, ${countOf(places.features.length, 'Zukunftsort', 'Zukunftsorte')}.`;
}

/**
 * The markers of the vacancies and Zukunftsorte. `load()` fetches both collections (again, after
 * a write); a failure of one still shows the other. `load()` never rejects. `filtersOf()` gives
 * the filters the markers follow; `openRecord(marker)` is the vacancy markers' (VacancyMarker).
 */
function setUpLayers(map, panel, { membersShown, filtersOf, openRecord }) {
  const vacancyGroup = L.featureGroup().addTo(map);
  const placeGroup = L.featureGroup().addTo(map);
  const updateTabStops = tabStopsInView(map, () => [...vacancyGroup.getLayers(), ...placeGroup.getLayers()]);
  let loads = 0;
  const load = async () => {
    const first = loads === 0;
    const current = ++loads;
    if (first) showLayerState(panel, 'loading', 'Karte wird geladen …');
    const [vacancies, places] = await Promise.allSettled([
      fetchCollection('vacancies'),
      fetchCollection('zukunftsorte'),
    ]);
    // Two writes in a row: only the answer of the last load is drawn.
    if (current !== loads) return;
    const failures = [];
    if (vacancies.status === 'fulfilled') {
      fillGroup(vacancyGroup, vacancies.value, (feature, latlng) => vacancyMarker(feature, latlng, openRecord));
    } else {
      failures.push(`Leerstände nicht abrufbar: ${vacancies.reason.message}.`);
    }
    if (places.status === 'fulfilled') {
      fillGroup(placeGroup, places.value, zukunftsortMarker);
    } else {
      failures.push(`Zukunftsorte nicht abrufbar: ${places.reason.message}.`);
    }
    if (first && !(await membersShown)) fitToData(map, [vacancyGroup, placeGroup]);
    filterMarkers(map, filtersOf());
    updateTabStops();
    if (failures.length > 0) {
      showLayerState(panel, 'error', failures.join(' '));
    } else {
      showLayerState(panel, 'ready', layerSummary(vacancies.value, places.value));
    }
  };
  return { load, updateTabStops };
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Kommunen: choropleth, search, profile

function setUpKommunen(map, { figureSelect, legend, searchForm, openKommune, isBuildingAt }) {
  let kommunen = new Map();
  const figureOf = () => figureSelect.value;
  const layer = choroplethLayer((ags) => kommunen.get(ags), figureOf).addTo(map);
  showKommuneNames(map, layer);
  layer.on('featureclick', ({ feature, latlng }) => {
    if (isBuildingAt(latlng)) return;
    const ags = feature.properties?.ags;
    if (ags && ags.length === 8) openKommune(ags);
  });
  figureSelect.addEventListener('change', () => {
    legend.setFigure(figureOf());
    layer.restyle();
  });
  const input = searchForm.querySelector('input');
  const message = searchForm.querySelector('.search-message');
  searchForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const kommune = findKommune(kommunen, input.value);
    if (!kommune) {
      message.textContent = `Keine Kommune „${input.value.trim()}“ gefunden.`;
      return;
    }
    message.textContent = '';
    input.value = kommune.name;
    openKommune(kommune.ags);
  });
  // Loaded again after sign-in and sign-out: planners get exact figures, the public small
  // counts suppressed.
  const load = () => loadKommunen()
    .then((loaded) => {
      const first = kommunen.size === 0;
      kommunen = loaded;
      layer.restyle();
      if (first) fillSearch(document.getElementById('kommune-names'), kommunen);
      document.body.dataset.kommunen = 'ready';
    })
    .catch((error) => {
      message.textContent = `Kommunen nicht abrufbar: ${error.message}`;
    });
  load();
  return { kommunenOf: () => kommunen, reload: load };
}

/** [ags, name] of the Gemeinden `me` may upload for (an editor's own, all for an admin). */
function uploadKommunen(me, kommunen) {
  const mine = (ags) => me?.role === 'admin' || (me?.kommunen ?? []).some((k) => ags.startsWith(k));
  return [...kommunen.values()]
    .filter((k) => k.ags.length === 8 && mine(k.ags))
    .sort((a, b) => a.name.localeCompare(b.name, 'de'))
    .map((k) => [k.ags, k.name]);
}

// ---------------------------------------------------------------------------------------------
// Signed in: the planner layer

function setUpPlanner(map, profile, { filtersOf, focusProfile, changed }) {
  let buildings = null;
  let picker = null;
  let me = null;
  const outline = buildingOutline(map, profile);
  const context = (latlng) => ({ me, latlng, changed, outline });
  const openBuilding = (feature, latlng) => {
    // The panel leaves the Kommune's page for the building.
    delete profile.dataset.view;
    showBuilding(profile, feature, context(latlng));
  };
  const openVacancy = (id, latlng = null) => {
    delete profile.dataset.view;
    return openVacancyRecord(profile, id, context(latlng));
  };
  return {
    openVacancy,
    /** For a vacancy marker: staff who read the report's internal data get its record (and
     *  the keyboard the panel's focus), everyone else the popup. */
    openMarkerRecord(marker) {
      const properties = marker.feature?.properties ?? {};
      if (!Number.isInteger(marker.feature?.id) || !canReadInternal(me, properties.kommune_ags)) return false;
      openVacancy(marker.feature.id, marker.getLatLng());
      focusProfile(marker.getElement());
      return true;
    },
    isBuildingAt: (latlng) => Boolean(buildings && map.getZoom() >= BUILDINGS_MIN_ZOOM && buildings.featureAt(latlng)),
    update(who) {
      me = who;
      document.body.dataset.role = me.signed_in ? me.role : 'public';
      if (me.signed_in && !buildings) {
        buildings = buildingsLayer(statusColor, (status) => !filtersOf().status || filtersOf().status === status).addTo(map);
        buildings.on('featureclick', ({ feature, latlng }) => openBuilding(feature, latlng));
        // The keyboard's way to the same record.
        picker = buildingPicker(map, buildings, {
          minZoom: BUILDINGS_MIN_ZOOM,
          describe: buildingDescription,
          open(feature, latlng, opener) {
            openBuilding(feature, latlng);
            focusProfile(opener);
          },
        }).addTo(map);
      } else if (!me.signed_in && buildings) {
        picker.remove();
        picker = null;
        buildings.remove();
        buildings = null;
        profile.hidden = true;
        outline.clear();
      }
    },
    me: () => me,
    restyle: () => buildings?.restyle(),
    refresh: () => buildings?.redraw(),
  };
}

// ---------------------------------------------------------------------------------------------
// Filters: status for the buildings, status, use and vacant-since for the vacancy markers and
// the export.

function setUpFilters(form, changed) {
  for (const [value, text] of Object.entries(STATUS_LABELS)) form.elements.status.append(new Option(text, value));
  for (const [value, text] of Object.entries(USE_LABELS)) form.elements.use.append(new Option(text, value));
  const current = () => ({
    status: form.elements.status.value || null,
    use: form.elements.use.value || null,
    since: form.elements.since.value || null,
  });
  form.addEventListener('change', () => changed(current()));
  form.addEventListener('submit', (event) => event.preventDefault());
  return current;
}

/** Shows the vacancy markers that pass the filters, hides the others. */
function filterMarkers(map, filters) {
  map.eachLayer((layer) => {
    const properties = layer.feature?.properties;
    if (!properties || !layer.setStyle || !layer.options.className?.includes('vacancy-marker')) return;
    const shown = (!filters.status || properties.status === filters.status)
      && (!filters.use || properties.use === filters.use)
      && (!filters.since || (properties.vacant_since ?? '') >= filters.since);
    layer.setStyle({ opacity: shown ? 1 : 0, fillOpacity: shown ? 0.95 : 0 });
    layer.getElement()?.classList.toggle('filtered-out', !shown);
  });
}

/** Focus for the profile panel: taken when the keyboard opens it (`focusProfile(opener)`), and
 *  given back to the opener when Escape or the close button closes it, so the keyboard user is
 *  where they were. */
function profileFocus(profile, closeButton) {
  let opener = null;
  const close = () => {
    // A Kommune's profile is a page of its own: closing it goes back to the map's address.
    if (profile.dataset.view === 'kommune') navigate('/');
    profile.hidden = true;
    opener?.focus({ preventScroll: true });
    opener = null;
  };
  // The close button sits outside the panel: Escape works on it too.
  for (const target of [profile, closeButton]) {
    target.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
    });
  }
  closeButton.addEventListener('click', close);
  return (from) => {
    opener = from;
    profile.focus({ preventScroll: true });
  };
}

// ---------------------------------------------------------------------------------------------

function start() {
  const panel = document.getElementById('status');
  const profile = document.getElementById('profile');
  const figureSelect = document.getElementById('figure');
  for (const [value, figure] of Object.entries(FIGURES)) figureSelect.append(new Option(figure.label, value));
  const map = createMap(document.getElementById('map'));
  // For the browser tests and an operator's console: the Leaflet map of the page.
  window.leerstandMap = map;
  keepMapSized(map);
  keepPopupsClear(map);
  const legend = addLegend(map, figureSelect.value);
  setUpZensusGrid(map);
  let filtersOf = () => ({});
  let layers = null;
  let choropleth = null;
  let vacancyList = null;
  // Everything that shows stored data follows a write at once (a saved form, an upload; the
  // list of vacancies calls it too): the buildings' colours, the markers, the status panel's
  // counts and the Kommunen's figures.
  const refreshAfterWrite = () => {
    planner.refresh();
    layers?.load();
    loadStatus(panel);
    choropleth?.reload();
    vacancyList?.reload();
  };
  const planner = setUpPlanner(map, profile, {
    filtersOf: () => filtersOf(),
    focusProfile: profileFocus(profile, document.getElementById('profile-close')),
    changed: () => refreshAfterWrite(),
  });
  filtersOf = setUpFilters(document.getElementById('filters'), (filters) => {
    planner.restyle();
    filterMarkers(map, filters);
    layers?.updateTabStops();
    vacancyList?.reload();
  });
  setUpExport({ form: document.getElementById('export'), boundsOf: () => map.getBounds(), filtersOf });
  const profiles = setUpProfiles({ map, panel: profile, meOf: () => planner.me() });
  choropleth = setUpKommunen(map, {
    figureSelect, legend, openKommune: profiles.open, searchForm: document.getElementById('search'),
    isBuildingAt: planner.isBuildingAt,
  });
  vacancyList = setUpVacancyList({
    panel: document.getElementById('vacancy-list'),
    toggle: document.getElementById('vacancy-list-toggle'),
    map,
    filtersOf,
    kommuneName: (ags) => choropleth.kommunenOf().get(ags)?.name ?? '',
    openVacancy: planner.openVacancy,
    recordPanel: profile,
  });
  const zoomHint = setUpZoomHint(map, BUILDINGS_MIN_ZOOM);
  const upload = setUpUpload({
    dialog: document.getElementById('upload-dialog'),
    kommunenOf: () => uploadKommunen(planner.me(), choropleth.kommunenOf()),
    uploaded: () => refreshAfterWrite(),
  });
  const account = setUpAccount({
    area: document.getElementById('account'),
    dialog: document.getElementById('sign-in-dialog'),
    changed: (me) => {
      planner.update(me);
      vacancyList.update(me);
      zoomHint.update(me);
      choropleth.reload();
      profiles.signedInChanged();
    },
    openUpload: () => upload.open(),
  });
  const signedIn = whoAmI();
  signedIn.then((me) => {
    account.render(me);
    planner.update(me);
    vacancyList.update(me);
    zoomHint.update(me);
    profiles.signedInChanged();
  });
  loadStatus(panel);
  panel.querySelector('.intro-close').addEventListener('click', () => panel.classList.add('intro-closed'));
  layers = setUpLayers(map, panel, {
    membersShown: fitToMembers(map), filtersOf: () => filtersOf(), openRecord: (marker) => planner.openMarkerRecord(marker),
  });
  layers.load().catch(() => {
    // Only a bug in this file can get here; say so rather than leave "wird geladen".
    showLayerState(panel, 'error', 'Karte konnte nicht aufgebaut werden.');
  });
  setUpPage();
  setUpSitePages();
  fillFooter(document.getElementById('site-footer'));
  setUpMembership({ kommunenOf: () => choropleth.kommunenOf(), meOf: whoAmI, changed: () => choropleth.reload() });
  setUpInbox({ meOf: whoAmI }); // part "inquiries"
  setUpZukunftsorte({ map, me: async () => planner.me() ?? signedIn, addBasemap });
  setUpOffers({ map, me: async () => planner.me() ?? signedIn });  // part "offers"
  setUpNeeds({ meOf: whoAmI });  // part "needs" of issue 23
  // The map itself: no page over it. Views of other modules register before startRouter().
  otherwise(() => {
    closePage();
    profiles.close();
    setTitle('');
  });
  startRouter();
}

start();
