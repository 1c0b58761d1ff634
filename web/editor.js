// Editing (editors in their Kommunen, admins): report a vacancy for a clicked building, or
// change the status, consent and details of its vacancy. The server validates; its answers are
// shown where they belong: a field's error next to the field, a refused status change with the
// allowed ones, a stale edit (412: someone else changed it meanwhile) with what to do.

import { request } from './api.js';
import { element } from './dom.js';
import { STATUS_LABELS, USE_LABELS, label } from './labels.js';

/** True when `me` may write vacancies in the Kommune `ags`. */
export function canEdit(me, ags) {
  if (!me?.signed_in) return false;
  if (me.role === 'admin') return true;
  return me.role === 'editor' && typeof ags === 'string' && (me.kommunen ?? []).some((k) => ags.startsWith(k));
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

function select(options, current) {
  const control = element('select');
  for (const [value, text] of Object.entries(options)) control.append(new Option(text, value, false, value === current));
  return control;
}

/** Puts `p`'s values into the form's fields. */
function fill(form, p) {
  for (const name of ['status', 'use', 'vacant_since', 'owner_contact', 'internal_notes', 'public_description'])
    form.elements[name].value = p[name] ?? '';
  form.elements.consent_publish.checked = Boolean(p.consent_publish);
}

/** The form's values as vacancy properties (empty text fields as null). */
function valuesOf(form) {
  const text = (name) => (form.elements[name].value.trim() === '' ? null : form.elements[name].value.trim());
  return {
    status: form.elements.status.value,
    use: form.elements.use.value,
    vacant_since: text('vacant_since'),
    consent_publish: form.elements.consent_publish.checked,
    owner_contact: text('owner_contact'),
    internal_notes: text('internal_notes'),
    public_description: text('public_description'),
  };
}

/** Shows the server's refusal in the form; returns true when it named a field. */
function showProblem(form, error) {
  for (const node of form.querySelectorAll('.field-error, .form-error')) node.textContent = '';
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
  for (const { field: name, message: text } of problem.errors ?? []) {
    const target = form.querySelector(`[data-field="${name}"] .field-error`);
    if (target) {
      target.textContent = text;
      named = true;
    }
  }
  if (!named) message.textContent = `Nicht gespeichert: ${error.message}`;
  return named;
}

/**
 * A vacancy form. `vacancy` ({ id, etag, properties }) edits that vacancy; without it the form
 * reports a new one at `latlng`. `saved(created)` is called after the server accepted the
 * change (with the new Feature after a report);
 * after a 412 `reload()` gives the current { etag, properties } and the form shows them.
 */
// The longest texts the server takes, in characters (maxLength in server/http/openapi.json).
const TEXT_LIMITS = { owner_contact: 500, internal_notes: 5000, public_description: 2000 };

export function vacancyForm({ vacancy, latlng, saved, reload }) {
  const p = { ...(vacancy?.properties ?? { status: 'gemeldet', use: 'wohnen', consent_publish: false }) };
  const form = element('form', 'vacancy-form');
  form.noValidate = true;  // the server's rules decide, and its messages are shown
  form.append(element('h3', null, vacancy ? 'Leerstand bearbeiten' : 'Leerstand melden'));
  field(form, 'status', 'Status', select(STATUS_LABELS, p.status));
  field(form, 'use', 'Nutzung', select(USE_LABELS, p.use));
  const since = field(form, 'vacant_since', 'Leer seit', element('input'));
  since.type = 'date';
  since.value = p.vacant_since ?? '';
  const consent = element('input');
  consent.type = 'checkbox';
  consent.checked = Boolean(p.consent_publish);
  field(form, 'consent_publish', 'Eigentümer stimmt der Veröffentlichung zu', consent);
  const texts = [['owner_contact', 'Kontakt (intern)', 'input'], ['internal_notes', 'Notizen (intern)', 'textarea'],
    ['public_description', 'Öffentliche Beschreibung', 'textarea']];
  for (const [name, label, kind] of texts) {
    const input = field(form, name, label, element(kind));
    input.value = p[name] ?? '';
    input.maxLength = TEXT_LIMITS[name];
  }
  const message = element('p', 'form-error');
  message.setAttribute('role', 'alert');
  const submit = element('button', null, 'Speichern');
  submit.type = 'submit';
  form.append(message, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
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
