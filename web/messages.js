// PLACEHOLDER written by the part "edit" of issue 22 so the vacancy form can already call the
// contract below; the part "german" writes the real module (a German text for every code the
// server can emit) and replaces this file at merge. Only the codes the vacancy form meets most
// have a German text here; anything else falls back to the server's own message.

const FIELD_TEXTS = Object.freeze({
  too_long: 'Der Text ist zu lang.',
  out_of_range: 'Der Wert liegt außerhalb des erlaubten Bereichs.',
  in_the_future: 'Das Datum liegt in der Zukunft.',
  not_a_date: 'Das ist kein gültiges Datum.',
  not_one_of: 'Dieser Wert ist nicht vorgesehen.',
  wrong_type: 'Dieser Wert hat die falsche Form.',
});

/** A German sentence for an ApiError (or its problem+json), by the problem's `code`. */
export function problemText(error) {
  return error?.problem?.detail ?? error?.message ?? 'Der Dienst hat die Anfrage abgelehnt.';
}

/** A German text for one entry `{field, code, message}` of a problem's `errors`. */
export function fieldErrorText(fieldError) {
  const code = fieldError?.code;
  if (typeof code === 'string' && Object.hasOwn(FIELD_TEXTS, code)) return FIELD_TEXTS[code];
  return fieldError?.message ?? 'Dieser Wert wurde abgelehnt.';
}
