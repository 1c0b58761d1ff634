// Upload and export. Upload (editors and admins): choose or drop a file (or a shapefile's
// .shp, .shx, .dbf, .prj and .cpg together), pick one Kommune or "all Gemeinden of my area",
// and the layer, then a progress bar while the server imports, then its report: what the
// server read (format, coordinate system, encoding), what it stored in which Gemeinde, and
// where the features lie that it did not store. Every sentence is built here from the report's
// values; the server's English texts never reach the page. Export: what is on screen (the
// map's bounds and the chosen filters) as GeoJSON, GeoPackage or CSV, through the same privacy
// filter as everything else.

import { ApiError, request } from './api.js';
import { definitionList, element, numberFormat } from './dom.js';
import {
  PROBLEM_TEXTS, fieldErrorText, jobErrorText, problemText,
} from './messages.js';
import { rejectionReason } from './rejection-reasons.js';

const POLL_MS = 300;
const LAYER_LABELS = Object.freeze({ buildings: 'Gebäudeumringe', vacancies: 'Leerstandsmeldungen' });
const STATE_LABELS = Object.freeze({ queued: 'wartet', running: 'läuft', done: 'fertig', failed: 'fehlgeschlagen' });
// The Kommune select's entry for automatic assignment (no AGS is empty).
const AUTOMATIC = '';
const AUTOMATIC_LABEL = 'Alle Gemeinden meines Gebiets (automatisch zuordnen)';
const FORMAT_LABELS = Object.freeze({
  'ESRI Shapefile': 'Shapefile', GPKG: 'GeoPackage', GeoJSON: 'GeoJSON', GeoJSONSeq: 'GeoJSON', CSV: 'CSV',
});
const CRS_SOURCES = Object.freeze({
  option: 'wie beim Hochladen angegeben',
  inferred: 'aus den Koordinaten erkannt',
});
const ENCODING_SOURCES = Object.freeze({
  cpg: 'aus der .cpg-Datei',
  'dbf-header': 'aus dem Kopf der .dbf-Datei',
  option: 'wie beim Hochladen angegeben',
  format: 'durch das Format festgelegt',
  guessed: 'aus dem Inhalt erkannt',
});
const degreeFormat = new Intl.NumberFormat('de-DE', { minimumFractionDigits: 3, maximumFractionDigits: 3 });

/** 'Bindlach (09472119)', or the AGS alone when the atlas has no name for it. */
function kommuneName({ ags, name }) {
  return name ? `${name} (${ags})` : ags;
}

/** The report's [{ags, name, count}] sorted by name (the AGS where a Kommune has none). */
function byName(list) {
  return [...(list ?? [])].sort((a, b) => (a.name ?? a.ags).localeCompare(b.name ?? b.ags, 'de'));
}

/** Format, coordinate system and encoding as the server found them. */
function sourceFacts(report) {
  const shapefile = report.format === 'ESRI Shapefile';
  const crsSource = report.crs_source === 'file'
    ? (shapefile ? 'aus der .prj-Datei' : 'aus der Datei') : CRS_SOURCES[report.crs_source];
  const crs = [report.crs, report.crs_name].filter(Boolean).join(' – ');
  return definitionList([
    ['Format', FORMAT_LABELS[report.format] ?? report.format],
    ['Koordinatensystem', crs && (crsSource ? `${crs} (${crsSource})` : crs)],
    ['Zeichenkodierung', report.encoding && (ENCODING_SOURCES[report.encoding_source]
      ? `${report.encoding} (${ENCODING_SOURCES[report.encoding_source]})` : report.encoding)],
  ], 'upload-source');
}

/** The table of what was stored in which Kommune, by name. */
function storedTable(report) {
  const stored = byName(report.stored_in);
  if (stored.length === 0) return null;
  const table = element('table', 'upload-kommunen');
  table.append(element('caption', null, 'Gespeichert nach Kommune'));
  const head = element('tr');
  head.append(element('th', null, 'Kommune'), element('th', null, 'Anzahl'));
  const thead = element('thead');
  thead.append(head);
  const body = element('tbody');
  for (const kommune of stored) {
    const tr = element('tr');
    const th = element('th', null, kommuneName(kommune));
    th.scope = 'row';
    tr.dataset.ags = kommune.ags;
    tr.append(th, element('td', null, numberFormat.format(kommune.count)));
    body.append(tr);
  }
  table.append(thead, body);
  return table;
}

/** Where the features lie that were not stored because they are outside the chosen area:
 *  one sentence naming the Kommunen with their counts, and their extent. */
function outsideText(report, names) {
  const outside = report.outside;
  if (!outside || outside.count === 0) return null;
  const what = report.target === 'buildings' ? 'Gebäude' : 'Objekte';
  const area = report.assignment === 'kommune'
    ? `außerhalb von ${names.get(report.kommune) ?? report.kommune}`
    : ((report.scope ?? []).length > 0 ? 'außerhalb Ihres Gebiets' : 'außerhalb der Kommunen des Atlas');
  const places = byName(outside.kommunen).map((k) => `${k.name ?? k.ags} (${numberFormat.format(k.count)})`);
  const [lies, was] = outside.count === 1 ? ['liegt', 'wurde'] : ['liegen', 'wurden'];
  const count = `${numberFormat.format(outside.count)} ${what}`;
  const box = element('div', 'upload-outside');
  // None in a Kommune of the atlas: where they lie, the atlas cannot name.
  if (places.length === 0) {
    box.append(element('p', 'upload-outside-places', `${count} ${lies} in keiner Kommune des Atlas und ${was} nicht gespeichert.`));
  } else {
    if (outside.in_no_kommune > 0) places.push(`in keiner Kommune des Atlas (${numberFormat.format(outside.in_no_kommune)})`);
    box.append(element('p', 'upload-outside-places', `${count} ${lies} ${area} und ${was} nicht gespeichert: ${places.join(', ')}.`));
  }
  if (Array.isArray(outside.bbox) && outside.bbox.length === 4) {
    const [west, south, east, north] = outside.bbox.map((v) => degreeFormat.format(v));
    box.append(element('p', 'upload-outside-extent',
      `Ausdehnung dieser ${what}: ${west}° bis ${east}° östl. Länge, ${south}° bis ${north}° nördl. Breite.`));
  }
  return box;
}

function reportTable(report) {
  const table = element('table', 'upload-report');
  const caption = element('caption', null, 'Bericht');
  const head = element('thead');
  const headRow = element('tr');
  headRow.append(element('th', null, 'Ergebnis'), element('th', null, 'Anzahl'));
  head.append(headRow);
  const body = element('tbody');
  const row = (text, count, className) => {
    const tr = element('tr', className);
    const th = element('th', null, text);
    th.scope = 'row';
    tr.append(th, element('td', null, numberFormat.format(count ?? 0)));
    body.append(tr);
    return tr;
  };
  row('gespeichert', report.stored, 'report-stored');
  row('abgelehnt', report.rejected, 'report-rejected');
  // The server words its reasons in English; the table says them in German and keeps the
  // server's wording in data-reason, for whoever compares with the uploads table or the CLI.
  for (const [reason, count] of Object.entries(report.rejected_by_reason ?? {})) {
    row(`– ${rejectionReason(reason)}`, count, 'report-reason').dataset.reason = reason;
  }
  if (typeof report.repaired === 'number') row('repariert', report.repaired, 'report-repaired');
  // Kommunen uploads: Gemeinden kept without an official figure (their AGS changed since the
  // Zensus 2022); the first few are named.
  const gaps = report.without_zensus2022;
  if (gaps && gaps.count > 0) {
    const names = (gaps.first ?? []).map((g) => `${g.ags} ${g.name}`).join(', ');
    const more = gaps.count > (gaps.first ?? []).length ? ', …' : '';
    row(`ohne Zensus-2022-Zahl (AGS seit dem Zensus geändert?): ${names}${more}`, gaps.count, 'report-zensus-gaps');
  }
  table.append(caption, head, body);
  return table;
}

/** The whole report: source facts, the counts, per Kommune, and where the rest lies. */
function reportView(report, names) {
  const view = element('div', 'upload-report-view');
  view.append(sourceFacts(report));
  const outside = outsideText(report, names);
  if (outside) view.append(outside);
  view.append(reportTable(report));
  const stored = storedTable(report);
  if (stored) view.append(stored);
  return view;
}

/** What went wrong with a refused upload, in German: each field's error, or the problem's
 *  sentence when it names no field; an incomplete shapefile says which of its parts are missing. */
function refusalText(failure) {
  if (!(failure instanceof ApiError)) return 'Der Server ist nicht erreichbar.';
  const problem = failure.problem ?? {};
  const errors = Array.isArray(problem.errors) ? problem.errors : [];
  if (errors.length === 0) return problemText(failure);
  return errors.map((fieldError) => (fieldError.code === 'incomplete_shapefile'
    ? PROBLEM_TEXTS.incomplete_shapefile(problem) : fieldErrorText(fieldError))).join(' ');
}

/** 'haus.geojson'; the parts of one shapefile as 'haus: .shp, .shx, .dbf'. */
function chosenNames(files) {
  const split = files.map((file) => /^(.*?)(\.[^.]*)?$/.exec(file.name));
  const stem = split[0][1];
  if (files.length > 1 && split.every(([, s, extension]) => s === stem && extension)) {
    return `${stem}: ${split.map(([, , extension]) => extension).join(', ')}`;
  }
  return files.map((file) => file.name).join(', ');
}

async function waitForJob(href, progress, stateText) {
  for (;;) {
    const status = await request(href);
    stateText.textContent = `Import ${STATE_LABELS[status.state] ?? status.state}`;
    const { done = 0, total = null } = status.progress ?? {};
    if (typeof total === 'number' && total > 0) {
      progress.max = total;
      progress.value = done;
    } else {
      progress.removeAttribute('value');  // indeterminate until the server knows the total
    }
    if (status.state === 'done' || status.state === 'failed') return status;
    await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
  }
}

/** Wires the upload dialog; `kommunenOf()` lists [ags, name] the user may upload for. */
export function setUpUpload({ dialog, kommunenOf, uploaded }) {
  const form = dialog.querySelector('form');
  const drop = dialog.querySelector('.drop-zone');
  const fileInput = form.elements.file;
  const chosen = dialog.querySelector('.chosen-file');
  const result = dialog.querySelector('.upload-result');
  const error = dialog.querySelector('.form-error');
  let files = [];

  const choose = (next) => {
    files = [...(next ?? [])];
    const kilobytes = Math.ceil(files.reduce((sum, file) => sum + file.size, 0) / 1024);
    chosen.textContent = files.length > 0
      ? `${chosenNames(files)} (${numberFormat.format(kilobytes)} KB)`
      : 'Keine Datei gewählt.';
  };
  fileInput.addEventListener('change', () => choose(fileInput.files));
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('drag-over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('drag-over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('drag-over');
    choose(event.dataTransfer.files);
  });
  // Automatic assignment is for building footprints only: a vacancy report names its Kommune.
  const layerChanged = () => {
    const automatic = [...form.elements.kommune.options].find((option) => option.value === AUTOMATIC);
    if (!automatic) return;
    automatic.disabled = form.elements.layer.value !== 'buildings';
    if (automatic.disabled && automatic.selected) form.elements.kommune.selectedIndex = 1;
  };
  form.elements.layer.addEventListener('change', layerChanged);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    result.replaceChildren();
    if (files.length === 0) {
      error.textContent = 'Bitte eine Datei wählen.';
      return;
    }
    const kommune = form.elements.kommune.value;
    const body = new FormData();
    if (kommune === AUTOMATIC) body.append('assignment', 'automatic');
    else body.append('kommune', kommune);
    body.append('layer', form.elements.layer.value);
    for (const file of files) body.append('file', file, file.name);
    const progress = element('progress', 'upload-progress');
    progress.setAttribute('aria-label', 'Fortschritt des Imports');
    const stateText = element('p', 'upload-state', 'Datei wird gesendet …');
    result.append(stateText, progress);
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      const response = await fetch('/api/uploads', { method: 'POST', body, credentials: 'same-origin' });
      const accepted = await response.json().catch(() => ({}));
      if (response.status !== 202) throw new ApiError(accepted.detail ?? `Fehler ${response.status}`, response.status, accepted);
      const status = await waitForJob(accepted.href, progress, stateText);
      if (status.report) result.append(reportView(status.report, new Map(kommunenOf())));
      if (status.state === 'failed') error.textContent = `Import fehlgeschlagen: ${jobErrorText(status)}`;
      else uploaded();
    } catch (failure) {
      progress.remove();
      stateText.remove();
      error.textContent = `Hochladen nicht möglich: ${refusalText(failure)}`;
    } finally {
      submit.disabled = false;
    }
  });
  dialog.querySelector('.dialog-cancel').addEventListener('click', () => dialog.close());

  return {
    open() {
      const select = form.elements.kommune;
      const kommunen = kommunenOf();
      const options = kommunen.map(([ags, name]) => new Option(`${name} (${ags})`, ags));
      // One file for several Gemeinden: offered first to whoever may write in more than one.
      if (kommunen.length > 1) options.unshift(new Option(AUTOMATIC_LABEL, AUTOMATIC));
      select.replaceChildren(...options);
      form.elements.layer.replaceChildren(...Object.entries(LAYER_LABELS).map(([value, text]) => new Option(text, value)));
      layerChanged();
      error.textContent = '';
      result.replaceChildren();
      choose([]);
      fileInput.value = '';
      dialog.showModal();
    },
  };
}

const EXPORT_FORMATS = Object.freeze({ geojson: 'GeoJSON', gpkg: 'GeoPackage', csv: 'CSV' });
const EXPORT_COLLECTIONS = Object.freeze({
  vacancies: 'Leerstände', buildings: 'Gebäude', zukunftsorte: 'Zukunftsorte', kommunen: 'Kommunen',
});

/** The export URL of `collection` in `format` for the map's bounds and `filters`. */
export function exportUrl(collection, format, bounds, filters = {}) {
  const query = new URLSearchParams();
  const round = (v) => Number(v.toFixed(6));
  query.set('bbox', [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
    .map((v, i) => round(i % 2 === 0 ? Math.max(-180, Math.min(180, v)) : Math.max(-90, Math.min(90, v)))).join(','));
  if (collection === 'vacancies') {
    if (filters.status) query.set('status', filters.status);
    if (filters.use) query.set('use', filters.use);
    if (filters.since) query.set('datetime', `${filters.since}/..`);
  }
  return `/export/${collection}.${format}?${query}`;
}

/** Fills the export form's selects and starts a download on submit. */
export function setUpExport({ form, boundsOf, filtersOf }) {
  form.elements.collection.replaceChildren(...Object.entries(EXPORT_COLLECTIONS).map(([v, t]) => new Option(t, v)));
  form.elements.format.replaceChildren(...Object.entries(EXPORT_FORMATS).map(([v, t]) => new Option(t, v)));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const link = element('a');
    link.href = exportUrl(form.elements.collection.value, form.elements.format.value, boundsOf(), filtersOf());
    link.download = '';
    document.body.append(link);
    link.click();
    link.remove();
  });
}
