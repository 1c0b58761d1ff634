// PLACEHOLDER of part "german" (issue 22): the lead replaces this file with german's
// web/messages.js at merge. It joins two placeholders, of the parts "edit" (the vacancy form's
// field codes) and "upload" (the upload dialog's codes and jobErrorText), and keeps the
// contract: German sentences chosen by a stable `code`, never the server's English text.

const GENERIC = 'Die Anfrage konnte nicht ausgeführt werden.';

const PROBLEMS = Object.freeze({
  invalid_fields: 'Einige Angaben sind ungültig.',
  malformed_multipart: 'Die Datei kam unvollständig an. Bitte erneut senden.',
  unreadable_upload: 'Die Datei ist beschädigt oder kann nicht gelesen werden.',
  unknown_kommune: 'Diese Kommune ist im Atlas nicht bekannt.',
});

const FIELD_TEXTS = Object.freeze({
  too_long: 'Der Text ist zu lang.',
  out_of_range: 'Der Wert liegt außerhalb des erlaubten Bereichs.',
  in_the_future: 'Das Datum liegt in der Zukunft.',
  not_a_date: 'Das ist kein gültiges Datum.',
  not_one_of: 'Dieser Wert ist nicht vorgesehen.',
  wrong_type: 'Dieser Wert hat die falsche Form.',
  required: 'Diese Angabe fehlt.',
  duplicate: 'Diese Angabe kam doppelt.',
  incomplete_shapefile: 'Das Shapefile ist unvollständig.',
  invalid_value: 'Dieser Wert ist ungültig.',
  not_applicable: 'Diese Angabe passt hier nicht.',
  unknown_kommune: 'Diese Kommune ist im Atlas nicht bekannt.',
});

/** German sentence for an ApiError (or a problem+json body), chosen by its `code`. */
export function problemText(error) {
  const problem = error?.problem ?? error;
  if (error?.status === 401) return 'Bitte zuerst anmelden.';
  if (error?.status === 403) return 'Dafür fehlen Ihnen die Rechte.';
  if (error?.status === 413) return 'Die Datei ist zu groß oder es sind zu viele Dateien.';
  if (error?.status === 415) return 'Dieses Dateiformat liest der Atlas nicht (Shapefile, GeoPackage, GeoJSON, CSV).';
  return (typeof problem?.code === 'string' && Object.hasOwn(PROBLEMS, problem.code)) ? PROBLEMS[problem.code] : GENERIC;
}

/** German text for one entry `{field, code, ...}` of a problem's `errors`. */
export function fieldErrorText(fieldError) {
  const code = fieldError?.code;
  if (typeof code === 'string' && Object.hasOwn(FIELD_TEXTS, code)) return FIELD_TEXTS[code];
  return 'Dieser Wert wurde abgelehnt.';
}

/** German sentence for a failed upload job's status `{state, error, report}`. */
export function jobErrorText(status) {
  const read = status?.report?.read;
  if (typeof read === 'number' && status?.report?.stored === 0) {
    return `Keines der ${new Intl.NumberFormat('de-DE').format(read)} Objekte konnte gespeichert werden; die Gründe stehen im Bericht.`;
  }
  return 'Der Import ist fehlgeschlagen.';
}
