// Offers (Angebote, issue 23, part "offers"): vacancies a Kommune offers for reuse. The list
// /angebote with its filters in the address (Kommune, Nutzung, Art, Fläche von/bis: a filtered
// list can be shared), the offers as their own layer on the map, the exposé /angebote/{id}
// (pictures, facts, the Kommune's contact; prints as one A4 page), and for the Kommune's
// editors the offer form, opened from a consented vacancy's record. The server decides what
// each caller sees (docs/privacy.md); everything from the API goes in as text.

import { fetchJson, fetchPublicJson, request } from './api.js';
import { canEdit, field, formButtons, textInput } from './editor.js';
import { pictureOf } from './images.js';
import { focusableMarker } from './keyboard-markers.js';
import { countOf, definitionList, element, formatArea, formatDate } from './dom.js';
import { loadKommunen } from './kommunen.js';
import { OFFER_KIND_LABELS, USE_LABELS, label } from './labels.js';
import { fieldErrorText, problemText } from './messages.js';
import { mountInquiryForm } from './inquiry-form.js';
import { mountOfferMatches } from './matches.js';
import { showPage } from './page.js';
import { navigate, route } from './router.js';
import { imagesField, pictureCard, selectOf } from './zukunftsorte.js';

const ITEMS = '/collections/angebote/items';
const ITEM_LIMIT = 10000;
// The longest texts the server takes (maxLength in server/http/openapi.json).
const TEXT_LIMITS = { title: 200, conditions: 5000, contact_role: 200, contact_email: 254, contact_phone: 50 };
const FILTERS = ['kommune', 'use', 'kind', 'min_area', 'max_area'];

const page = () => document.getElementById('page');

function kindsText(kinds) {
  return (Array.isArray(kinds) ? kinds : []).map((k) => label('offer_kind', k)).join(', ');
}

function exposeLink(feature, text) {
  const link = element('a', null, text);
  link.href = `/angebote/${feature.id}`;
  link.dataset.route = '';
  return link;
}

/** The facts of an offer, as the list, the popup and the exposé show them. */
function factRows(p) {
  return [
    ['Kommune', p.kommune_name ?? p.kommune ?? ''],
    ['Nutzung', label('use', p.use)],
    ['Art', kindsText(p.kinds)],
    ['Fläche', formatArea(p.floor_area_m2)],
    ['Verfügbar ab', formatDate(p.available_from)],
  ];
}

// ---------------------------------------------------------------------------------------------
// The list

/** The filters in the address: ?kommune=…&use=…&kind=…&min_area=…&max_area=… */
function listFilters() {
  const query = new URLSearchParams(window.location.search);
  return Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? '']));
}

function filterQuery(filters) {
  const query = new URLSearchParams();
  for (const name of FILTERS) if (filters[name]) query.set(name, filters[name]);
  return query.toString();
}

function areaInput(name, caption, current) {
  const wrapper = element('label', 'list-filter', caption);
  const control = element('input');
  control.name = name;
  control.type = 'number';
  control.min = '0';
  control.step = '1';
  control.inputMode = 'numeric';
  control.placeholder = 'm²';
  control.value = current;
  wrapper.append(control);
  return wrapper;
}

function offerCard(feature) {
  const p = feature.properties ?? {};
  const card = pictureCard(feature, 'place-card offer-card', exposeLink(feature, p.title || 'Angebot'));
  card.append(definitionList(factRows(p), 'offer-card-facts'));
  if (p.status && p.status !== 'offen') card.append(element('p', 'offer-status', label('offer_status', p.status)));
  return card;
}

async function openList() {
  showPage('Angebote', element('p', 'page-lead', 'Angebote werden geladen …'));
  page().dataset.view = 'angebote-loading';
  const filters = listFilters();
  const kommunen = await loadKommunen().catch(() => new Map());
  const form = element('form', 'list-filters offer-filters');
  form.setAttribute('role', 'search');
  const gemeinden = [...kommunen].filter(([ags]) => ags.length === 8)
    .map(([ags, k]) => [ags, typeof k.name === 'string' ? k.name : ags])
    .sort((a, b) => a[1].localeCompare(b[1], 'de'));
  form.append(
    selectOf('kommune', 'Kommune', gemeinden, filters.kommune),
    selectOf('use', 'Nutzung', Object.entries(USE_LABELS), filters.use),
    selectOf('kind', 'Art', Object.entries(OFFER_KIND_LABELS), filters.kind),
    areaInput('min_area', 'Fläche von (m²)', filters.min_area),
    areaInput('max_area', 'Fläche bis (m²)', filters.max_area),
  );
  const count = element('p', 'list-count');
  count.setAttribute('role', 'status');
  const list = element('ul', 'place-cards offer-cards');
  let loads = 0;
  const render = async (chosen) => {
    const current = ++loads;
    const query = filterQuery(chosen);
    try {
      const collection = await fetchJson(`${ITEMS}?limit=${ITEM_LIMIT}${query ? `&${query}` : ''}`, 'application/geo+json');
      if (current !== loads) return;
      const features = Array.isArray(collection?.features) ? collection.features : [];
      count.textContent = countOf(features.length, 'Angebot', 'Angebote');
      list.replaceChildren(...features.map(offerCard));
    } catch (error) {
      if (current !== loads) return;
      count.textContent = `Angebote nicht abrufbar: ${problemText(error)}`;
      list.replaceChildren();
    }
  };
  // The address follows the filters (to share the list so), while the focus stays on them.
  form.addEventListener('change', () => {
    const chosen = Object.fromEntries(FILTERS.map((name) => [name, form.elements[name].value.trim()]));
    const query = filterQuery(chosen);
    window.history.replaceState({}, '', query ? `/angebote?${query}` : '/angebote');
    render(chosen);
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  const lead = element('p', 'page-lead',
    'Leerstehende Gebäude, die die Kommunen des Netzwerks zur Nachnutzung anbieten: zur Miete, '
    + 'zum Kauf, in Erbpacht, zur Zwischennutzung oder in Konzeptvergabe. Jedes Angebot nennt, '
    + 'wer in der Kommune Auskunft gibt.');
  await render(filters);
  showPage('Angebote', lead, form, count, list);
  page().dataset.view = 'angebote';
}

// ---------------------------------------------------------------------------------------------
// The exposé

function showMissing() {
  showPage('Angebot nicht gefunden', element('p', null, 'Dieses Angebot gibt es nicht (mehr).'), backToList());
  page().dataset.view = 'angebot-missing';
}

function backToList() {
  const link = element('a', 'back-link', 'Alle Angebote');
  link.href = '/angebote';
  link.dataset.route = '';
  const paragraph = element('p', 'offer-back');
  paragraph.append(link);
  return paragraph;
}

function contactSection(p) {
  const section = element('section', 'offer-contact');
  section.append(element('h2', null, 'Ansprechstelle der Kommune'));
  const rows = [['Stelle', p.contact_role ?? '']];
  if (p.contact_email) {
    const mail = element('a', null, p.contact_email);
    mail.href = `mailto:${p.contact_email}`;
    rows.push(['E-Mail', mail]);
  }
  if (p.contact_phone) {
    const phone = element('a', null, p.contact_phone);
    phone.href = `tel:${p.contact_phone.replace(/[^+\d]/g, '')}`;
    rows.push(['Telefon', phone]);
  }
  section.append(definitionList(rows, 'offer-facts'));
  return section;
}

async function openExpose(id, { me }) {
  if (!/^\d{1,15}$/.test(id)) {
    showMissing();
    return;
  }
  let answer;
  try {
    answer = await request(`${ITEMS}/${id}`, { accept: 'application/geo+json', withEtag: true });
  } catch (error) {
    if (error.status === 404) showMissing();
    else {
      showPage('Angebot', element('p', 'form-error', `Nicht abrufbar: ${problemText(error)}`));
      page().dataset.view = 'angebot-error';
    }
    return;
  }
  const offer = answer.body;
  const p = offer.properties ?? {};
  const who = await me();
  const nodes = [];
  const actions = element('div', 'offer-actions');
  const print = element('button', 'offer-print', 'Exposé drucken');
  print.type = 'button';
  print.addEventListener('click', () => window.print());
  actions.append(print);
  const editable = canEdit(who, p.kommune);
  if (editable) {
    const edit = element('a', 'button-link', 'Angebot bearbeiten');
    edit.href = `/angebote/${offer.id}/bearbeiten`;
    edit.dataset.route = '';
    actions.append(edit);
  }
  nodes.push(actions);
  if (p.status && p.status !== 'offen') nodes.push(element('p', 'offer-status', label('offer_status', p.status)));
  const gallery = element('div', 'place-pictures offer-pictures');
  (p.images ?? []).forEach((image, i) => {
    if (typeof image?.id !== 'string') return;
    gallery.append(pictureOf(image.id, i === 0 ? p.title ?? '' : `${p.title ?? 'Angebot'}, Bild ${i + 1}`, i === 0 ? 800 : 400));
  });
  if (gallery.childElementCount > 0) nodes.push(gallery);
  const facts = element('section', 'offer-details');
  facts.append(element('h2', null, 'Das Objekt'));
  facts.append(definitionList(factRows(p), 'offer-facts'));
  if (p.conditions) {
    facts.append(element('h3', null, 'Konditionen'));
    facts.append(element('p', 'offer-conditions', p.conditions));
  }
  nodes.push(facts, contactSection(p));
  const inquiry = element('section', 'offer-inquiry');
  inquiry.id = 'anfrage';
  nodes.push(inquiry);
  let suggestions = null;
  if (editable) {
    suggestions = element('section', 'offer-matches');
    suggestions.id = 'vorschlaege';
    nodes.push(suggestions);
  }
  nodes.push(backToList());
  showPage(p.title || 'Angebot', ...nodes);
  page().dataset.view = 'angebot';
  mountInquiryForm(inquiry, offer);
  if (suggestions) mountOfferMatches(suggestions, offer);
}

// ---------------------------------------------------------------------------------------------
// The offer form (the Kommune's editors)

/** Shows the server's refusal next to the fields it names; the rest above the buttons. */
function showProblem(form, error) {
  for (const node of form.querySelectorAll('.field-error, .form-error')) node.textContent = '';
  let named = false;
  for (const fieldError of error.problem?.errors ?? []) {
    const target = form.querySelector(`[data-field="${fieldError.field}"] .field-error`);
    if (!target) continue;
    target.textContent = fieldErrorText(fieldError);
    named = true;
  }
  if (!named || error.problem?.code !== 'invalid_fields') form.querySelector('.form-error').textContent = problemText(error);
}

function kindsField(form, chosen) {
  const wrapper = element('fieldset', 'form-field offer-kinds');
  wrapper.dataset.field = 'kinds';
  wrapper.append(element('legend', null, 'Art des Angebots'));
  for (const [value, text] of Object.entries(OFFER_KIND_LABELS)) {
    const option = element('label', 'offer-kind-option');
    const box = element('input');
    box.type = 'checkbox';
    box.name = 'kinds';
    box.value = value;
    box.checked = chosen.includes(value);
    option.append(box, ` ${text}`);
    wrapper.append(option);
  }
  const error = element('p', 'field-error');
  error.setAttribute('role', 'alert');
  wrapper.append(error);
  form.append(wrapper);
}

/** The form: a new offer on vacancy `vacancyId`, or `offer` (with its `etag`) to change. */
async function openForm({ offer = null, etag = null, vacancyId = null }) {
  const creating = !offer;
  const p = offer?.properties ?? { kinds: ['miete'], status: 'offen' };
  const form = element('form', 'place-form offer-form');
  form.noValidate = true;  // the server's rules decide, and its messages are shown
  const offerField = (name, caption, control, hint = '') => field(form, name, caption, control, { prefix: 'offer', hint });
  offerField('title', 'Titel', textInput(p.title, TEXT_LIMITS.title), 'Z. B. „Ladenlokal am Markt“.').required = true;
  kindsField(form, p.kinds ?? []);
  const area = offerField('floor_area_m2', 'Nutzbare Fläche (m²)', element('input'));
  area.type = 'number';
  area.min = '1';
  area.value = p.floor_area_m2 ?? '';
  offerField('conditions', 'Konditionen', textInput(p.conditions, TEXT_LIMITS.conditions, 'textarea'),
    'Miete oder Preis, Auflagen, was die Kommune erwartet.');
  const from = offerField('available_from', 'Verfügbar ab', element('input'));
  from.type = 'date';
  from.value = p.available_from ?? '';
  const kommune = p.kommune ?? '';
  const imageIds = imagesField(form, (p.images ?? []).map((image) => image.id), () => kommune);
  offerField('contact_role', 'Ansprechstelle', textInput(p.contact_role, TEXT_LIMITS.contact_role),
    'Eine Stelle der Kommune, nie die Eigentümer (z. B. „Bauamt, Frau Muster“).').required = true;
  const email = offerField('contact_email', 'E-Mail der Ansprechstelle', textInput(p.contact_email, TEXT_LIMITS.contact_email));
  email.type = 'email';
  const phone = offerField('contact_phone', 'Telefon der Ansprechstelle', textInput(p.contact_phone, TEXT_LIMITS.contact_phone));
  phone.type = 'tel';
  if (!creating) {
    const status = element('select');
    for (const value of ['offen', 'reserviert', 'vermittelt', 'zurueckgezogen']) {
      status.append(new Option(label('offer_status', value), value, false, value === p.status));
    }
    offerField('status', 'Status', status, 'Vermittelt oder zurückgezogen: nicht mehr öffentlich.');
  }
  const submit = formButtons(form, creating ? 'Angebot veröffentlichen' : 'Speichern',
    () => navigate(creating ? '/' : `/angebote/${offer.id}`));

  const values = () => {
    const text = (name) => (form.elements[name].value.trim() === '' ? null : form.elements[name].value.trim());
    const properties = {
      title: form.elements.title.value.trim(),
      kinds: [...form.querySelectorAll('input[name="kinds"]:checked')].map((box) => box.value),
      floor_area_m2: text('floor_area_m2') === null ? null : Number(text('floor_area_m2')),
      conditions: text('conditions'),
      available_from: text('available_from'),
      images: imageIds(),
      contact_role: form.elements.contact_role.value.trim(),
      contact_email: text('contact_email'),
      contact_phone: text('contact_phone'),
    };
    if (creating) properties.vacancy_id = vacancyId;
    else properties.status = form.elements.status.value;
    return properties;
  };
  const current = { etag };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      let id = offer?.id;
      if (creating) {
        const created = await request(ITEMS, {
          method: 'POST',
          body: { type: 'Feature', geometry: null, properties: values() },
          headers: { 'Content-Type': 'application/geo+json' },
        });
        id = created.id;
      } else {
        await request(`${ITEMS}/${offer.id}`, {
          method: 'PATCH',
          body: { properties: values() },
          headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': current.etag },
        });
      }
      navigate(`/angebote/${id}`);
    } catch (error) {
      showProblem(form, error);
      if (error.status === 412 && !creating) {
        const fresh = await request(`${ITEMS}/${offer.id}`, { accept: 'application/geo+json', withEtag: true }).catch(() => null);
        if (fresh) current.etag = fresh.etag;
      }
    } finally {
      submit.disabled = false;
    }
  });
  showPage(creating ? 'Zur Vermittlung anbieten' : `${p.title} bearbeiten`, form);
  page().dataset.view = 'angebot-form';
}

async function openCreate() {
  const vacancyId = Number(new URLSearchParams(window.location.search).get('vacancy'));
  if (!Number.isInteger(vacancyId) || vacancyId <= 0) {
    showMissing();
    return;
  }
  await openForm({ vacancyId });
}

async function openEdit(id) {
  try {
    const answer = await request(`${ITEMS}/${id}`, { accept: 'application/geo+json', withEtag: true });
    await openForm({ offer: answer.body, etag: answer.etag });
  } catch {
    showMissing();
  }
}

/**
 * For the record panel of vacancy `vacancy` (a Feature): when `me` may edit it and its owner
 * consented, a button that offers it ("Zur Vermittlung anbieten"), or opens its offer to edit
 * when it has one. Null otherwise.
 */
export function offerAction(vacancy, me) {
  const p = vacancy?.properties ?? {};
  if (!canEdit(me, p.kommune_ags) || !p.consent_publish) return null;
  const wrapper = element('p', 'offer-action');
  const link = element('a', 'button-link', 'Zur Vermittlung anbieten');
  link.href = `/angebote/neu?vacancy=${vacancy.id}`;
  link.dataset.route = '';
  wrapper.append(link);
  // Its Kommune's offers as the editor sees them: one of them may be this vacancy's.
  fetchJson(`${ITEMS}?kommune=${encodeURIComponent(p.kommune_ags)}&limit=${ITEM_LIMIT}`, 'application/geo+json')
    .then((collection) => {
      const existing = (collection?.features ?? []).find((f) => f.properties?.vacancy_id === vacancy.id);
      if (!existing) return;
      link.textContent = 'Angebot bearbeiten';
      link.href = `/angebote/${existing.id}/bearbeiten`;
    })
    .catch(() => {});
  return wrapper;
}

// ---------------------------------------------------------------------------------------------
// The map layer

const offerIcon = L.divIcon({ className: 'angebot-marker', iconSize: [20, 20], html: '' });

function offerPopup(feature) {
  const p = feature.properties ?? {};
  const popup = element('div', 'popup popup-angebot');
  popup.append(element('p', 'popup-kind', 'Angebot'));
  popup.append(element('h2', 'popup-title', p.title || 'Angebot'));
  popup.append(definitionList(factRows(p)));
  const more = exposeLink(feature, 'Exposé ansehen');
  more.className = 'popup-more';
  popup.append(more);
  return popup;
}

/** The offers the public sees as their own markers (loaded without the session cookie, as the
 *  other markers are). */
async function addOfferLayer(map) {
  const group = L.featureGroup().addTo(map);
  let collection;
  try {
    collection = await fetchPublicJson(`${ITEMS}?limit=${ITEM_LIMIT}`, 'application/geo+json');
  } catch {
    return group;  // the map works without them; the list says why
  }
  for (const feature of collection?.features ?? []) {
    const [lon, lat] = feature.geometry?.coordinates ?? [];
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
    const name = `Angebot: ${feature.properties?.title ?? ''}`;
    group.addLayer(focusableMarker(L.marker([lat, lon], { icon: offerIcon, title: name, riseOnHover: true })
      .bindPopup(() => offerPopup(feature)), name));
  }
  return group;
}

/**
 * Registers the offers' views (list, exposé, form) and adds their map layer. `me()` resolves to
 * who is signed in now.
 */
export function setUpOffers({ map, me }) {
  addOfferLayer(map);
  route(/^\/angebote\/?$/, () => openList());
  route(/^\/angebote\/neu\/?$/, () => openCreate());
  route(/^\/angebote\/(\d{1,15})\/bearbeiten\/?$/, (match) => openEdit(match[1]));
  route(/^\/angebote\/([^/]+)\/?$/, (match) => openExpose(match[1], { me }));
}
