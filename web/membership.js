// Membership of the network: "Das Netzwerk" (/netzwerk, the members from /api/network), the
// public form "Mitglied werden" (/mitglied-werden, POST /api/membership-requests) with its
// confirmation, and the admins' list of requests (/mitgliedsantraege) with accept and decline.
// Everything from the API goes into the page as text.

import { request } from './api.js';
import { element, formatDate } from './dom.js';
import { findKommune } from './kommunen.js';
import { showPage } from './page.js';
import { route } from './router.js';

// The longest text of each field, as the server takes it (server/services/membership_service.cpp).
const MAX_LENGTH = Object.freeze({ kommune: 200, person: 200, role: 200, email: 254, message: 5000 });

const STATUS_LABELS = Object.freeze({ pending: 'Offen', accepted: 'Aufgenommen', declined: 'Abgelehnt' });

/** German text of a field problem (`errors[].code` of a 400). */
function fieldMessage(error, field) {
  switch (error.code) {
    case 'required': return field === 'kommune' ? 'Bitte eine Kommune wählen oder ihren Namen eingeben.' : 'Bitte ausfüllen.';
    case 'too_long': return `Zu lang: höchstens ${MAX_LENGTH[field] ?? ''} Zeichen.`;
    case 'not_an_email': return 'Bitte eine gültige E-Mail-Adresse angeben, z. B. name@kommune.de.';
    case 'unknown_kommune': return 'Diese Kommune ist nicht im Atlas.';
    case 'not_an_ags': return 'Bitte einen Gemeindeschlüssel mit 8 (Gemeinde) oder 5 (Kreis) Ziffern angeben.';
    default: return 'Bitte prüfen.';
  }
}

/** The members of the network and the box around them: { members, bbox }. */
export function loadNetwork() {
  return request('/api/network');
}

/** The Leaflet bounds around the members' outlines, or null without members. */
export async function networkBounds() {
  const { bbox } = await loadNetwork();
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(Number.isFinite)) return null;
  return L.latLngBounds([bbox[1], bbox[0]], [bbox[3], bbox[2]]);
}

function routeLink(href, text, className) {
  const link = element('a', className, text);
  link.href = href;
  link.dataset.route = '';
  return link;
}

// ---------------------------------------------------------------------------------------------
// Das Netzwerk

function memberItem(member) {
  const item = element('li', 'member');
  item.dataset.ags = member.ags;
  const name = routeLink(`/kommunen/${encodeURIComponent(member.ags)}`, member.name, 'member-name');
  item.append(name);
  if (member.bez) item.append(element('span', 'member-bez', member.bez));
  const facts = element('p', 'member-facts');
  if (member.founding_member) facts.append(element('span', 'member-badge', 'Gründungsmitglied'));
  if (member.member_since) facts.append(element('span', 'member-since', `Mitglied seit ${formatDate(member.member_since)}`));
  if (facts.childElementCount > 0) item.append(facts);
  return item;
}

async function showNetwork() {
  const intro = element('p', 'page-lead',
    'Kommunen, die Leerstand sichtbar machen und leere Gebäude wieder mit Leben füllen, tauschen '
    + 'sich im Netzwerk aus und zeigen ihre Arbeit in diesem Atlas.');
  const join = element('p', 'page-action');
  join.append(routeLink('/mitglied-werden', 'Mitglied werden', 'button-link'));
  const list = element('ul', 'member-list');
  list.setAttribute('aria-busy', 'true');
  list.append(element('li', 'page-note', 'Mitglieder werden geladen …'));
  showPage('Das Netzwerk', intro, list, join);
  try {
    const { members } = await loadNetwork();
    const sorted = [...members].sort((a, b) => a.name.localeCompare(b.name, 'de'));
    list.replaceChildren(...sorted.map(memberItem));
    if (sorted.length === 0) list.append(element('li', 'page-note', 'Noch keine Mitglieder.'));
  } catch (error) {
    list.replaceChildren(element('li', 'form-error', `Mitglieder nicht abrufbar: ${error.message}`));
  }
  list.removeAttribute('aria-busy');
}

// ---------------------------------------------------------------------------------------------
// Mitglied werden

/**
 * The honeypot of the public forms: a field `homepage` hidden from people (and from screen
 * readers and the tab order); a form robot fills it, and the server then stores nothing.
 * Returns { trap (the node to append), input }.
 */
export function honeypot() {
  const trap = element('div', 'form-trap');
  trap.setAttribute('aria-hidden', 'true');
  const caption = element('label', null, 'Homepage (bitte leer lassen)');
  const input = element('input');
  input.name = 'homepage';
  input.tabIndex = -1;
  input.autocomplete = 'off';
  caption.append(input);
  trap.append(caption);
  return { trap, input };
}

function formField(form, { name, label, type = 'text', required = false, hint, multiline = false }) {
  const id = `join-${name}`;
  const wrapper = element('div', 'form-field');
  const caption = element('label', null, required ? `${label} *` : label);
  caption.htmlFor = id;
  const input = element(multiline ? 'textarea' : 'input');
  input.id = id;
  input.name = name;
  if (!multiline) input.type = type;
  else input.rows = 5;
  input.maxLength = MAX_LENGTH[name];
  input.required = required;
  const problem = element('p', 'field-error');
  problem.id = `${id}-error`;
  problem.setAttribute('aria-live', 'polite');
  input.setAttribute('aria-describedby', problem.id);
  wrapper.append(caption, input);
  if (hint) wrapper.append(hint);
  wrapper.append(problem);
  form.append(wrapper);
  return input;
}

/** The form's Kommune field: a name, chosen from the loaded Kommunen or typed. */
function kommuneHint(input, kommunenOf) {
  const hint = element('p', 'field-hint');
  const update = () => {
    const kommune = input.value.trim() ? findExact(kommunenOf(), input.value) : null;
    hint.textContent = kommune
      ? `Im Atlas: ${kommune.name} (Gemeindeschlüssel ${kommune.ags})`
      : input.value.trim() ? 'Nicht im Atlas: der Name wird so übermittelt.' : 'Aus der Liste wählen oder den Namen eingeben.';
  };
  input.addEventListener('input', update);
  update();
  return hint;
}

/** The loaded Kommune whose name is exactly `text` (any case), or null. */
function findExact(kommunen, text) {
  const kommune = findKommune(kommunen, text);
  return kommune && kommune.name.toLocaleLowerCase('de') === text.trim().toLocaleLowerCase('de') ? kommune : null;
}

function showConfirmation(kommuneName, answer) {
  const days = answer?.retention_days;
  const text = element('p', 'page-lead',
    `Ihr Antrag für ${kommuneName} ist eingegangen. Das Team des Netzwerks meldet sich per E-Mail bei Ihnen.`);
  const retention = element('p', null, Number.isInteger(days)
    ? `Ihre Angaben nutzen wir nur für diesen Antrag und löschen sie ${days} Tage nach der Entscheidung.`
    : 'Ihre Angaben nutzen wir nur für diesen Antrag und löschen sie nach der Entscheidung.');
  const next = element('p', 'page-action');
  next.append(routeLink('/netzwerk', 'Zum Netzwerk', 'button-link'));
  showPage('Vielen Dank!', text, retention, next);
  document.getElementById('page').dataset.view = 'membership-confirmation';
}

function showJoinForm(kommunenOf) {
  const intro = element('p', 'page-lead',
    'Ihre Kommune möchte Leerstand sichtbar machen und mit anderen Kommunen Erfahrungen teilen? '
    + 'Schreiben Sie uns. Ein Konto brauchen Sie dafür nicht.');
  const form = element('form', 'join-form');
  form.noValidate = true;
  const names = element('datalist');
  names.id = 'join-kommune-names';
  // Filled when first needed: opened by a link from outside, the page comes before the
  // Kommunen have loaded.
  const fillNames = () => {
    if (names.childElementCount > 0) return;
    const sorted = [...kommunenOf().values()].sort((a, b) => a.name.localeCompare(b.name, 'de'));
    for (const kommune of sorted) {
      const option = element('option');
      option.value = kommune.name;
      names.append(option);
    }
  };
  fillNames();
  form.append(names);
  const inputs = {};
  inputs.kommune = formField(form, { name: 'kommune', label: 'Kommune', required: true });
  inputs.kommune.setAttribute('list', names.id);
  inputs.kommune.autocomplete = 'off';
  inputs.kommune.addEventListener('focus', fillNames);
  inputs.kommune.closest('.form-field').insertBefore(kommuneHint(inputs.kommune, kommunenOf),
    inputs.kommune.closest('.form-field').querySelector('.field-error'));
  inputs.person = formField(form, { name: 'person', label: 'Ihr Name', required: true });
  inputs.person.autocomplete = 'name';
  inputs.role = formField(form, { name: 'role', label: 'Funktion (z. B. Bürgermeisterin, Bauamt)' });
  inputs.role.autocomplete = 'organization-title';
  inputs.email = formField(form, { name: 'email', label: 'E-Mail', type: 'email', required: true });
  inputs.email.autocomplete = 'email';
  inputs.message = formField(form, { name: 'message', label: 'Nachricht', multiline: true });

  const { trap, input: trapInput } = honeypot();
  form.append(trap);

  const note = element('p', 'field-hint',
    'Mit * markierte Felder sind Pflichtfelder. Name, Funktion, E-Mail und Nachricht sehen nur die '
    + 'Admins des Netzwerks; sie werden nach der Entscheidung gelöscht.');
  const error = element('p', 'form-error');
  error.setAttribute('role', 'alert');
  const submit = element('button', null, 'Antrag senden');
  submit.type = 'submit';
  form.append(note, error, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    for (const problem of form.querySelectorAll('.field-error')) problem.textContent = '';
    for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
    const typed = inputs.kommune.value.trim();
    const kommune = typed ? findExact(kommunenOf(), typed) : null;
    const body = {
      kommune: kommune ? kommune.ags : null,
      kommune_name: kommune ? kommune.name : typed,
      person: inputs.person.value,
      role: inputs.role.value,
      email: inputs.email.value,
      message: inputs.message.value,
      homepage: trapInput.value,
    };
    submit.disabled = true;
    try {
      const answer = await request('/api/membership-requests', { method: 'POST', body });
      showConfirmation(kommune ? kommune.name : typed, answer);
    } catch (failure) {
      const errors = Array.isArray(failure.problem?.errors) ? failure.problem.errors : [];
      let first = null;
      for (const problem of errors) {
        const field = problem.field === 'kommune_name' ? 'kommune' : problem.field;
        const input = inputs[field];
        if (!input) continue;
        input.setAttribute('aria-invalid', 'true');
        form.querySelector(`#join-${field}-error`).textContent = fieldMessage(problem, field);
        first ??= input;
      }
      error.textContent = failure.status === 429
        ? 'Von dieser Adresse kamen zu viele Anträge. Bitte später erneut versuchen.'
        : errors.length > 0 ? 'Bitte die markierten Felder prüfen.' : `Senden nicht möglich: ${failure.message}`;
      first?.focus();
    } finally {
      submit.disabled = false;
    }
  });
  showPage('Mitglied werden', intro, form);
  document.getElementById('page').dataset.view = 'membership-form';
}

// ---------------------------------------------------------------------------------------------
// Mitgliedsanträge (admins)

function requestCard(item, decide) {
  const card = element('article', 'membership-request');
  card.dataset.id = String(item.id);
  card.dataset.status = item.status;
  const heading = element('h2', 'membership-request-title', item.kommune_name);
  const status = element('span', `request-status request-status-${item.status}`, STATUS_LABELS[item.status] ?? item.status);
  heading.append(' ', status);
  card.append(heading);
  const facts = element('dl', 'request-facts');
  const add = (term, value) => {
    if (value === null || value === undefined || value === '') return;
    facts.append(element('dt', null, term));
    const description = element('dd');
    description.append(value);
    facts.append(description);
  };
  add('Kommune im Atlas', item.kommune_ags ? `Gemeindeschlüssel ${item.kommune_ags}` : 'nicht im Atlas');
  add('Eingegangen', formatDate(item.created_at));
  add('Name', item.person);
  add('Funktion', item.role);
  if (item.email) {
    const mail = element('a', null, item.email);
    mail.href = `mailto:${item.email}`;
    add('E-Mail', mail);
  }
  if (item.decided_at) add('Entschieden', `${formatDate(item.decided_at)}${item.decided_by ? ` von ${item.decided_by}` : ''}`);
  if (item.personal_data_deleted_at) add('Personendaten', `gelöscht am ${formatDate(item.personal_data_deleted_at)}`);
  card.append(facts);
  if (item.message) card.append(element('p', 'request-message', item.message));
  if (item.status !== 'pending') return card;

  const actions = element('div', 'request-actions');
  let agsInput = null;
  if (!item.kommune_ags) {
    const label = element('label', null, 'Gemeindeschlüssel der Kommune im Atlas');
    agsInput = element('input');
    agsInput.name = 'kommune';
    agsInput.inputMode = 'numeric';
    agsInput.maxLength = 8;
    label.append(agsInput);
    actions.append(label);
  }
  const accept = element('button', 'request-accept', 'Aufnehmen');
  accept.type = 'button';
  const decline = element('button', 'request-decline', 'Ablehnen');
  decline.type = 'button';
  const problem = element('p', 'form-error');
  problem.setAttribute('role', 'alert');
  accept.addEventListener('click', () => decide(item, 'accept', agsInput?.value.trim() || null, problem));
  decline.addEventListener('click', () => decide(item, 'decline', null, problem));
  actions.append(accept, decline);
  card.append(actions, problem);
  return card;
}

async function showRequests(meOf, changed) {
  const list = element('div', 'membership-requests');
  showPage('Mitgliedsanträge', list);
  const me = await meOf();
  if (me?.role !== 'admin') {
    list.append(element('p', 'page-note', 'Nur Admins des Netzwerks sehen die Anträge. Bitte als Admin anmelden.'));
    return;
  }
  const render = async () => {
    try {
      const { requests } = await request('/api/membership-requests');
      list.replaceChildren(...requests.map((item) => requestCard(item, decide)));
      if (requests.length === 0) list.append(element('p', 'page-note', 'Keine Anträge.'));
      list.dataset.state = 'ready';
    } catch (error) {
      list.replaceChildren(element('p', 'form-error', `Anträge nicht abrufbar: ${error.message}`));
    }
  };
  async function decide(item, action, ags, problem) {
    problem.textContent = '';
    try {
      await request(`/api/membership-requests/${item.id}/${action}`, {
        method: 'POST', body: ags ? { kommune: ags } : {},
      });
    } catch (failure) {
      const field = failure.problem?.errors?.[0];
      problem.textContent = field ? fieldMessage(field, 'kommune')
        : failure.problem?.code === 'membership_request_decided' ? 'Der Antrag wurde inzwischen anders entschieden.'
          : `Nicht möglich: ${failure.message}`;
      return;
    }
    await render();
    if (action === 'accept') changed();
  }
  await render();
}

/**
 * Registers the views: /netzwerk, /mitglied-werden and /mitgliedsantraege. `kommunenOf()` gives
 * the loaded Kommunen (a Map by AGS), `meOf()` resolves with who is signed in, `changed()` is
 * called after an acceptance (the Kommunen's data changed).
 */
export function setUpMembership({ kommunenOf, meOf, changed }) {
  route(/^\/netzwerk\/?$/, () => showNetwork());
  route(/^\/mitglied-werden\/?$/, () => showJoinForm(kommunenOf));
  route(/^\/mitgliedsantraege\/?$/, () => showRequests(meOf, changed));
}
