// Zukunftsorte as stories: the list of all places of the network (the "Inspirationsreise",
// /zukunftsorte, filtered by kind and Kommune in the address so a filtered list can be
// shared), the page of one place (/zukunftsorte/{id}: pictures, story, where it came from, a
// small map), and the editor for the Kommune's editors and admins (create by a click on the
// map, edit and delete on the page). Everything from the API goes in as text.

import { fetchJson, request } from './api.js';
import { canEdit, field, formButtons, textInput } from './editor.js';
import { imageField, pictureOf } from './images.js';
import { countOf, definitionList, element, formatDate, numberFormat, webUrl } from './dom.js';
import { loadKommunen } from './kommunen.js';
import { label } from './labels.js';
import { fieldErrorText } from './messages.js';
import { closePage, showPage } from './page.js';
import { navigate, route } from './router.js';

const ITEMS = '/collections/zukunftsorte/items';
const ITEM_LIMIT = 10000;
// What editors mostly call their places; free text all the same (the datalist only suggests).
export const KIND_SUGGESTIONS = Object.freeze(['Coworking', 'Café', 'Werkstatt', 'Kultur', 'Wohnen',
  'Jugend', 'Laden', 'Bildung', 'Soziales', 'Gastronomie', 'Handwerk', 'Treffpunkt']);
// The longest texts the server takes, in characters (maxLength in server/http/openapi.json).
const TEXT_LIMITS = { name: 200, kind: 100, description: 5000, story: 20000, website: 500 };
const MAX_IMAGES = 20;
// Only these vacancies can become a Zukunftsort (the server says so too).
const LINKABLE_STATUSES = ['in_aktivierung', 'aktiviert'];

// German texts for the codes the server returns for a Zukunftsort's fields (docs/http.md).
const FIELD_MESSAGES = Object.freeze({
  required: 'Bitte ausfüllen.',
  wrong_type: 'Dieser Wert hat die falsche Form.',
  too_long: 'Zu lang.',
  not_a_date: 'Bitte ein gültiges Datum angeben.',
  not_a_url: 'Bitte eine Adresse mit http:// oder https:// angeben.',
  unknown_image: 'Dieses Bild ist nicht (mehr) vorhanden. Bitte neu hochladen.',
  duplicate: 'Dieses Bild ist doppelt gewählt.',
  unknown_vacancy: 'Diesen Leerstand gibt es nicht (oder Sie dürfen ihn nicht sehen).',
  unknown_kommune: 'Diese Kommune ist nicht im Atlas.',
  outside_kommune: 'Der Ort liegt nicht in der gewählten Kommune.',
  outside_atlas: 'Der Ort liegt außerhalb aller Kommunen des Atlas.',
  unknown_building: 'Dieses Gebäude gibt es nicht.',
  building_in_other_kommune: 'Das Gebäude liegt in einer anderen Kommune.',
  building_too_far: 'Das Gebäude ist zu weit vom Ort entfernt.',
  invalid_geometry: 'Der Ort ist ungültig.',
  out_of_range: 'Der Wert liegt außerhalb des erlaubten Bereichs.',
  unknown_field: 'Dieses Feld kennt der Dienst nicht.',
});
// Field errors the form shows next to another field than the one the server names.
const FIELD_OF = Object.freeze({ geometry: 'kommune_ags', building_id: 'kommune_ags' });

/** The German text for field `name`'s error `code`, worded for this form where it has its own. */
function fieldMessage(name, code) {
  if (code === 'too_long' && name === 'images') return `Höchstens ${MAX_IMAGES} Bilder.`;
  if (code === 'too_long' && TEXT_LIMITS[name]) {
    return `Zu lang: höchstens ${numberFormat.format(TEXT_LIMITS[name])} Zeichen.`;
  }
  return FIELD_MESSAGES[code] ?? fieldErrorText({ field: name, code });
}

/** A German sentence for an error of a write, by its status and code. */
export function problemMessage(error) {
  const code = error.problem?.code;
  if (error.status === 412) {
    return 'Dieser Zukunftsort wurde inzwischen von jemand anderem geändert. Die aktuelle Fassung '
      + 'ist geladen; bitte die Änderung noch einmal eintragen.';
  }
  if (code === 'vacancy_status_not_linkable') {
    return 'Nur ein Leerstand „in Aktivierung“ oder „aktiviert“ kann zum Zukunftsort werden.';
  }
  if (code === 'vacancy_already_linked') return 'Dieser Leerstand gehört schon zu einem anderen Zukunftsort.';
  if (error.status === 401) return 'Bitte melden Sie sich an.';
  if (error.status === 403) return 'Sie dürfen Zukunftsorte nur in Ihren eigenen Kommunen bearbeiten.';
  if (error.status === 404) return 'Diesen Zukunftsort gibt es nicht mehr.';
  if (error.status === 413) return 'Die Eingaben sind zu lang.';
  if (error.status === 428) return 'Die Version fehlt; bitte die Seite neu laden.';
  if (error.status === 503) return 'Der Dienst ist gerade beschäftigt. Bitte gleich noch einmal versuchen.';
  if (code === 'invalid_fields') return 'Bitte die markierten Felder prüfen.';
  return `Nicht gespeichert: ${error.message}`;
}

// ---------------------------------------------------------------------------------------------
// Loading

async function loadPlaces() {
  const collection = await fetchJson(`${ITEMS}?limit=${ITEM_LIMIT}`, 'application/geo+json');
  if (!Array.isArray(collection?.features)) throw new Error('unerwartete Antwort');
  return collection.features;
}

/** ags → name of the Kommunen (Gemeinden and Kreise) of the atlas. */
export async function kommuneNames() {
  const kommunen = await loadKommunen();
  return new Map([...kommunen].map(([ags, k]) => [ags, typeof k.name === 'string' ? k.name : ags]));
}

function kommuneLink(ags, names) {
  if (typeof ags !== 'string') return '';
  const link = element('a', 'kommune-link', names.get(ags) ?? ags);
  link.href = `/kommunen/${encodeURIComponent(ags)}`;
  return link;
}

function pageLink(feature, text) {
  const link = element('a', null, text);
  link.href = `/zukunftsorte/${feature.id}`;
  link.dataset.route = '';
  return link;
}

// ---------------------------------------------------------------------------------------------
// The list (Inspirationsreise)

/** The filters in the address: ?kind=…&kommune=… */
function listFilters() {
  const query = new URLSearchParams(window.location.search);
  return { kind: query.get('kind') ?? '', kommune: query.get('kommune') ?? '' };
}

function filterAddress(filters) {
  const query = new URLSearchParams();
  if (filters.kind) query.set('kind', filters.kind);
  if (filters.kommune) query.set('kommune', filters.kommune);
  const text = query.toString();
  return text ? `/zukunftsorte?${text}` : '/zukunftsorte';
}

function matches(feature, filters) {
  const p = feature.properties ?? {};
  return (!filters.kind || (p.kind ?? '').localeCompare(filters.kind, 'de', { sensitivity: 'base' }) === 0)
    && (!filters.kommune || (typeof p.kommune_ags === 'string' && p.kommune_ags.startsWith(filters.kommune)));
}

/** A card of a list (an <li> of `className`): the feature's first picture and `link` as its
 *  heading. */
export function pictureCard(feature, className, link) {
  const card = element('li', className);
  card.dataset.id = String(feature.id);
  const figure = element('div', 'place-card-picture');
  figure.setAttribute('aria-hidden', 'true');
  const first = feature.properties?.images?.[0]?.id;
  if (first) figure.append(pictureOf(first, '', 400));
  const heading = element('h2', 'place-card-title');
  heading.append(link);
  card.append(figure, heading);
  return card;
}

function placeCard(feature, names) {
  const p = feature.properties ?? {};
  const card = pictureCard(feature, 'place-card', pageLink(feature, p.name || 'Zukunftsort'));
  const facts = element('p', 'place-card-facts');
  if (p.kind) facts.append(element('span', 'place-kind', p.kind));
  if (p.kommune_ags) facts.append(element('span', 'place-kommune', names.get(p.kommune_ags) ?? p.kommune_ags));
  card.append(facts);
  if (p.description) card.append(element('p', 'place-card-text', p.description));
  return card;
}

/** A filter of a list: a select `name` of [value, text] `options` after "alle". */
export function selectOf(name, caption, options, current) {
  const wrapper = element('label', 'list-filter', caption);
  const control = element('select');
  control.name = name;
  control.append(new Option('alle', ''));
  for (const [value, text] of options) control.append(new Option(text, value, false, value === current));
  wrapper.append(control);
  return wrapper;
}

async function openList(me) {
  showPage('Zukunftsorte', element('p', 'page-lead', 'Zukunftsorte werden geladen …'));
  let places;
  let names;
  try {
    [places, names] = await Promise.all([loadPlaces(), kommuneNames()]);
  } catch (error) {
    showPage('Zukunftsorte', element('p', 'form-error', `Zukunftsorte nicht abrufbar: ${error.message}`));
    return;
  }
  const filters = listFilters();
  const kinds = [...new Set(places.map((f) => f.properties?.kind).filter((k) => typeof k === 'string' && k))]
    .sort((a, b) => a.localeCompare(b, 'de'));
  // A shared address may spell the kind in other case: choose the kind it means.
  if (filters.kind) {
    filters.kind = kinds.find((k) => matches({ properties: { kind: k } }, { kind: filters.kind })) ?? filters.kind;
  }
  const kommunen = [...new Set(places.map((f) => f.properties?.kommune_ags).filter((a) => typeof a === 'string'))]
    .map((ags) => [ags, names.get(ags) ?? ags]).sort((a, b) => a[1].localeCompare(b[1], 'de'));
  const form = element('form', 'list-filters');
  form.setAttribute('role', 'search');
  form.append(selectOf('kind', 'Art', kinds.map((k) => [k, k]), filters.kind),
    selectOf('kommune', 'Kommune', kommunen, filters.kommune));
  const count = element('p', 'list-count');
  count.setAttribute('role', 'status');
  const list = element('ul', 'place-cards');
  const render = (chosen) => {
    const shown = places.filter((f) => matches(f, chosen));
    count.textContent = countOf(shown.length, 'Zukunftsort', 'Zukunftsorte');
    list.replaceChildren(...shown.map((feature) => placeCard(feature, names)));
  };
  render(filters);
  // The address follows the filters (to share the list so), while the focus stays on them.
  form.addEventListener('change', () => {
    const chosen = { kind: form.elements.kind.value, kommune: form.elements.kommune.value };
    window.history.replaceState({}, '', filterAddress(chosen));
    render(chosen);
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  const lead = element('p', 'page-lead',
    'Ehemals leere Gebäude in den Kommunen des Netzwerks, die heute wieder genutzt werden: '
    + 'als Werkstatt, Café, Coworking, Treffpunkt oder Wohnung. Lassen Sie sich inspirieren.');
  const nodes = [lead];
  if (mayCreate(await me())) nodes.push(createButton());
  showPage('Zukunftsorte', ...nodes, form, count, list);
  document.getElementById('page').dataset.view = 'zukunftsorte-list';
}

// ---------------------------------------------------------------------------------------------
// One place

/** The story as paragraphs: blank lines separate them, single line breaks stay. */
function storyNodes(story) {
  const section = element('div', 'place-story');
  for (const paragraph of story.split(/\n\s*\n/)) {
    if (paragraph.trim()) section.append(element('p', null, paragraph.trim()));
  }
  return section;
}

/** "Vorher": what the public may see of the vacancy the place came from (its public item). */
async function beforeSection(vacancyId) {
  if (!Number.isInteger(vacancyId)) return null;
  let vacancy;
  try {
    vacancy = await fetchJson(`/collections/vacancies/items/${vacancyId}`, 'application/geo+json');
  } catch {
    return null;  // not (or no longer) visible: the page tells only what is now
  }
  const p = vacancy?.properties ?? {};
  const section = element('section', 'place-before');
  section.append(element('h2', null, 'Vorher'));
  const since = typeof p.vacant_since === 'string' ? p.vacant_since.slice(0, 4) : '';
  section.append(definitionList([
    ['Leer seit', since],
    ['Frühere Nutzung', label('use', p.use)],
  ], 'place-facts'));
  if (p.public_description) section.append(element('p', null, p.public_description));
  return section;
}

function smallMap(feature, addBasemap) {
  const container = element('div', 'place-map');
  container.setAttribute('aria-label', 'Lage des Zukunftsorts');
  const [lon, lat] = feature.geometry?.coordinates ?? [];
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return null;
  // Leaflet measures its container: build the map once the page shows it.
  requestAnimationFrame(() => {
    const map = L.map(container, { scrollWheelZoom: false, attributionControl: true }).setView([lat, lon], 16);
    addBasemap(map);
    L.marker([lat, lon], {
      icon: L.divIcon({ className: 'zukunftsort-marker', iconSize: [18, 18] }),
      title: feature.properties?.name ?? 'Zukunftsort',
      keyboard: false,
    }).addTo(map);
  });
  return container;
}

function showMissing() {
  showPage('Zukunftsort nicht gefunden',
    element('p', null, 'Diesen Zukunftsort gibt es nicht (mehr).'), backToList());
  document.getElementById('page').dataset.view = 'zukunftsort-missing';
}

async function openPlace(id, { me, addBasemap }) {
  if (!/^\d{1,15}$/.test(id)) {
    showMissing();
    return;
  }
  let answer;
  try {
    answer = await request(`${ITEMS}/${id}`, { accept: 'application/geo+json', withEtag: true });
  } catch (error) {
    if (error.status === 404) {
      showMissing();
    } else {
      showPage('Zukunftsort', element('p', 'form-error', `Nicht abrufbar: ${error.message}`));
      document.getElementById('page').dataset.view = 'zukunftsort-error';
    }
    return;
  }
  const feature = answer.body;
  const p = feature.properties ?? {};
  const names = await kommuneNames().catch(() => new Map());
  const nodes = [];
  if (p.kind) nodes.push(element('p', 'place-kind', p.kind));
  const website = webUrl(p.website);
  let websiteLink = '';
  if (website) {
    websiteLink = element('a', null, website);
    websiteLink.href = website;
    websiteLink.target = '_blank';
    websiteLink.rel = 'noopener';
  }
  nodes.push(definitionList([
    ['Kommune', kommuneLink(p.kommune_ags, names)],
    ['Eröffnet', formatDate(p.opened)],
    ['Website', websiteLink],
  ], 'place-facts'));
  const who = await me();
  if (mayChange(who, p)) nodes.push(placeActions(feature, answer.etag, { me }));
  const gallery = element('div', 'place-pictures');
  nodes.push(gallery);
  // The first picture across the column, the others as a gallery below it.
  (p.images ?? []).forEach((image, i) => {
    if (typeof image?.id !== 'string') return;
    const alt = i === 0 ? p.name ?? '' : `${p.name ?? 'Zukunftsort'}, Bild ${i + 1}`;
    gallery.append(pictureOf(image.id, alt, i === 0 ? 800 : 400));
  });
  // Before and after: the vacancy it came from, then the place today.
  const before = await beforeSection(p.vacancy_id);
  if (before) nodes.push(before);
  const now = element('section', 'place-now');
  now.append(element('h2', null, before ? 'Heute' : 'Der Ort'));
  if (p.description) now.append(element('p', 'place-description', p.description));
  if (p.story) now.append(storyNodes(p.story));
  nodes.push(now);
  const map = smallMap(feature, addBasemap);
  if (map) nodes.push(map);
  nodes.push(backToList());
  showPage(p.name || 'Zukunftsort', ...nodes);
  document.getElementById('page').dataset.view = 'zukunftsort';
}

function backToList() {
  const link = element('a', 'back-link', 'Alle Zukunftsorte');
  link.href = '/zukunftsorte';
  link.dataset.route = '';
  const paragraph = element('p');
  paragraph.append(link);
  return paragraph;
}

// ---------------------------------------------------------------------------------------------
// Editing

function mayCreate(me) {
  return Boolean(me?.signed_in && (me.role === 'admin' || (me.role === 'editor' && (me.kommunen ?? []).length > 0)));
}

function mayChange(me, properties) {
  return canEdit(me, properties.kommune_ags);
}

let startCreate = () => {};

function createButton() {
  const button = element('button', 'create-place', 'Zukunftsort anlegen');
  button.type = 'button';
  button.addEventListener('click', () => startCreate());
  return button;
}

function placeActions(feature, etag, { me }) {
  const actions = element('div', 'place-actions');
  const edit = element('button', null, 'Bearbeiten');
  edit.type = 'button';
  edit.addEventListener('click', () => openEditor({ feature, etag, me }));
  const remove = element('button', 'danger', 'Löschen');
  remove.type = 'button';
  const message = element('p', 'form-error');
  message.setAttribute('role', 'alert');
  remove.addEventListener('click', async () => {
    if (!window.confirm(`„${feature.properties?.name ?? 'Zukunftsort'}“ wirklich löschen?`)) return;
    try {
      await request(`${ITEMS}/${feature.id}`, { method: 'DELETE', headers: { 'If-Match': etag } });
      navigate('/zukunftsorte');
    } catch (error) {
      message.textContent = problemMessage(error);
    }
  });
  actions.append(edit, remove, message);
  return actions;
}

/** A field of the place form (ids `place-…`). */
function placeField(form, name, caption, control, hint = '') {
  return field(form, name, caption, control, { prefix: 'place', hint });
}

/** [ags, name] of the Gemeinden `me` may write in (an editor's own, all for an admin). */
function writableKommunen(me, names) {
  const mine = (ags) => me?.role === 'admin' || (me?.kommunen ?? []).some((k) => ags.startsWith(k));
  return [...names.entries()].filter(([ags]) => ags.length === 8 && mine(ags))
    .sort((a, b) => a[1].localeCompare(b[1], 'de'));
}

/** The vacancies of Kommune `ags` (of all `kommunen` when empty) the editor can see that
 *  could become this place. */
async function linkableVacancies(ags, kommunen, currentId) {
  const filter = ags ? `kommune=${encodeURIComponent(ags)}&` : '';
  const collection = await fetchJson(`/collections/vacancies/items?${filter}limit=${ITEM_LIMIT}`, 'application/geo+json');
  const writable = new Set(kommunen.map(([k]) => k));
  return (collection?.features ?? []).filter((f) => f.id === currentId
    || (writable.has(f.properties?.kommune_ags) && LINKABLE_STATUSES.includes(f.properties?.status)
      && (f.properties?.zukunftsort_id === null || f.properties?.zukunftsort_id === undefined)));
}

function vacancyLabel(feature) {
  const p = feature.properties ?? {};
  const parts = [`Nr. ${feature.id}`, label('status', p.status), label('use', p.use)];
  if (p.public_description) parts.push(p.public_description.slice(0, 60));
  return parts.filter(Boolean).join(' – ');
}

/** The images part of the form: one picker per picture, and one more for a new one; uploads
 *  belong to the Kommune `kommuneOf()` names. Returns the function that gives the ids. */
export function imagesField(form, initial, kommuneOf) {
  const wrapper = element('div', 'form-field place-images');
  wrapper.dataset.field = 'images';
  wrapper.append(element('p', 'field-label', 'Bilder'));
  const list = element('div', 'place-image-list');
  const error = element('p', 'field-error');
  error.setAttribute('role', 'alert');
  wrapper.append(list, error);
  form.append(wrapper);
  const ids = [...initial];
  const render = () => {
    list.replaceChildren();
    ids.forEach((id, i) => list.append(imageField({
      label: i === 0 ? 'Titelbild' : `Bild ${i + 1}`,
      value: id,
      kommune: kommuneOf() || undefined,
      onChange(next) {
        if (next) ids[i] = next; else ids.splice(i, 1);
        render();
      },
    })));
    if (ids.length < MAX_IMAGES) {
      list.append(imageField({
        label: ids.length === 0 ? 'Titelbild hinzufügen' : 'Weiteres Bild hinzufügen',
        value: null,
        kommune: kommuneOf() || undefined,
        onChange(next) {
          if (next) ids.push(next);
          render();
        },
      }));
    }
  };
  render();
  return () => ids;
}

/** Shows the server's refusal next to the fields it names; the rest above the buttons. */
function showProblem(form, error) {
  for (const node of form.querySelectorAll('.field-error, .form-error')) node.textContent = '';
  let named = false;
  for (const { field: name, code } of error.problem?.errors ?? []) {
    const target = form.querySelector(`[data-field="${FIELD_OF[name] ?? name}"] .field-error`);
    if (!target) continue;
    target.textContent = fieldMessage(name, code);
    named = true;
  }
  const general = form.querySelector('.form-error');
  if (!named || error.problem?.code !== 'invalid_fields') general.textContent = problemMessage(error);
  if (error.problem?.code === 'vacancy_status_not_linkable' || error.problem?.code === 'vacancy_already_linked') {
    form.querySelector('[data-field="vacancy_id"] .field-error').textContent = problemMessage(error);
  }
}

/**
 * The editor: with `feature` (and its `etag`) it edits that place, else it creates one at
 * `latlng`. Shows itself in the page view; after saving opens the place's page.
 */
async function openEditor({ feature, etag, latlng, me }) {
  const creating = !feature;
  const p = { ...(feature?.properties ?? {}) };
  const names = await kommuneNames().catch(() => new Map());
  const form = element('form', 'place-form');
  form.noValidate = true;  // the server's rules decide, and its messages are shown
  const kommunen = writableKommunen(await me(), names);
  const kommune = element('select');
  // With several, the place's own Kommune is the server's to find from the point by default.
  if (creating && kommunen.length > 1) kommune.append(new Option('wo der Ort liegt', ''));
  for (const [ags, name] of kommunen) kommune.append(new Option(name, ags, false, ags === p.kommune_ags));
  if (p.kommune_ags && !kommunen.some(([ags]) => ags === p.kommune_ags)) {
    kommune.append(new Option(names.get(p.kommune_ags) ?? p.kommune_ags, p.kommune_ags, false, true));
  }
  placeField(form, 'kommune_ags', 'Kommune', kommune);
  placeField(form, 'name', 'Name', textInput(p.name, TEXT_LIMITS.name)).required = true;
  const kind = placeField(form, 'kind', 'Art', textInput(p.kind, TEXT_LIMITS.kind), 'Frei wählbar, z. B. Café oder Werkstatt.');
  const suggestions = element('datalist');
  suggestions.id = 'place-kind-suggestions';
  for (const text of KIND_SUGGESTIONS) suggestions.append(new Option(text));
  kind.setAttribute('list', suggestions.id);
  kind.after(suggestions);
  placeField(form, 'description', 'Kurzbeschreibung', textInput(p.description, TEXT_LIMITS.description, 'textarea'),
    'Zwei, drei Sätze für die Karte und die Liste.');
  const story = placeField(form, 'story', 'Geschichte', textInput(p.story, TEXT_LIMITS.story, 'textarea'),
    'Wie aus dem leeren Gebäude dieser Ort wurde. Leerzeilen trennen Absätze.');
  story.rows = 10;
  const opened = placeField(form, 'opened', 'Eröffnet am', element('input'));
  opened.type = 'date';
  opened.value = p.opened ?? '';
  const website = placeField(form, 'website', 'Website', textInput(p.website, TEXT_LIMITS.website));
  website.type = 'url';
  website.placeholder = 'https://…';
  const vacancy = placeField(form, 'vacancy_id', 'Hervorgegangen aus dem Leerstand', element('select'),
    'Nur Leerstände „in Aktivierung“ oder „aktiviert“ dieser Kommune.');
  const fillVacancies = async () => {
    vacancy.replaceChildren(new Option('keiner', ''));
    try {
      for (const f of await linkableVacancies(kommune.value, kommunen, p.vacancy_id)) {
        vacancy.append(new Option(vacancyLabel(f), String(f.id), false, f.id === p.vacancy_id));
      }
    } catch {
      // The list is a help; without it the place can still be saved unlinked.
    }
  };
  kommune.addEventListener('change', fillVacancies);
  await fillVacancies();
  const imageIds = imagesField(form, (p.images ?? []).map((image) => image.id), () => kommune.value);

  const submit = formButtons(form, creating ? 'Zukunftsort anlegen' : 'Speichern',
    () => navigate(creating ? '/zukunftsorte' : `/zukunftsorte/${feature.id}`));

  const values = () => {
    const text = (name) => (form.elements[name].value.trim() === '' ? null : form.elements[name].value.trim());
    return {
      name: form.elements.name.value.trim(),
      kind: text('kind'),
      description: text('description'),
      story: form.elements.story.value.trim() === '' ? null : form.elements.story.value,
      opened: text('opened'),
      website: text('website'),
      vacancy_id: vacancy.value ? Number(vacancy.value) : null,
      images: imageIds(),
      kommune_ags: kommune.value || null,
    };
  };
  const current = { etag, properties: p };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const properties = values();
    try {
      let id = feature?.id;
      if (creating) {
        const created = await request(ITEMS, {
          method: 'POST',
          body: { type: 'Feature', geometry: { type: 'Point', coordinates: [latlng.lng, latlng.lat] }, properties },
          headers: { 'Content-Type': 'application/geo+json' },
        });
        id = created.id;
      } else {
        await request(`${ITEMS}/${feature.id}`, {
          method: 'PATCH',
          body: { properties },
          headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': current.etag },
        });
      }
      navigate(`/zukunftsorte/${id}`);
    } catch (error) {
      showProblem(form, error);
      if (error.status === 412 && !creating) {
        try {
          const fresh = await request(`${ITEMS}/${feature.id}`, { accept: 'application/geo+json', withEtag: true });
          current.etag = fresh.etag;
          feature.properties = fresh.body.properties;
        } catch {
          // The message already asks to reload.
        }
      }
    } finally {
      submit.disabled = false;
    }
  });
  showPage(creating ? 'Zukunftsort anlegen' : `${p.name} bearbeiten`, form);
  document.getElementById('page').dataset.view = 'zukunftsort-editor';
}

/** Lets the editor click the place on the map, then opens the form there. */
function pickPlace(map, me) {
  closePage();
  const container = map.getContainer();
  const hint = element('div', 'pick-hint', 'Klicken Sie auf die Karte oder ein Gebäude, wo der Zukunftsort liegt. ');
  hint.setAttribute('role', 'status');
  const cancel = element('button', null, 'Abbrechen');
  cancel.type = 'button';
  hint.append(cancel);
  document.body.append(hint);
  container.classList.add('picking');
  const done = () => {
    hint.remove();
    container.classList.remove('picking');
    map.off('click', picked);
  };
  function picked(event) {
    done();
    openEditor({ latlng: event.latlng, me });
  }
  cancel.addEventListener('click', () => {
    done();
    navigate('/zukunftsorte');
  });
  map.on('click', picked);
}

/**
 * Registers the Zukunftsorte's views: the list, a place's page, and the editor. `me()`
 * resolves to who is signed in now; `addBasemap(map)` adds the operator's basemap to the small map.
 */
export function setUpZukunftsorte({ map, me, addBasemap }) {
  startCreate = () => pickPlace(map, me);
  route(/^\/zukunftsorte\/?$/, () => openList(me));
  route(/^\/zukunftsorte\/([^/]+)\/?$/, (match) => openPlace(match[1], { me, addBasemap }));
}

