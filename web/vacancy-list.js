// The planner's list (signed-in staff): the vacancies the server shows the caller, as a table
// of status, use, address, Kommune, vacant since and last change. Filtered by the map's
// filters (status, use, since), optionally by the map's view, and by street and house number
// (the server's `address=`); paged through the API's `next` links; a row click moves the map
// to the vacancy and opens its record, and the row of the open record is highlighted.
//
// Sorting uses the API's `sortby` where the API has the key (status, use, Kommune, since), so
// every page follows one order; address and last change are no sort keys of the API (they are
// not columns of the vacancy, or differ between audiences), so they order the rows loaded.

import { fetchJson } from './api.js';
import { element, formatDate, numberFormat } from './dom.js';
import { label } from './labels.js';
import { problemText } from './messages.js';

// Rows per request: a screen or two; more come through the `next` link.
export const LIST_PAGE_SIZE = 50;
// Close enough to tell the building from its neighbours.
const ROW_ZOOM = 18;
// Below this width the record and the list share the top of the screen: a row click closes
// the list so the record can be read (the toggle opens it again).
const NARROW = '(max-width: 640px)';

/** The columns in order: `sortby` is the API's key, null where the rows loaded are sorted. */
const COLUMNS = [
  { key: 'status', title: 'Status', sortby: 'status', text: (row) => label('status', row.properties.status) },
  { key: 'use', title: 'Nutzung', sortby: 'use', text: (row) => label('use', row.properties.use) },
  { key: 'address', title: 'Adresse', sortby: null, text: (row) => row.address },
  { key: 'kommune', title: 'Kommune', sortby: 'kommune_ags', text: (row) => row.kommune },
  { key: 'since', title: 'Leer seit', sortby: 'vacant_since', text: (row) => formatDate(row.properties.vacant_since) },
  { key: 'changed', title: 'Letzte Änderung', sortby: null, text: (row) => formatDate(row.properties.updated_at) },
];

/** The value a column is sorted by in the browser (ISO dates sort as text). */
function sortValue(row, key) {
  if (key === 'changed') return row.properties.updated_at ?? '';
  return COLUMNS.find((column) => column.key === key).text(row) ?? '';
}

/** The address of a building ('Hauptstraße 12'), '' without one; each building once. */
function addressBook() {
  const known = new Map();
  return (buildingId) => {
    if (!Number.isInteger(buildingId)) return Promise.resolve('');
    if (!known.has(buildingId)) {
      known.set(buildingId, fetchJson(`/collections/buildings/items/${buildingId}?properties=street,housenumber`,
        'application/geo+json')
        .then((building) => [building.properties?.street, building.properties?.housenumber].filter(Boolean).join(' '))
        .catch(() => ''));
    }
    return known.get(buildingId);
  };
}

/** The path and query of a link of the API: pages are fetched from this page's own origin, with
 *  its session, whatever public address the server writes into its links. */
function samePath(href) {
  const url = new URL(href, window.location.href);
  return url.pathname + url.search;
}

/**
 * Wires the list panel `panel` and its `toggle` button: `map` (Leaflet), `filtersOf()` the
 * map's filters ({status, use, since}), `kommuneName(ags)`, `openVacancy(id, latlng)` opens a
 * vacancy's record (planner.js), `recordPanel` the panel that shows it (its `.vacancy-record[data-vacancy]`
 * marks the row). Returns { update(me), reload() }.
 */
export function setUpVacancyList({ panel, toggle, map, filtersOf, kommuneName, openVacancy, recordPanel }) {
  const addressOf = addressBook();
  let rows = [];
  let next = null;
  let sort = { key: 'since', descending: true };
  let generation = 0;  // a newer request wins over an older one still on its way

  // -- the panel's parts ---------------------------------------------------------------------
  const heading = element('h2', 'vacancy-list-title', 'Leerstände');
  heading.id = 'vacancy-list-title';
  panel.setAttribute('aria-labelledby', heading.id);
  // The layout's close button (.panel-close), as the record panel has it.
  const close = element('button', 'panel-close vacancy-list-close', 'Schließen');
  close.type = 'button';
  close.setAttribute('aria-label', 'Liste schließen');
  const search = element('form', 'vacancy-list-search');
  search.setAttribute('role', 'search');
  const searchLabel = element('label', null, 'Adresse');
  const searchInput = element('input');
  searchInput.type = 'search';
  searchInput.name = 'address';
  searchInput.id = 'vacancy-list-address';
  searchInput.maxLength = 200;
  searchInput.placeholder = 'z. B. Berliner Str. 12';
  searchLabel.htmlFor = searchInput.id;
  const searchButton = element('button', null, 'Suchen');
  searchButton.type = 'submit';
  search.append(searchLabel, searchInput, searchButton);
  const viewOnly = element('label', 'vacancy-list-view');
  const viewBox = element('input');
  viewBox.type = 'checkbox';
  viewBox.name = 'view';
  viewOnly.append(viewBox, ' nur Kartenausschnitt');
  const summary = element('p', 'vacancy-list-summary');
  summary.setAttribute('role', 'status');
  const table = element('table', 'vacancy-list-table');
  const caption = element('caption', 'vacancy-list-caption', 'Leerstände, nach Spalten sortierbar');
  const head = element('thead');
  const headRow = element('tr');
  const body = element('tbody');
  const headers = new Map();
  for (const column of COLUMNS) {
    const th = element('th');
    th.scope = 'col';
    th.dataset.column = column.key;
    const button = element('button', 'vacancy-list-sort', column.title);
    button.type = 'button';
    if (!column.sortby) button.title = 'sortiert die geladenen Zeilen';
    button.addEventListener('click', () => {
      sort = { key: column.key, descending: sort.key === column.key ? !sort.descending : false };
      if (column.sortby) load(); else render();
    });
    th.append(button);
    headers.set(column.key, th);
    headRow.append(th);
  }
  head.append(headRow);
  table.append(caption, head, body);
  const scroller = element('div', 'vacancy-list-scroller');
  scroller.append(table);
  const more = element('button', 'vacancy-list-more', 'Weitere laden');
  more.type = 'button';
  more.hidden = true;
  const top = element('div', 'vacancy-list-head');
  top.append(heading, search, viewOnly, close);
  panel.replaceChildren(top, summary, scroller, more);

  // -- loading -------------------------------------------------------------------------------
  function firstPage() {
    const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
    const filters = filtersOf();
    if (filters.status) query.set('status', filters.status);
    if (filters.use) query.set('use', filters.use);
    if (filters.since) query.set('datetime', `${filters.since}/..`);
    const address = searchInput.value.trim();
    if (address) query.set('address', address);
    if (viewBox.checked) query.set('bbox', map.getBounds().toBBoxString());
    const column = COLUMNS.find((c) => c.key === sort.key);
    // Rows sorted in the browser come in the API's order of vacant_since, newest first.
    query.set('sortby', column.sortby ? `${sort.descending ? '-' : ''}${column.sortby}` : '-vacant_since');
    return `/collections/vacancies/items?${query}`;
  }

  async function fetchPage(url, mine) {
    const page = await fetchJson(url, 'application/geo+json');
    const features = Array.isArray(page?.features) ? page.features : [];
    const loaded = await Promise.all(features.map(async (feature) => ({
      id: feature.id,
      feature,
      properties: feature.properties ?? {},
      address: await addressOf(feature.properties?.building_id),
      kommune: kommuneName(feature.properties?.kommune_ags) || feature.properties?.kommune_ags || '',
    })));
    if (mine !== generation) return null;
    const link = (page.links ?? []).find((l) => l.rel === 'next');
    next = link ? samePath(link.href) : null;
    return { loaded, matched: page.numberMatched };
  }

  let matched = 0;
  async function show(url, append) {
    const mine = ++generation;
    panel.dataset.state = 'loading';
    more.disabled = true;
    try {
      const page = await fetchPage(url, mine);
      if (!page) return;
      rows = append ? [...rows, ...page.loaded] : page.loaded;
      matched = Number.isInteger(page.matched) ? page.matched : rows.length;
      render();
      panel.dataset.state = 'ready';
    } catch (error) {
      if (mine !== generation) return;
      // The German text of the problem's code (a bad search, a lost session, a busy store).
      summary.textContent = problemText(error);
      panel.dataset.state = 'error';
    } finally {
      more.disabled = false;
    }
  }

  function load() {
    if (panel.hidden) return Promise.resolve();
    next = null;
    return show(firstPage(), false);
  }

  // -- showing -------------------------------------------------------------------------------
  function sorted() {
    const column = COLUMNS.find((c) => c.key === sort.key);
    if (column.sortby) return rows;  // in the API's order
    const direction = sort.descending ? -1 : 1;
    return [...rows].sort((a, b) => direction * String(sortValue(a, sort.key))
      .localeCompare(String(sortValue(b, sort.key)), 'de', { numeric: true }) || a.id - b.id);
  }

  function render() {
    for (const [key, th] of headers) {
      th.setAttribute('aria-sort', key === sort.key ? (sort.descending ? 'descending' : 'ascending') : 'none');
    }
    const lines = sorted().map((row) => {
      const tr = element('tr', 'vacancy-list-row');
      tr.dataset.vacancy = String(row.id);
      tr.tabIndex = 0;
      for (const column of COLUMNS) {
        const td = element('td');
        // A line may break after a slash ("Neukirchen/Erzgeb."), so long names fit narrow screens.
        column.text(row).split('/').forEach((part, i) => {
          if (i > 0) td.append('/', element('wbr'));
          td.append(part);
        });
        td.dataset.column = column.key;
        if (column.key === 'status') td.dataset.status = row.properties.status ?? '';
        tr.append(td);
      }
      tr.addEventListener('click', () => choose(row));
      tr.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          choose(row);
        }
      });
      return tr;
    });
    body.replaceChildren(...lines);
    summary.textContent = rows.length === 0
      ? 'Keine Leerstände zu diesen Filtern.'
      : `${numberFormat.format(rows.length)} von ${numberFormat.format(matched)} Leerständen`;
    more.hidden = !next;
    markOpenRecord();
  }

  function choose(row) {
    const [lon, lat] = row.feature.geometry?.coordinates ?? [];
    const latlng = Number.isFinite(lon) && Number.isFinite(lat) ? L.latLng(lat, lon) : null;
    if (latlng) map.setView(latlng, Math.max(map.getZoom(), ROW_ZOOM), { animate: false });
    if (window.matchMedia(NARROW).matches) setOpen(false);
    openVacancy(row.id, latlng);
  }

  /** Highlights the row whose record the record panel shows. */
  function markOpenRecord() {
    const record = recordPanel.hidden ? null : recordPanel.querySelector('.vacancy-record[data-vacancy]');
    const open = record?.dataset.vacancy ?? null;
    for (const tr of body.rows) {
      const current = tr.dataset.vacancy === open;
      tr.classList.toggle('vacancy-list-current', current);
      if (current) tr.setAttribute('aria-current', 'true'); else tr.removeAttribute('aria-current');
    }
  }
  new MutationObserver(markOpenRecord).observe(recordPanel,
    { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden', 'data-vacancy'] });

  // -- opening and closing ----------------------------------------------------------------
  function setOpen(open) {
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    document.body.classList.toggle('vacancy-list-open', open);
    if (open) load();
  }

  toggle.addEventListener('click', () => setOpen(panel.hidden));
  close.addEventListener('click', () => {
    setOpen(false);
    toggle.focus();
  });
  panel.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    setOpen(false);
    toggle.focus();
  });
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  // A cleared search field (its ×) shows every vacancy again.
  searchInput.addEventListener('search', () => { if (searchInput.value === '') load(); });
  viewBox.addEventListener('change', () => load());
  let moved = null;
  map.on('moveend', () => {
    if (!viewBox.checked || panel.hidden) return;
    clearTimeout(moved);
    moved = setTimeout(load, 250);
  });
  more.addEventListener('click', () => { if (next) show(next, true); });

  return {
    /** Staff get the toggle; the public neither the toggle nor the list. */
    update(me) {
      const staff = Boolean(me?.signed_in) && ['planner', 'editor', 'admin'].includes(me.role);
      toggle.hidden = !staff;
      if (!staff) {
        setOpen(false);
        rows = [];
        body.replaceChildren();
      } else if (!panel.hidden) {
        load();
      }
    },
    /** The map's filters changed, or a vacancy was written. */
    reload: () => load(),
  };
}

/**
 * The hint below the buildings' zoom for signed-in staff, where the map shows the Kommunen's
 * outlines only: a button that zooms in to `minZoom` where the buildings appear.
 */
export function setUpZoomHint(map, minZoom) {
  const hint = element('button', 'vacancy-list-zoom-hint', `Gebäude ab Zoomstufe ${minZoom} – hineinzoomen`);
  hint.type = 'button';
  hint.addEventListener('click', () => map.setZoom(minZoom));
  // A Leaflet control: the map's corners stack their controls, so it covers none of them.
  const control = L.control({ position: 'topleft' });
  control.onAdd = () => {
    const container = element('div', 'leaflet-control vacancy-list-zoom-control');
    container.append(hint);
    L.DomEvent.disableClickPropagation(container);
    return container;
  };
  control.addTo(map);
  let staff = false;
  const refresh = () => { control.getContainer().hidden = !staff || map.getZoom() >= minZoom; };
  map.on('zoomend', refresh);
  refresh();
  return {
    update(me) {
      staff = Boolean(me?.signed_in);
      refresh();
    },
  };
}
