// Editing (editors in their Kommunen, admins): report a vacancy for a clicked building, or
// change the status, consent and details of its vacancy. The server validates; its answers are
// shown where they belong: a field's error next to the field, a refused status change with the
// allowed ones, a stale edit (412: someone else changed it meanwhile) with what to do.

import { request } from './api.js';
import { element, numberFormat } from './dom.js';
import {
  DEGREE_LABELS, OWNER_TYPE_LABELS, STATUS_LABELS, USE_LABELS, label,
} from './labels.js';
import { fieldErrorText, problemText } from './messages.js';

/** True when `me` may write vacancies in the Kommune `ags`. */
export function canEdit(me, ags) {
  if (!me?.signed_in) return false;
  if (me.role === 'admin') return true;
  return me.role === 'editor' && typeof ags === 'string' && (me.kommunen ?? []).some((k) => ags.startsWith(k));
}

/** True when `me` may read the internal fields and the history of reports in `ags` (the
 *  server's rule, caller.cpp may_read_internal: admins; planners in scope, or everywhere
 *  without one; editors in scope). The server decides; this only spares a request it refuses. */
export function canReadInternal(me, ags) {
  if (!me?.signed_in || typeof ags !== 'string') return false;
  const scope = me.kommunen ?? [];
  if (me.role === 'admin') return true;
  if (me.role === 'planner' && scope.length === 0) return true;
  return (me.role === 'planner' || me.role === 'editor') && scope.some((k) => ags.startsWith(k));
}

/**
 * Appends to `form` a field named `name` (its `data-field`, where the server's error for it is
 * shown): the caption, the control with the id `id`, an optional hint, and a place for the
 * error, both read out with the control. Returns the control.
 */
export function labelledField(form, { id, name, caption, control, hint }) {
  control.id = id;
  control.name = name;
  const wrapper = element('div', 'form-field');
  wrapper.dataset.field = name;
  const label = element('label', null, caption);
  label.htmlFor = id;
  wrapper.append(label, control);
  const described = [];
  if (hint) {
    const note = element('p', 'field-hint', hint);
    note.id = `${id}-hint`;
    described.push(note.id);
    wrapper.append(note);
  }
  const error = element('p', 'field-error');
  error.id = `${id}-error`;
  error.setAttribute('role', 'alert');
  described.push(error.id);
  control.setAttribute('aria-describedby', described.join(' '));
  wrapper.append(error);
  form.append(wrapper);
  return control;
}

/** labelledField for a property `name` whose control's id is `${prefix}-${name}`. */
export function field(form, name, text, control, { prefix = 'vacancy', hint = '' } = {}) {
  return labelledField(form, { id: `${prefix}-${name}`, name, caption: text, control, hint });
}

/** A text input (or `tag`, e.g. 'textarea') holding `value`, taking at most `limit` characters. */
export function textInput(value, limit, tag = 'input') {
  const input = element(tag);
  input.value = value ?? '';
  input.maxLength = limit;
  return input;
}

/**
 * Ends `form` with the place for its general error and the buttons: `submitText` submits,
 * "Abbrechen" calls `onCancel`. Returns the submit button.
 */
export function formButtons(form, submitText, onCancel) {
  const message = element('p', 'form-error');
  message.setAttribute('role', 'alert');
  const submit = element('button', null, submitText);
  submit.type = 'submit';
  const cancel = element('button', null, 'Abbrechen');
  cancel.type = 'button';
  cancel.addEventListener('click', onCancel);
  const buttons = element('div', 'dialog-buttons');
  buttons.append(submit, cancel);
  form.append(message, buttons);
  return submit;
}

function select(options, current) {
  const control = element('select');
  for (const [value, text] of Object.entries(options)) control.append(new Option(text, value, false, value === current));
  return control;
}

// The longest texts the server takes, in characters (maxLength in server/http/openapi.json).
// The form shows them and counts along, but never cuts a text: maxlength would drop a pasted
// tail without a word, so an over-long text goes to the server, whose refusal shows here.
const TEXT_LIMITS = Object.freeze({ owner_contact: 500, internal_notes: 5000, public_description: 2000 });
// The largest vacant floor area the server takes (feature_input.cpp), in m².
const MAX_FLOOR_AREA_M2 = 10_000_000;

/** Characters as the server counts them (code points, not UTF-16 halves). */
function characterCount(text) {
  return [...text].length;
}

/** Keeps the hint of a text field with a limit up to date: the count, and past the limit how
 *  much too long it is (also as aria-invalid, so a screen reader hears it on the field). */
function countAlong(input, hint, limit) {
  const update = () => {
    const count = characterCount(input.value);
    const over = count - limit;
    hint.textContent = over > 0
      ? `${numberFormat.format(count)} Zeichen, ${numberFormat.format(over)} zu viel: höchstens ${numberFormat.format(limit)} Zeichen`
      : `${numberFormat.format(count)} von höchstens ${numberFormat.format(limit)} Zeichen`;
    hint.classList.toggle('over-limit', over > 0);
    if (over > 0) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  input.addEventListener('input', update);
  update();
}

/** Today in the browser's time zone as YYYY-MM-DD (the latest "Leer seit" the form offers). */
function today() {
  const now = new Date();
  return [now.getFullYear(), now.getMonth() + 1, now.getDate()].map((n) => String(n).padStart(2, '0')).join('-');
}

// The properties the form edits, with how each is put into and read from its control.
const SELECTS = ['status', 'use', 'degree', 'owner_type'];
const TEXTS = ['owner_contact', 'internal_notes', 'public_description'];

/** Puts `p`'s values into the form's fields. */
function fill(form, p) {
  for (const name of [...SELECTS, 'vacant_since', ...TEXTS]) form.elements[name].value = p[name] ?? '';
  form.elements.floor_area_m2.value = typeof p.floor_area_m2 === 'number' ? String(p.floor_area_m2) : '';
  form.elements.consent_publish.checked = Boolean(p.consent_publish);
  // Values set from code fire no input event: the counters are told.
  for (const name of TEXTS) form.elements[name].dispatchEvent(new Event('input'));
}

/** The form's values as vacancy properties (empty fields as null). */
function valuesOf(form) {
  const text = (name) => (form.elements[name].value.trim() === '' ? null : form.elements[name].value.trim());
  const area = form.elements.floor_area_m2.value;
  return {
    ...Object.fromEntries(SELECTS.map((name) => [name, form.elements[name].value])),
    vacant_since: text('vacant_since'),
    floor_area_m2: area === '' ? null : Number(area),
    consent_publish: form.elements.consent_publish.checked,
    ...Object.fromEntries(TEXTS.map((name) => [name, text(name)])),
  };
}

/** Clears the messages of an earlier attempt. */
function clearProblems(form) {
  for (const node of form.querySelectorAll('.field-error, .form-error')) {
    node.textContent = '';
    delete node.dataset.code;
  }
}

/** Shows the server's refusal in the form; returns true when it named a field. */
function showProblem(form, error) {
  clearProblems(form);
  const message = form.querySelector('.form-error');
  const problem = error.problem ?? {};
  if (error.status === 412) {
    message.textContent = 'Dieser Leerstand wurde inzwischen von jemand anderem geändert. '
      + 'Die aktuelle Fassung ist geladen; bitte die Änderung noch einmal eintragen.';
    return false;
  }
  if (Array.isArray(problem.allowed)) {
    const target = form.querySelector('[data-field="status"] .field-error');
    const allowed = problem.allowed.map((s) => label('status', s)).join(', ');
    target.textContent = `Dieser Statuswechsel ist nicht möglich. Erlaubt: ${allowed || 'keiner'}.`;
    return true;
  }
  let named = false;
  for (const fieldError of problem.errors ?? []) {
    const target = [...form.querySelectorAll('[data-field]')]
      .find((node) => node.dataset.field === fieldError.field)?.querySelector('.field-error');
    if (target) {
      // Several problems of one field are all shown.
      target.textContent = [target.textContent, fieldErrorText(fieldError)].filter(Boolean).join(' ');
      if (typeof fieldError.code === 'string') target.dataset.code = fieldError.code;
      named = true;
    }
  }
  if (!named) message.textContent = `Nicht gespeichert: ${problemText(error)}`;
  return named;
}

/**
 * A vacancy form. `vacancy` ({ id, etag, properties }) edits that vacancy; without it the form
 * reports a new one at `latlng`. `saved(created)` is called after the server accepted the
 * change (with the new Feature after a report);
 * after a 412 `reload()` gives the current { etag, properties } and the form shows them.
 */
export function vacancyForm({ vacancy, latlng, saved, reload }) {
  const p = { ...(vacancy?.properties ?? { status: 'gemeldet', use: 'wohnen', consent_publish: false }) };
  const form = element('form', 'vacancy-form');
  form.noValidate = true;  // the server's rules decide, and its messages are shown
  form.append(element('h3', null, vacancy ? 'Leerstand bearbeiten' : 'Leerstand melden'));
  field(form, 'status', 'Status', select(STATUS_LABELS, p.status));
  field(form, 'use', 'Nutzung', select(USE_LABELS, p.use));
  field(form, 'degree', 'Umfang', select(DEGREE_LABELS, p.degree ?? 'vollstaendig'));
  const since = field(form, 'vacant_since', 'Leer seit (bis heute)', element('input'));
  since.type = 'date';
  since.max = today();
  since.value = p.vacant_since ?? '';
  const area = field(form, 'floor_area_m2', 'Leerstehende Fläche in m²', element('input'),
    { hint: `0 bis ${numberFormat.format(MAX_FLOOR_AREA_M2)} m²` });
  area.type = 'number';
  area.min = '0';
  area.max = String(MAX_FLOOR_AREA_M2);
  area.step = 'any';
  area.inputMode = 'decimal';
  area.value = typeof p.floor_area_m2 === 'number' ? String(p.floor_area_m2) : '';
  field(form, 'owner_type', 'Eigentum (intern)', select(OWNER_TYPE_LABELS, p.owner_type ?? 'unbekannt'));
  const consent = element('input');
  consent.type = 'checkbox';
  consent.checked = Boolean(p.consent_publish);
  field(form, 'consent_publish', 'Eigentümer stimmt der Veröffentlichung zu', consent);
  const texts = [['owner_contact', 'Kontakt (intern)', 'input'], ['internal_notes', 'Notizen (intern)', 'textarea'],
    ['public_description', 'Öffentliche Beschreibung', 'textarea']];
  for (const [name, caption, kind] of texts) {
    const input = field(form, name, caption, element(kind), { hint: ' ' });
    input.value = p[name] ?? '';
    input.dataset.maxCharacters = String(TEXT_LIMITS[name]);
    countAlong(input, form.querySelector(`#${input.id}-hint`), TEXT_LIMITS[name]);
  }
  const message = element('p', 'form-error');
  message.setAttribute('role', 'alert');
  const submit = element('button', null, 'Speichern');
  submit.type = 'submit';
  form.append(message, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (area.validity.badInput) {
      // The browser hands no text of an unreadable number over: sent, it would become "empty".
      clearProblems(form);
      form.querySelector('[data-field="floor_area_m2"] .field-error').textContent = 'Bitte eine Zahl eingeben, z. B. 120,5.';
      return;
    }
    submit.disabled = true;
    const properties = valuesOf(form);
    try {
      let created = null;
      if (vacancy) {
        // A merge patch of what changed: untouched fields stay as they are on the server.
        const changed = Object.fromEntries(Object.entries(properties).filter(([k, v]) => (p[k] ?? null) !== v));
        await request(`/collections/vacancies/items/${vacancy.id}`, {
          method: 'PATCH',
          body: { properties: changed },
          headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': vacancy.etag },
        });
      } else {
        const clean = Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== null));
        created = await request('/collections/vacancies/items', {
          method: 'POST',
          body: { type: 'Feature', geometry: { type: 'Point', coordinates: [latlng.lng, latlng.lat] }, properties: clean },
          headers: { 'Content-Type': 'application/geo+json' },
        });
      }
      saved(created);
    } catch (error) {
      showProblem(form, error);
      if (error.status === 412 && vacancy) {
        const fresh = await reload();
        vacancy.etag = fresh.etag;
        Object.assign(p, fresh.properties);
        fill(form, p);
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
