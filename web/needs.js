// Needs (Gesuche): what initiatives, founders and associations look for. The public list
// (/gesuche, filtered by Kommune and use in the address), one need (/gesuche/{id}), the form
// "Gesuch aufgeben" (/gesuche/neu, POST /api/gesuche) with its answer, the confirmation page
// (/gesuche/bestaetigen?token=…, confirmed by a click: mail scanners follow links), and for
// staff (editors of a Kommune, admins) "Gesuch erfassen", edit and close, and the match slot.
// Everything from the API goes into the page as text.

import { request } from './api.js';
import { honeypotField } from './form-parts.js';
import { labelledField } from './editor.js';
import { countOf, definitionList, element, formatArea, formatDate, numberFormat } from './dom.js';
import { NEED_STATUS_LABELS, OFFER_KIND_LABELS, USE_LABELS, label } from './labels.js';
import { mountNeedMatches } from './matches.js';
import { fieldErrorText, problemText } from './messages.js';
import { showPage } from './page.js';
import { navigate, route } from './router.js';
import { kommuneNames, selectOf } from './zukunftsorte.js';

const ITEMS = '/collections/gesuche/items';
// The longest texts the server takes (server/services/need_service.cpp, openapi.json).
const TEXT_LIMITS = Object.freeze({
  title: 120, description: 4000, contact_name: 200, contact_email: 254, contact_phone: 50, place_name: 200,
});
const STAFF_STATUSES = ['offen', 'vermittelt', 'geschlossen'];

/** True for the staff who enter and close needs: admins and editors of some Kommune. */
function isStaff(me) {
  return me?.role === 'admin' || (me?.role === 'editor' && (me.kommunen ?? []).length > 0);
}

function routeLink(href, text, className) {
  const link = element('a', className, text);
  link.href = href;
  link.dataset.route = '';
  return link;
}

// ---------------------------------------------------------------------------------------------
// How a need reads

/** "80–150 m²", "ab 80 m²", "bis 150 m²" or ''. */
export function sizeText(p) {
  const min = typeof p.min_area_m2 === 'number' ? formatArea(p.min_area_m2) : '';
  const max = typeof p.max_area_m2 === 'number' ? formatArea(p.max_area_m2) : '';
  if (min && max) return `${min.replace('\u00a0m²', '')}–${max}`;
  if (min) return `ab ${min}`;
  if (max) return `bis ${max}`;
  return '';
}

/** "Angermünde, Herzberg (Elster)" or "im Umkreis von 10 km um Angermünde". */
export function placeText(p, names) {
  if (p.radius && typeof p.radius.km === 'number') {
    const around = p.radius.place_name || 'den gewählten Ort';
    return `im Umkreis von ${numberFormat.format(p.radius.km)} km um ${around}`;
  }
  if (Array.isArray(p.kommunen)) return p.kommunen.map((ags) => names.get(ags) ?? ags).join(', ');
  return '';
}

function listText(values, kind, any) {
  return Array.isArray(values) && values.length > 0 ? values.map((v) => label(kind, v)).join(', ') : any;
}

function needFacts(p, names) {
  return definitionList([
    ['Nutzung', listText(p.uses, 'use', 'jede Nutzung')],
    ['Fläche', sizeText(p)],
    ['Ort', placeText(p, names)],
    ['Art', listText(p.kinds, 'offer_kind', 'jede Art')],
    ['Gesucht ab', p.needed_from ? formatDate(p.needed_from) : 'sofort'],
  ], 'need-facts');
}

function needCard(feature, names) {
  const p = feature.properties ?? {};
  const card = element('li', 'need-card');
  card.dataset.id = String(feature.id);
  const heading = element('h2', 'need-card-title');
  heading.append(routeLink(`/gesuche/${feature.id}`, p.title || 'Gesuch'));
  card.append(heading);
  if (p.common_good) card.append(element('span', 'need-badge', 'gemeinwohlorientiert'));
  if (p.status && p.status !== 'offen') card.append(element('span', 'need-status', label('need_status', p.status)));
  card.append(needFacts(p, names));
  if (p.description) card.append(element('p', 'need-card-text', p.description));
  return card;
}

// ---------------------------------------------------------------------------------------------
// The list

/** The filters in the address (?kommune=…&use=…): each one set, by name. */
function listFilters() {
  const query = new URLSearchParams(window.location.search);
  return Object.fromEntries(['kommune', 'use'].map((name) => [name, query.get(name) ?? '']));
}

/** The list's address with the filters that are set, to share the filtered list. */
function listAddress(filters) {
  const query = new URLSearchParams(Object.entries(filters).filter(([, value]) => value));
  const text = query.toString();
  return text ? `/gesuche?${text}` : '/gesuche';
}

async function openList(meOf) {
  showPage('Gesuche', element('p', 'page-lead', 'Gesuche werden geladen …'));
  const filters = listFilters();
  let names;
  let me;
  try {
    [names, me] = await Promise.all([kommuneNames(), meOf()]);
  } catch (error) {
    showPage('Gesuche', element('p', 'form-error', `Gesuche nicht abrufbar: ${error.message}`));
    return;
  }
  const form = element('form', 'list-filters');
  form.setAttribute('role', 'search');
  const kommunen = [...names].sort((a, b) => a[1].localeCompare(b[1], 'de'));
  form.append(selectOf('kommune', 'Kommune', kommunen, filters.kommune),
    selectOf('use', 'Nutzung', Object.entries(USE_LABELS), filters.use));
  form.addEventListener('submit', (event) => event.preventDefault());
  const count = element('p', 'list-count');
  count.setAttribute('role', 'status');
  const list = element('ul', 'need-cards');
  const render = async (chosen) => {
    const query = new URLSearchParams({ limit: '1000' });
    if (chosen.kommune) query.set('kommune', chosen.kommune);
    if (chosen.use) query.set('use', chosen.use);
    list.setAttribute('aria-busy', 'true');
    try {
      const collection = await request(`${ITEMS}?${query}`, { accept: 'application/geo+json' });
      count.textContent = countOf(collection.numberMatched, 'Gesuch', 'Gesuche');
      list.replaceChildren(...collection.features.map((feature) => needCard(feature, names)));
      list.dataset.state = 'ready';
    } catch (error) {
      list.replaceChildren(element('li', 'form-error', `Gesuche nicht abrufbar: ${error.message}`));
    }
    list.removeAttribute('aria-busy');
  };
  form.addEventListener('change', () => {
    const chosen = { kommune: form.elements.kommune.value, use: form.elements.use.value };
    window.history.replaceState({}, '', listAddress(chosen));
    render(chosen);
  });
  const lead = element('p', 'page-lead',
    'Initiativen, Gründerinnen, Gründer und Vereine suchen Räume in den Kommunen des Netzwerks. '
    + 'Haben Sie ein passendes Gebäude? Die Kommune vermittelt den Kontakt.');
  const actions = element('p', 'page-action');
  actions.append(routeLink('/gesuche/neu', isStaff(me) ? 'Gesuch erfassen' : 'Gesuch aufgeben', 'button-link'));
  showPage('Gesuche', lead, actions, form, count, list);
  document.getElementById('page').dataset.view = 'needs';
  await render(filters);
}

// ---------------------------------------------------------------------------------------------
// One need

async function openNeed(id, meOf) {
  showPage('Gesuch', element('p', 'page-lead', 'Gesuch wird geladen …'));
  let need;
  let names;
  let me;
  try {
    [need, names, me] = await Promise.all([
      request(`${ITEMS}/${encodeURIComponent(id)}`, { accept: 'application/geo+json', withEtag: true }),
      kommuneNames(), meOf()]);
  } catch (error) {
    const back = element('p', 'page-action');
    back.append(routeLink('/gesuche', 'Alle Gesuche', 'button-link'));
    showPage('Gesuch', element('p', 'form-error', error.status === 404 ? 'Dieses Gesuch gibt es nicht (mehr).' : error.message), back);
    return;
  }
  const feature = need.body;
  const p = feature.properties ?? {};
  const content = [];
  if (p.common_good) content.push(element('p', 'need-badge', 'gemeinwohlorientiert'));
  content.push(needFacts(p, names));
  if (p.description) content.push(element('p', 'need-text', p.description));
  const staffRows = [
    ['Status', label('need_status', p.status)],
    ['Eingang', p.source === 'formular' ? 'Formular (per E-Mail bestätigt)' : p.source === 'redaktion' ? 'von der Redaktion erfasst' : ''],
    ['Erfasst von', p.author ?? ''],
    ['Kontakt', [p.contact_name, p.contact_email, p.contact_phone].filter(Boolean).join(', ')],
    ['Personendaten', p.personal_data_deleted_at ? `gelöscht am ${formatDate(p.personal_data_deleted_at)}` : ''],
  ];
  if (isStaff(me)) content.push(definitionList(staffRows, 'need-staff-facts'));
  else content.push(element('p', 'field-hint', 'Kontaktdaten zeigt der Atlas nicht öffentlich; die Kommune vermittelt den Kontakt.'));
  const back = element('p', 'page-action');
  back.append(routeLink('/gesuche', 'Alle Gesuche', 'button-link'));
  content.push(back);
  if (isStaff(me)) {
    const edit = element('button', 'need-edit', 'Bearbeiten');
    edit.type = 'button';
    edit.addEventListener('click', () => showForm({ me, names, feature, etag: need.etag }));
    back.append(' ', edit);
    const matches = element('section');
    matches.id = 'vorschlaege';
    content.push(matches);
    showPage(p.title || 'Gesuch', ...content);
    mountNeedMatches(matches, feature);
  } else {
    showPage(p.title || 'Gesuch', ...content);
  }
  document.getElementById('page').dataset.view = 'need';
}

// ---------------------------------------------------------------------------------------------
// The form: "Gesuch aufgeben" (the public), "Gesuch erfassen" and editing (staff)

function textInput(name, { type = 'text', multiline = false } = {}) {
  const control = element(multiline ? 'textarea' : 'input');
  if (multiline) control.rows = 5;
  else control.type = type;
  if (TEXT_LIMITS[name]) control.maxLength = TEXT_LIMITS[name];
  return control;
}

function checkboxGroup(name, labels, chosen) {
  const group = element('fieldset', 'check-group');
  group.id = `need-${name}`;
  for (const [value, text] of Object.entries(labels)) {
    const caption = element('label', 'check');
    const box = element('input');
    box.type = 'checkbox';
    box.name = name;
    box.value = value;
    box.checked = chosen.includes(value);
    caption.append(box, ` ${text}`);
    group.append(caption);
  }
  return group;
}

function checked(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
}

function numberOrNull(text) {
  const value = Number.parseFloat(String(text).replace(',', '.'));
  return Number.isFinite(value) ? value : null;
}

function showForm({ me, names, feature = null, etag = null }) {
  const staff = isStaff(me);
  const p = feature?.properties ?? {};
  const title = feature ? 'Gesuch bearbeiten' : staff ? 'Gesuch erfassen' : 'Gesuch aufgeben';
  const form = element('form', 'need-form');
  form.noValidate = true;
  const add = (name, caption, control, hint) => labelledField(form, { id: `need-${name}`, name, caption, control, hint });

  const inputs = {};
  inputs.title = add('title', 'Was suchen Sie? *', textInput('title'), 'Zum Beispiel „Ladenlokal für ein Nachbarschaftscafé“ (3 bis 120 Zeichen).');
  inputs.title.value = p.title ?? '';
  inputs.description = add('description', 'Beschreibung', textInput('description', { multiline: true }),
    'Wofür brauchen Sie die Räume? Wer steht dahinter?');
  inputs.description.value = p.description ?? '';
  add('uses', 'Nutzung (keine Auswahl: jede)', checkboxGroup('uses', USE_LABELS, p.uses ?? []));
  add('kinds', 'Art der Überlassung (keine Auswahl: jede)', checkboxGroup('kinds', OFFER_KIND_LABELS, p.kinds ?? []));
  inputs.min_area_m2 = add('min_area_m2', 'Fläche ab (m²)', textInput('min_area_m2', { type: 'number' }));
  inputs.min_area_m2.min = '1';
  inputs.min_area_m2.value = p.min_area_m2 ?? '';
  inputs.max_area_m2 = add('max_area_m2', 'Fläche bis (m²)', textInput('max_area_m2', { type: 'number' }));
  inputs.max_area_m2.min = '1';
  inputs.max_area_m2.value = p.max_area_m2 ?? '';

  // The place: Kommunen of the atlas, or a circle around one of them.
  const sorted = [...names].sort((a, b) => a[1].localeCompare(b[1], 'de'));
  const mode = element('select');
  mode.append(new Option('in bestimmten Kommunen', 'kommunen'), new Option('im Umkreis um einen Ort', 'radius'));
  mode.value = p.radius ? 'radius' : 'kommunen';
  add('place_mode', 'Wo?', mode);
  const kommunen = element('select');
  kommunen.multiple = true;
  kommunen.size = Math.min(8, Math.max(3, sorted.length));
  for (const [ags, name] of sorted) kommunen.append(new Option(name, ags, false, (p.kommunen ?? []).includes(ags)));
  add('kommunen', 'Kommunen (mehrere mit Strg bzw. ⌘)', kommunen);
  const centre = element('select');
  for (const [ags, name] of sorted) centre.append(new Option(name, ags, false, p.radius?.place_name === name));
  add('radius', 'Umkreis um', centre);
  const km = add('radius_km', 'Umkreis in km (1 bis 200)', textInput('radius_km', { type: 'number' }));
  km.min = '1';
  km.max = '200';
  km.value = p.radius?.km ?? '20';
  const showPlace = () => {
    const circle = mode.value === 'radius';
    form.querySelector('[data-field="kommunen"]').hidden = circle;
    form.querySelector('[data-field="radius"]').hidden = !circle;
    form.querySelector('[data-field="radius_km"]').hidden = !circle;
  };
  mode.addEventListener('change', showPlace);

  inputs.needed_from = add('needed_from', 'Gesucht ab', textInput('needed_from', { type: 'date' }));
  inputs.needed_from.value = p.needed_from ?? '';
  const commonGood = element('input');
  commonGood.type = 'checkbox';
  commonGood.checked = Boolean(p.common_good);
  add('common_good', 'Gemeinwohlorientiert (z. B. Verein, Kultur, Soziales)', commonGood);
  const contactHint = staff
    ? 'Nur Sie und die Admins sehen die Kontaktdaten.'
    : 'An diese Adresse schicken wir den Bestätigungslink. Öffentlich zeigt der Atlas Ihre Kontaktdaten nicht.';
  if (!feature || p.contact_name !== undefined) {
    inputs.contact_name = add('contact_name', staff ? 'Name (Kontakt)' : 'Ihr Name *', textInput('contact_name'));
    inputs.contact_name.autocomplete = 'name';
    inputs.contact_name.value = p.contact_name ?? '';
    inputs.contact_email = add('contact_email', staff ? 'E-Mail (Kontakt)' : 'E-Mail *', textInput('contact_email', { type: 'email' }), contactHint);
    inputs.contact_email.autocomplete = 'email';
    inputs.contact_email.value = p.contact_email ?? '';
    inputs.contact_phone = add('contact_phone', 'Telefon', textInput('contact_phone', { type: 'tel' }));
    inputs.contact_phone.autocomplete = 'tel';
    inputs.contact_phone.value = p.contact_phone ?? '';
  }
  let status = null;
  if (feature && staff) {
    status = element('select');
    for (const value of STAFF_STATUSES) status.append(new Option(NEED_STATUS_LABELS[value], value, false, value === p.status));
    add('status', 'Status', status, 'Vermittelt oder geschlossen: das Gesuch verschwindet aus der öffentlichen Liste.');
  }

  // Staff post to the collection, which has no honeypot.
  const trapInput = staff ? { value: '' } : honeypotField(form);

  const error = element('p', 'form-error');
  error.setAttribute('role', 'alert');
  const submit = element('button', null, feature ? 'Speichern' : staff ? 'Gesuch speichern' : 'Gesuch senden');
  submit.type = 'submit';
  form.append(element('p', 'field-hint', 'Mit * markierte Felder sind Pflichtfelder.'), error, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    for (const problem of form.querySelectorAll('.field-error')) problem.textContent = '';
    const circle = mode.value === 'radius';
    const chosenCentre = names.get(centre.value);
    const properties = {
      title: inputs.title.value.trim(),
      description: inputs.description.value.trim() || null,
      uses: checked(form, 'uses'),
      kinds: checked(form, 'kinds'),
      min_area_m2: numberOrNull(inputs.min_area_m2.value),
      max_area_m2: numberOrNull(inputs.max_area_m2.value),
      kommunen: circle ? null : [...kommunen.selectedOptions].map((o) => o.value),
      radius: null,
      needed_from: inputs.needed_from.value || null,
      common_good: commonGood.checked,
    };
    if (properties.kommunen?.length === 0) properties.kommunen = null;
    if (inputs.contact_name) {
      properties.contact_name = inputs.contact_name.value.trim() || null;
      properties.contact_email = inputs.contact_email.value.trim() || null;
      properties.contact_phone = inputs.contact_phone.value.trim() || null;
    }
    if (status) properties.status = status.value;
    submit.disabled = true;
    try {
      if (circle) {
        const lonLat = await kommuneCentre(centre.value);
        properties.radius = { lon: lonLat[0], lat: lonLat[1], km: numberOrNull(km.value), place_name: chosenCentre ?? null };
      }
      if (!staff) {
        const answer = await request('/api/gesuche', { method: 'POST', body: { ...properties, homepage: trapInput.value } });
        showSent(answer);
        return;
      }
      const body = { type: 'Feature', geometry: null, properties };
      const saved = feature
        ? await request(`${ITEMS}/${feature.id}`, { method: 'PUT', body, headers: { 'If-Match': etag, 'Content-Type': 'application/geo+json' }, accept: 'application/geo+json' })
        : await request(ITEMS, { method: 'POST', body, headers: { 'Content-Type': 'application/geo+json' }, accept: 'application/geo+json' });
      navigate(`/gesuche/${saved.id}`);
    } catch (failure) {
      const errors = Array.isArray(failure.problem?.errors) ? failure.problem.errors : [];
      let first = null;
      for (const problem of errors) {
        const wrapper = form.querySelector(`[data-field="${problem.field}"]`);
        if (!wrapper) continue;
        wrapper.querySelector('.field-error').textContent = fieldErrorText(problem);
        first ??= wrapper.querySelector('input, select, textarea');
      }
      error.textContent = errors.length > 0 ? 'Bitte die markierten Felder prüfen.' : problemText(failure);
      first?.focus();
    } finally {
      submit.disabled = false;
    }
  });

  const intro = element('p', 'page-lead', staff
    ? 'Ein Gesuch für jemanden, der bei Ihnen angerufen hat: Es ist sofort öffentlich, ohne Kontaktdaten.'
    : 'Sie suchen Räume für ein Vorhaben in einer Kommune des Netzwerks? Beschreiben Sie es hier. '
      + 'Nach der Bestätigung per E-Mail erscheint Ihr Gesuch in der öffentlichen Liste, ohne Ihre Kontaktdaten.');
  showPage(title, intro, form);
  showPlace();
  document.getElementById('page').dataset.view = 'need-form';
}

/** The centre of a Kommune's outline as [lon, lat] (the box of its boundary). */
async function kommuneCentre(ags) {
  const feature = await request(`/collections/kommunen/items/${encodeURIComponent(ags)}?properties=ags`, { accept: 'application/geo+json' });
  let west = Infinity; let south = Infinity; let east = -Infinity; let north = -Infinity;
  const walk = (coordinates) => {
    if (typeof coordinates[0] === 'number') {
      west = Math.min(west, coordinates[0]); east = Math.max(east, coordinates[0]);
      south = Math.min(south, coordinates[1]); north = Math.max(north, coordinates[1]);
      return;
    }
    for (const part of coordinates) walk(part);
  };
  walk(feature.geometry?.coordinates ?? []);
  if (!Number.isFinite(west)) throw new Error('Für diesen Ort ist keine Lage bekannt.');
  return [Math.round(((west + east) / 2) * 1e6) / 1e6, Math.round(((south + north) / 2) * 1e6) / 1e6];
}

function showSent(answer) {
  const text = element('p', 'page-lead', 'Bitte bestätigen Sie Ihr Gesuch über den Link in der E-Mail.');
  const more = element('p', null,
    'Wir haben Ihnen eine E-Mail geschickt. Erst nach der Bestätigung erscheint Ihr Gesuch in der '
    + 'öffentlichen Liste, ohne Ihre Kontaktdaten. Ohne Bestätigung löschen wir es nach 7 Tagen.');
  const days = answer?.retention_days;
  const retention = element('p', null, Number.isInteger(days)
    ? `Ihre Kontaktdaten löschen wir ${days} Tage, nachdem das Gesuch geschlossen wurde.`
    : 'Ihre Kontaktdaten löschen wir, nachdem das Gesuch geschlossen wurde.');
  const next = element('p', 'page-action');
  next.append(routeLink('/gesuche', 'Zu den Gesuchen', 'button-link'));
  showPage('Fast geschafft', text, more, retention, next);
  document.getElementById('page').dataset.view = 'need-sent';
}

// ---------------------------------------------------------------------------------------------
// The confirmation page

function openConfirmation() {
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const lead = element('p', 'page-lead', 'Mit einem Klick bestätigen Sie Ihr Gesuch. Danach erscheint es in der öffentlichen Liste.');
  const button = element('button', 'need-confirm', 'Gesuch bestätigen');
  button.type = 'button';
  const answer = element('p', 'need-confirm-answer');
  answer.setAttribute('role', 'status');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const confirmed = await request('/api/gesuche/bestaetigung', { method: 'POST', body: { token } });
      answer.replaceChildren('Danke! Ihr Gesuch ist jetzt veröffentlicht. ',
        routeLink(`/gesuche/${confirmed.id}`, 'Zum Gesuch'));
      button.hidden = true;
    } catch (failure) {
      answer.textContent = problemText(failure);
      button.disabled = false;
    }
  });
  showPage('Gesuch bestätigen', lead, button, answer);
  document.getElementById('page').dataset.view = 'need-confirmation';
}

/**
 * Registers the views /gesuche, /gesuche/neu, /gesuche/bestaetigen and /gesuche/{id}. `meOf()`
 * resolves with who is signed in.
 */
export function setUpNeeds({ meOf }) {
  route(/^\/gesuche\/?$/, () => openList(meOf));
  route(/^\/gesuche\/neu\/?$/, async () => {
    const [me, names] = await Promise.all([meOf(), kommuneNames()]);
    showForm({ me, names });
  });
  route(/^\/gesuche\/bestaetigen\/?$/, () => openConfirmation());
  route(/^\/gesuche\/(\d+)\/?$/, (match) => openNeed(match[1], meOf));
}

