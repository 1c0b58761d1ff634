// Upload and export. Upload (editors and admins): choose or drop a file, pick the Kommune and
// the layer, then a progress bar while the server imports, then its report as a table (stored,
// rejected by reason). Export: what is on screen (the map's bounds and the chosen filters) as
// GeoJSON, GeoPackage or CSV, through the same privacy filter as everything else.

import { ApiError, request } from './api.js';
import { element, numberFormat } from './dom.js';
import { rejectionReason } from './rejection-reasons.js';

const POLL_MS = 300;
const LAYER_LABELS = Object.freeze({ buildings: 'Gebäudeumringe', vacancies: 'Leerstandsmeldungen' });
const STATE_LABELS = Object.freeze({ queued: 'wartet', running: 'läuft', done: 'fertig', failed: 'fehlgeschlagen' });

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
  let file = null;

  const choose = (next) => {
    file = next ?? null;
    chosen.textContent = file ? `${file.name} (${numberFormat.format(Math.ceil(file.size / 1024))} KB)` : 'Keine Datei gewählt.';
  };
  fileInput.addEventListener('change', () => choose(fileInput.files[0]));
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('drag-over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('drag-over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('drag-over');
    choose(event.dataTransfer.files[0]);
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    result.replaceChildren();
    if (!file) {
      error.textContent = 'Bitte eine Datei wählen.';
      return;
    }
    const body = new FormData();
    body.append('kommune', form.elements.kommune.value);
    body.append('layer', form.elements.layer.value);
    body.append('file', file, file.name);
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
      if (status.report) result.append(reportTable(status.report));
      if (status.state === 'failed') error.textContent = `Import fehlgeschlagen: ${status.error ?? 'unbekannter Fehler'}`;
      else uploaded();
    } catch (failure) {
      progress.remove();
      stateText.remove();
      error.textContent = `Hochladen nicht möglich: ${failure.message}`;
    } finally {
      submit.disabled = false;
    }
  });
  dialog.querySelector('.dialog-cancel').addEventListener('click', () => dialog.close());

  return {
    open() {
      const select = form.elements.kommune;
      select.replaceChildren(...kommunenOf().map(([ags, name]) => new Option(`${name} (${ags})`, ags)));
      form.elements.layer.replaceChildren(...Object.entries(LAYER_LABELS).map(([value, text]) => new Option(text, value)));
      error.textContent = '';
      result.replaceChildren();
      choose(null);
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
