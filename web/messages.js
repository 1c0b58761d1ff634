// PLACEHOLDER of part "german" (issue 22): the lead replaces this file with german's
// web/messages.js at merge. It only keeps the contract the upload dialog calls, so that the
// dialog never shows the server's English text: German sentences chosen by a stable `code`.

const GENERIC = 'Die Anfrage konnte nicht ausgeführt werden.';

const PROBLEMS = Object.freeze({
  invalid_fields: 'Einige Angaben sind ungültig.',
  malformed_multipart: 'Die Datei kam unvollständig an. Bitte erneut senden.',
  unreadable_upload: 'Die Datei ist beschädigt oder kann nicht gelesen werden.',
  unknown_kommune: 'Diese Kommune ist im Atlas nicht bekannt.',
});

const FIELD_CODES = Object.freeze({
  required: 'fehlt',
  not_one_of: 'hat einen nicht erlaubten Wert',
  duplicate: 'wurde doppelt angegeben',
  incomplete_shapefile: 'ist ein unvollständiges Shapefile',
  invalid_value: 'ist ungültig',
  not_applicable: 'passt hier nicht',
  unknown_kommune: 'nennt eine unbekannte Kommune',
});

/** German sentence for an ApiError (or a problem+json body), chosen by its `code`. */
export function problemText(error) {
  const problem = error?.problem ?? error;
  if (error?.status === 401) return 'Bitte zuerst anmelden.';
  if (error?.status === 403) return 'Dafür fehlen Ihnen die Rechte.';
  if (error?.status === 413) return 'Die Datei ist zu groß oder es sind zu viele Dateien.';
  if (error?.status === 415) return 'Dieses Dateiformat liest der Atlas nicht (Shapefile, GeoPackage, GeoJSON, CSV).';
  return PROBLEMS[problem?.code] ?? GENERIC;
}

/** German text for one entry `{field, code, ...}` of a problem's `errors`. */
export function fieldErrorText(fieldError) {
  const field = fieldError?.field === 'file' ? 'Die Datei' : `Das Feld „${fieldError?.field ?? ''}“`;
  return `${field} ${FIELD_CODES[fieldError?.code] ?? 'ist ungültig'}.`;
}

/** German sentence for a failed upload job's status `{state, error, code, report}`. */
export function jobErrorText(status) {
  const read = status?.report?.read;
  if (typeof read === 'number' && status?.report?.stored === 0) {
    return `Keines der ${new Intl.NumberFormat('de-DE').format(read)} Objekte konnte gespeichert werden; die Gründe stehen im Bericht.`;
  }
  return 'Der Import ist fehlgeschlagen.';
}
