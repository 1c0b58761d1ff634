// German sentences for the API's errors. The server answers problem+json with a stable `code`
// and an English `detail` for API clients (docs/http.md, "Error codes"); the page never shows
// the English text but chooses its own by the code. Field errors (`errors[]` of a 400) and a
// failed upload job (`error_code` with `error_values`) are told the same way.
// tests/browser/messages.test.mjs collects every code the server can emit and fails on one
// without a text here.

import { fieldLabel, label } from './labels.js';
import { numberFormat } from './dom.js';

/** '„x.zip“' for a file the server named, else 'Die Datei' fits the sentence. */
function fileName(problem, fallback = 'Die Datei') {
  return typeof problem.file === 'string' && problem.file !== '' ? `„${problem.file}“` : fallback;
}

function statusList(values) {
  return Array.isArray(values) && values.length > 0 ? values.map((s) => label('status', s)).join(', ') : 'keiner';
}

function count(value) {
  return typeof value === 'number' && Number.isFinite(value) ? numberFormat.format(value) : 'alle';
}

const UPLOAD_AGAIN = 'Bitte die Datei noch einmal hochladen.';
const LOAD_AGAIN = 'Bitte die Seite neu laden und die Änderung noch einmal eintragen.';

/**
 * The German text of every top-level `code` (a problem's, or a failed upload job's
 * `error_code`); each takes the problem's members (or the job's `error_values`).
 */
export const PROBLEM_TEXTS = Object.freeze({
  // 400
  invalid_fields: (p) => invalidFieldsText(p),
  malformed_multipart: () => 'Die Datei kam nicht vollständig beim Dienst an. Bitte noch einmal versuchen.',
  unreadable_upload: () => 'Das ZIP-Archiv ist beschädigt, verschlüsselt oder enthält unzulässige Dateinamen. Bitte neu packen und noch einmal hochladen.',
  invalid_image: () => 'Die Bilddatei ist beschädigt oder unvollständig und lässt sich nicht lesen.',
  invalid_input: () => 'Die Anfrage ist fehlerhaft und wurde nicht ausgeführt.',
  not_geodata: (p) => `${fileName(p)} ist keine Geodatei, die der Atlas lesen kann. Möglich sind ein Shapefile (als ZIP oder alle Teile zusammen), GeoPackage, GeoJSON und CSV.`,
  damaged_file: (p) => `${fileName(p)} ist beschädigt oder unvollständig. ${UPLOAD_AGAIN}`,
  incomplete_shapefile: (p) => {
    const missing = Array.isArray(p.missing) && p.missing.length > 0 ? p.missing.join(' und ') : '.shx und .dbf';
    return `Zum Shapefile fehlt: ${missing}. Bitte .shp, .shx, .dbf (und .prj, .cpg) zusammen wählen oder als ZIP hochladen.`;
  },
  no_geometry: (p) => `${fileName(p)} enthält keine Geometrie. Eine CSV-Datei braucht eine WKT-Spalte oder Spalten mit Längen- und Breitengrad.`,
  unknown_crs: (p) => `Das Koordinatensystem von ${fileName(p, 'der Datei')} ist unbekannt oder nicht lesbar. Bitte die .prj-Datei mitschicken oder den EPSG-Code angeben.`,
  // 401, 403
  unauthenticated: () => 'Bitte melden Sie sich an.',
  wrong_credentials: () => 'Name oder Passwort stimmt nicht.',
  forbidden: () => 'Dafür fehlt Ihnen die Berechtigung.',
  admin_only_field: () => 'Diese Angaben dürfen nur Admins ändern.',
  // 404, 405
  unknown_collection: () => 'Diese Datensammlung gibt es nicht.',
  unknown_kommune: () => 'Diese Kommune gibt es im Leerstandsatlas nicht.',
  not_found: () => 'Das Gesuchte gibt es nicht (mehr).',
  method_not_allowed: () => 'Diese Aktion ist hier nicht möglich.',
  // 409, 412
  conflict: () => 'Das widerspricht dem, was schon gespeichert ist (ein Eintrag doppelt?).',
  vacancy_already_linked: () => 'Dieser Leerstand gehört schon zu einem anderen Zukunftsort.',
  vacancy_already_offered: () => 'Dieser Leerstand wird schon angeboten: bitte das bestehende Angebot bearbeiten.',  // part "offers"
  membership_request_decided: () => 'Der Antrag wurde inzwischen anders entschieden.',
  // part matches: suggestions and their outcomes
  match_recorded: () => 'Für dieses Angebot und dieses Gesuch ist schon ein Ergebnis eingetragen. Bitte die Liste neu laden.',
  // part "inquiries"
  personal_data_deleted: () => 'Die Angaben zu dieser Anfrage wurden nach Ablauf der Frist gelöscht; niemand kann mehr angeschrieben werden.',
  stale_version: () => `Der Eintrag wurde inzwischen von jemand anderem geändert. ${LOAD_AGAIN}`,
  // 413, 414, 415
  too_large: (p) => (Number.isFinite(p.limit_bytes)
    ? `Die Datei ist zu groß: höchstens ${numberFormat.format(Math.floor(p.limit_bytes / 2 ** 20))} MB.`
    : 'Die Datei oder Anfrage ist zu groß.'),
  image_too_large: () => 'Das Bild ist zu groß: höchstens 15 MB und 50 Megapixel.',
  uri_too_long: () => 'Die Adresse ist zu lang.',
  unsupported: () => 'Dieses Format kann der Atlas nicht lesen.',
  unsupported_image: () => 'Dieses Dateiformat wird nicht angenommen. Bitte ein Bild als JPEG, PNG oder WebP wählen.',
  // 422
  invalid_geometry: () => 'Die Geometrie oder das Koordinatensystem ist nicht verwendbar.',
  status_transition: (p) => {
    const move = p.from && p.to ? ` von „${label('status', p.from)}“ zu „${label('status', p.to)}“` : '';
    return `Dieser Statuswechsel${move} ist nicht möglich. Möglich: ${statusList(p.allowed)}.`;
  },
  vacancy_status_not_linkable: () => 'Nur ein Leerstand „in Aktivierung“ oder „aktiviert“ kann zum Zukunftsort werden.',
  // part matches
  match_transition: (p) => {
    const allowed = Array.isArray(p.allowed) && p.allowed.length > 0
      ? p.allowed.map((s) => label('match_status', s)).join(', ') : 'keiner, das Ergebnis steht fest';
    return `Dieser Schritt ist bei diesem Vorschlag nicht möglich. Möglich: ${allowed}.`;
  },
  match_closed: () => 'Das Angebot oder das Gesuch ist inzwischen nicht mehr offen.',
  match_excluded: () => 'Angebot und Gesuch passen nicht zusammen (Ort oder Art des Angebots).',
  need_without_email: () => 'Zu diesem Gesuch gibt es keine E-Mail-Adresse. Bitte auf anderem Weg Kontakt aufnehmen.',
  vacancy_not_published: () => 'Nur ein Leerstand, dessen Eigentümer der Veröffentlichung zugestimmt hat, kann angeboten werden.',  // part "offers"
  unprocessable: () => 'Die Angaben sind lesbar, lassen sich so aber nicht anwenden.',
  // 428, 429, 431
  version_required: () => `Die Version des Eintrags fehlt. ${LOAD_AGAIN}`,
  too_many_requests: () => 'Zu viele Versuche. Bitte etwas warten und dann noch einmal versuchen.',
  too_many_membership_requests: () => 'Von hier kamen zu viele Anträge. Bitte in einer Stunde noch einmal versuchen.',
  too_many_inquiries: () => 'Von hier kamen zu viele Anfragen. Bitte in einer Stunde noch einmal versuchen.', // part "inquiries"
  headers_too_large: () => 'Die Anfrage ist zu groß. Bitte die Cookies dieser Seite löschen und neu laden.',
  // 5xx and whatever status has no code of its own
  internal: () => 'Im Dienst ist ein Fehler aufgetreten. Bitte später noch einmal versuchen.',
  busy: () => 'Der Dienst ist gerade ausgelastet. Bitte gleich noch einmal versuchen.',
  mail_not_sent: () => 'Die E-Mail konnte nicht versendet werden. Bitte später noch einmal versuchen.',
  database_unavailable: () => 'Die Datenbank des Atlas antwortet gerade nicht. Bitte gleich noch einmal versuchen.',
  error: () => 'Die Anfrage ist fehlgeschlagen.',
  // needs (Gesuche; part "needs" of issue 23)
  too_many_needs: () => 'Von hier kamen zu viele Gesuche. Bitte in einer Stunde noch einmal versuchen.',
  mail_not_configured: () => 'Dieser Atlas versendet keine E-Mails. Bitte wenden Sie sich direkt an die Kommune.',
  unknown_confirmation: () => 'Dieser Bestätigungslink ist unbekannt oder wurde schon benutzt.',
  // upload jobs only
  nothing_stored: (p) => `Von ${count(p.read)} gelesenen Objekten konnte keines gespeichert werden. Der Bericht nennt die Gründe.`,
  server_stopped: () => `Der Dienst wurde beendet, bevor die Datei importiert war. ${UPLOAD_AGAIN}`,
  upload_interrupted: () => `Der Dienst wurde während des Imports beendet. ${UPLOAD_AGAIN}`,
});

/** The German text of every field code (`errors[].code`); each takes the field's label. */
export const FIELD_TEXTS = Object.freeze({
  required: (f) => `„${f}“ fehlt.`,
  wrong_type: (f) => `„${f}“ hat die falsche Form (z. B. Text statt Zahl).`,
  not_one_of: (f) => `„${f}“ ist keiner der möglichen Werte.`,
  unknown_field: (f) => `${f} ist hier unbekannt.`,
  read_only: (f) => `„${f}“ kann nicht geändert werden.`,
  too_long: (f) => `„${f}“ ist zu lang.`,
  too_short: (f) => `„${f}“ ist zu kurz.`,
  out_of_range: (f) => `„${f}“ liegt außerhalb des erlaubten Bereichs.`,
  not_a_date: (f) => `„${f}“ ist kein gültiges Datum (TT.MM.JJJJ).`,
  in_the_future: (f) => `„${f}“ darf nicht in der Zukunft liegen.`,
  not_an_ags: (f) => `„${f}“ ist kein Gemeindeschlüssel: 8 Ziffern für eine Gemeinde, 5 für einen Kreis.`,
  unknown_kommune: () => 'Diese Kommune ist nicht im Atlas.',
  outside_kommune: () => 'Der Punkt liegt außerhalb der gewählten Kommune.',
  outside_atlas: () => 'Der Punkt liegt außerhalb aller Kommunen des Atlas.',
  unknown_building: () => 'Dieses Gebäude gibt es nicht.',
  building_in_other_kommune: () => 'Das Gebäude liegt in einer anderen Kommune.',
  building_too_far: () => 'Das Gebäude liegt mehr als 15 m vom Punkt entfernt.',
  unknown_vacancy: () => 'Diesen Leerstand gibt es nicht.',
  unknown_image: () => 'Dieses Bild gibt es nicht (mehr).',
  not_a_url: (f) => `„${f}“ ist keine Webadresse (https://…).`,
  not_utf8: (f) => `„${f}“ enthält unlesbare Zeichen.`,
  not_an_email: () => 'Bitte eine gültige E-Mail-Adresse angeben, z. B. name@kommune.de.',
  not_a_phone: (f) => `„${f}“ ist keine Telefonnummer: nur Ziffern, Leerzeichen und + - ( ) /.`, // part "inquiries"
  duplicate: (f) => `„${f}“ ist doppelt angegeben.`,
  invalid_geometry: () => 'Die Geometrie ist nicht verwendbar.',
  incomplete_shapefile: () => 'Zum Shapefile fehlen Teile. Bitte .shp, .shx, .dbf (und .prj, .cpg) zusammen wählen oder als ZIP hochladen.',
  not_applicable: (f) => `„${f}“ ist hier nicht möglich.`,
  unsupported_crs: () => 'Dieses Koordinatensystem bietet der Atlas hier nicht an.',
  unknown_property: () => 'Diese Eigenschaft gibt es hier nicht.',
  not_sortable: () => 'Danach lässt sich nicht sortieren.',
  invalid_value: (f) => `„${f}“ ist ungültig.`,
});

/** The German text of one field error `{field, code, message, ...}`: by its code and the
 *  field's German label; a code this page does not know yet gets a general sentence. */
export function fieldErrorText(fieldError) {
  const name = fieldLabel(fieldError?.field);
  const code = fieldError?.code;
  if (typeof code === 'string' && Object.hasOwn(FIELD_TEXTS, code)) return FIELD_TEXTS[code](name);
  return `„${name}“ ist nicht in Ordnung. Bitte prüfen.`;
}

function invalidFieldsText(problem) {
  const errors = Array.isArray(problem.errors) ? problem.errors : [];
  if (errors.length === 0) return 'Bitte die Eingaben prüfen.';
  const more = errors.length - 1 + (Number.isInteger(problem.errors_omitted) ? problem.errors_omitted : 0);
  const first = fieldErrorText(errors[0]);
  if (more === 0) return first;
  return `${first} Dazu ${more === 1 ? 'eine weitere Angabe' : `${numberFormat.format(more)} weitere Angaben`}.`;
}

// Statuses that reach the page without a problem body (a proxy's answer, a lost connection).
function statusText(status) {
  if (!status) return 'Keine Verbindung zum Dienst.';
  if (status === 401) return PROBLEM_TEXTS.unauthenticated({});
  if (status === 403) return PROBLEM_TEXTS.forbidden({});
  if (status === 404) return PROBLEM_TEXTS.not_found({});
  if (status === 413) return PROBLEM_TEXTS.too_large({});
  if (status === 503 || status === 502 || status === 504) return PROBLEM_TEXTS.busy({});
  if (status >= 500) return PROBLEM_TEXTS.internal({});
  return `Die Anfrage ist fehlgeschlagen (Fehler ${status}).`;
}

/**
 * The German sentence for a failed request: `error` is an ApiError ({status, problem}) or a
 * problem+json body itself. Chosen by the problem's `code`, else by the status; never the
 * server's English `detail`.
 */
export function problemText(error) {
  const problem = error?.problem ?? (typeof error?.code === 'string' ? error : null);
  const code = problem?.code;
  if (typeof code === 'string' && Object.hasOwn(PROBLEM_TEXTS, code)) return PROBLEM_TEXTS[code](problem);
  return statusText(error?.status ?? problem?.status ?? 0);
}

/**
 * The German sentence for a failed upload job: `job` is its status (`error_code` and
 * `error_values`, see GET /api/uploads/{id}). A bare English `error` string (an older server)
 * gets a general sentence.
 */
export function jobErrorText(job) {
  const code = job?.error_code;
  if (typeof code === 'string' && Object.hasOwn(PROBLEM_TEXTS, code)) {
    const values = job.error_values && typeof job.error_values === 'object' ? job.error_values : {};
    return PROBLEM_TEXTS[code]({ ...values, code });
  }
  return 'Der Import ist fehlgeschlagen.';
}
