// The Kommune pages (/kommunen/{ags} or /kommunen/{slug}): the profile panel shows who the
// Kommune is (its text, website, public contact, membership of the network), its Zukunftsorte,
// its published vacancies, its figures with the 24-month trend and the official baseline
// (Zensus 2022). Editors of the Kommune and admins change the profile in a dialog that also
// offers the snippet to embed the Kommune's map in the Kommune's own website.
//
// Everything from the API is put into the page as text (textContent, DOM properties).

import { request } from './api.js';
import { canEdit, labelledField } from './editor.js';
import {
  countOf, definitionList, element, externalLink, formatDate, formatRate, numberFormat, webUrl,
} from './dom.js';
import { imageField, pictureOf } from './images.js';
import { kommuneBounds, summaryNodes } from './kommunen.js';
import { activationNodes } from './activation-figures.js';  // part "figures" (issue 23)
import { label } from './labels.js';
import { navigate, route, setTitle } from './router.js';

// How many published vacancies the panel lists (the count says how many there are).
const VACANCY_LIST_LENGTH = 5;
const FIT_PADDING = [40, 40];
// About how wide the profile's picture is shown, in CSS pixels (the panel's width).
const PICTURE_WIDTH = 400;
// The longest texts the server takes, in characters (maxLength in server/http/openapi.json).
const LIMITS = Object.freeze({ text: 5000, website: 500, contact: 500 });

// The server's field codes (docs/http.md, Error codes) in German, per field where it matters.
function fieldMessage(field, code) {
  switch (code) {
    case 'too_long': return `Höchstens ${numberFormat.format(LIMITS[field] ?? 0)} Zeichen.`;
    case 'not_a_url': return 'Bitte eine vollständige Adresse mit http:// oder https:// angeben.';
    case 'not_a_date': return 'Bitte ein gültiges Datum angeben.';
    case 'in_the_future': return 'Das Datum darf nicht in der Zukunft liegen.';
    case 'invalid_value': return field === 'image' ? 'Dieses Bild ist nicht bekannt.' : 'Dieser Wert ist ungültig.';
    case 'unknown_image': return 'Dieses Bild ist nicht (mehr) vorhanden. Bitte erneut hochladen.';
    default: return 'Dieser Wert ist ungültig.';
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The public vacancies items of a Kommune: fetched without the session, so a signed-in
 *  planner sees here, as everyone, only what the owners agreed to publish. */
async function publishedVacancies(ags) {
  const response = await fetch(`/collections/vacancies/items?kommune=${encodeURIComponent(ags)}&limit=${VACANCY_LIST_LENGTH}`,
    { credentials: 'omit', headers: { Accept: 'application/geo+json' } });
  if (!response.ok) throw new Error(`Fehler ${response.status}`);
  return response.json();
}

async function zukunftsorteOf(ags) {
  return request(`/collections/zukunftsorte/items?kommune=${encodeURIComponent(ags)}&limit=100`,
    { accept: 'application/geo+json' });
}

/** The profile (with its ETag) and what the panel shows beside it; a part that fails is left
 *  out with a note, the profile itself must come. */
async function loadKommune(ref) {
  const { body: profile, etag } = await request(`/api/kommunen/${encodeURIComponent(ref)}/profile`, { withEtag: true });
  const ags = encodeURIComponent(profile.ags);
  const [summary, places, vacancies] = await Promise.allSettled([
    request(`/api/kommunen/${ags}/summary`),
    zukunftsorteOf(profile.ags),
    publishedVacancies(profile.ags),
  ]);
  const value = (result) => (result.status === 'fulfilled' ? result.value : null);
  return { profile, etag, summary: value(summary), places: value(places), vacancies: value(vacancies) };
}

// ---------------------------------------------------------------------------------------------
// The panel

/** Paragraphs of a plain text (a blank line parts them; a single line break stays one). */
function paragraphs(text) {
  return text.split(/\n\s*\n/).map((part) => part.trim()).filter(Boolean)
    .map((part) => element('p', 'profile-text', part));
}

function membershipLine(profile) {
  const parts = [];
  if (profile.founding_member) parts.push('Gründungsmitglied');
  if (profile.member_since) parts.push(`Mitglied seit ${formatDate(profile.member_since)}`);
  return parts.length > 0 ? element('p', 'profile-membership', parts.join(' · ')) : null;
}

function placesSection(places) {
  const section = element('section', 'profile-places');
  section.append(element('h3', null, 'Zukunftsorte'));
  if (!places) {
    section.append(element('p', 'error', 'Zukunftsorte nicht abrufbar.'));
    return section;
  }
  if (places.features.length === 0) {
    section.append(element('p', null, 'Noch kein Zukunftsort eingetragen.'));
    return section;
  }
  const list = element('ul', 'profile-list');
  for (const feature of places.features) {
    const item = element('li');
    const link = element('a', null, feature.properties?.name || 'Zukunftsort');
    link.href = `/zukunftsorte/${encodeURIComponent(feature.id)}`;
    link.dataset.route = '';
    item.append(link);
    if (feature.properties?.kind) item.append(` – ${feature.properties.kind}`);
    list.append(item);
  }
  section.append(list);
  return section;
}

function vacanciesSection(vacancies) {
  const section = element('section', 'profile-vacancies');
  section.append(element('h3', null, 'Veröffentlichte Leerstände'));
  if (!vacancies) {
    section.append(element('p', 'error', 'Leerstände nicht abrufbar.'));
    return section;
  }
  const total = typeof vacancies.numberMatched === 'number' ? vacancies.numberMatched : vacancies.features.length;
  section.append(element('p', 'profile-vacancy-count', total === 0
    ? 'Keine veröffentlichten Leerstände.'
    : `${countOf(total, 'veröffentlichter Leerstand', 'veröffentlichte Leerstände')}, zur Nachnutzung sichtbar mit Zustimmung der Eigentümer.`));
  if (vacancies.features.length > 0) {
    const list = element('ul', 'profile-list');
    for (const { properties = {} } of vacancies.features) {
      const since = properties.vacant_since ? `, leer seit ${formatDate(properties.vacant_since)}` : '';
      list.append(element('li', null, `${label('use', properties.use) || 'Gebäude'}: ${label('status', properties.status)}${since}`));
    }
    section.append(list);
  }
  return section;
}

/** "Wohnungsleerstand laut Zensus 2022: 11,3 %" with its source and licence, when the summary
 *  carries the official baseline. */
function baselineSection(baseline) {
  if (!baseline || typeof baseline.vacancy_rate !== 'number') return null;
  const section = element('section', 'profile-baseline');
  section.append(element('p', 'baseline-rate', `Wohnungsleerstand laut ${baseline.source ?? 'Zensus'}: ${formatRate(baseline.vacancy_rate)}`));
  const source = element('p', 'baseline-source');
  const parts = [];
  if (typeof baseline.dwellings === 'number') parts.push(`${numberFormat.format(baseline.dwellings)} Wohnungen`);
  if (baseline.attribution) parts.push(`Quelle: ${baseline.attribution}`);
  source.append(parts.join('. '));
  const licence = baseline.license;
  const url = webUrl(licence?.url);
  if (licence?.name) {
    source.append(parts.length > 0 ? ', Lizenz: ' : 'Lizenz: ');
    source.append(url ? externalLink(url, licence.name) : licence.name);
  }
  section.append(source);
  return section;
}

function figuresSection(summary) {
  const section = element('section', 'profile-figures');
  section.append(element('h3', null, 'Zahlen'));
  if (!summary) {
    section.append(element('p', 'error', 'Zahlen nicht abrufbar.'));
    return section;
  }
  const baseline = baselineSection(summary.baseline);
  section.append(...summaryNodes(summary));
  if (baseline) section.append(baseline);
  section.append(...activationNodes(summary));
  return section;
}

// ---------------------------------------------------------------------------------------------
// The editor

/** `text` with the characters that end an HTML attribute value written as references. */
function attributeText(text) {
  return String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The snippet a Kommune puts into its website to show its map. */
export function embedSnippet(origin, profile) {
  return `<iframe src="${origin}/embed/kommunen/${profile.ags}" title="Leerstandsatlas: ${attributeText(profile.name)}" `
    + 'width="100%" height="480" style="border:0" loading="lazy"></iframe>';
}

function formField(form, name, caption, control, hint) {
  return labelledField(form, { id: `profile-${name}`, name, caption, control, hint });
}

async function copyText(text, textarea) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Without clipboard permission (a plain http page): select it, the browser's own copy.
    textarea.focus();
    textarea.select();
    return document.execCommand?.('copy') ?? false;
  }
}

function embedSection(profile) {
  const section = element('section', 'embed-snippet');
  section.append(element('h3', null, 'Karte auf der eigenen Website einbinden'));
  const snippet = embedSnippet(window.location.origin, profile);
  const code = element('textarea', 'embed-code');
  code.id = 'profile-embed';
  code.readOnly = true;
  code.rows = 3;
  code.value = snippet;
  const caption = element('label', null, 'HTML-Code');
  caption.htmlFor = code.id;
  const copy = element('button', 'embed-copy', 'Kopieren');
  copy.type = 'button';
  const status = element('span', 'embed-status');
  status.setAttribute('role', 'status');
  copy.addEventListener('click', async () => {
    status.textContent = (await copyText(snippet, code)) ? 'Kopiert.' : 'Bitte den markierten Code kopieren (Strg+C).';
  });
  section.append(caption, code, copy, status);
  return section;
}

/** The changed fields of the form as a merge patch ("" clears a text); `imageId` is the
 *  picture chosen in the form, or null for none. */
function changesOf(form, profile, isAdmin, imageId) {
  const text = (name) => {
    const value = form.elements[name].value.trim();
    return value === '' ? null : value;
  };
  const next = { text: text('text'), website: text('website'), contact: text('contact') };
  if ((profile.image?.id ?? null) !== imageId) next.image = imageId;
  if (isAdmin) {
    next.member_since = text('member_since');
    next.founding_member = form.elements.founding_member.checked;
  }
  return Object.fromEntries(Object.entries(next).filter(([key, value]) => (profile[key] ?? null) !== value));
}

function showProblem(form, error) {
  for (const node of form.querySelectorAll('.field-error, .form-error')) node.textContent = '';
  const message = form.querySelector('.form-error');
  const problem = error.problem ?? {};
  if (error.status === 412) {
    message.textContent = 'Das Profil wurde inzwischen von jemand anderem geändert. Die aktuelle Fassung ist geladen; '
      + 'bitte die Änderung noch einmal eintragen.';
    return;
  }
  if (problem.code === 'admin_only_field') {
    message.textContent = 'Die Mitgliedschaft im Netzwerk tragen nur Admins ein.';
    return;
  }
  if (error.status === 403 || error.status === 401) {
    message.textContent = 'Sie dürfen dieses Profil nicht bearbeiten.';
    return;
  }
  let named = false;
  for (const { field, code } of problem.errors ?? []) {
    const target = form.querySelector(`[data-field="${CSS.escape(field)}"] .field-error`);
    if (target) {
      target.textContent = fieldMessage(field, code);
      named = true;
    }
  }
  if (!named) message.textContent = `Nicht gespeichert: ${error.message}`;
}

/** A dialog with the profile form. `saved({ profile, etag })` after the server took it; after
 *  a 412 `reload()` gives the current { profile, etag } and the form shows it. */
function profileDialog({ profile, etag, me, saved, reload }) {
  const isAdmin = me?.role === 'admin';
  const dialog = element('dialog', 'profile-dialog');
  dialog.setAttribute('aria-labelledby', 'profile-dialog-title');
  const form = element('form', 'profile-form');
  form.noValidate = true;  // the server's rules decide, and its messages are shown
  const title = element('h2', null, `Profil bearbeiten: ${profile.name}`);
  title.id = 'profile-dialog-title';
  form.append(title);
  const text = formField(form, 'text', 'Text', element('textarea'), 'Absätze durch eine Leerzeile trennen.');
  text.rows = 8;
  const website = formField(form, 'website', 'Website', element('input'));
  website.type = 'url';
  website.placeholder = 'https://';
  const contact = formField(form, 'contact', 'Kontakt', element('input'),
    'Eine öffentliche Kontaktstelle der Kommune (z. B. Bauamt mit Telefon oder Funktionspostfach), keine Privatperson: '
    + 'der Kontakt steht öffentlich auf der Seite.');
  for (const [name, control] of [['text', text], ['website', website], ['contact', contact]]) {
    control.maxLength = LIMITS[name];
  }
  // The picture is uploaded when chosen and becomes the profile's on Speichern.
  let imageId = null;
  let picture = null;
  const pictureField = (p) => {
    imageId = p.image?.id ?? null;
    const next = imageField({
      label: 'Bild',
      value: imageId,
      kommune: p.ags,
      onChange: (id) => { imageId = id; },
    });
    next.dataset.field = 'image';
    if (picture) picture.replaceWith(next);
    else form.append(next);
    picture = next;
  };
  let since = null;
  let founding = null;
  if (isAdmin) {
    since = formField(form, 'member_since', 'Mitglied seit', element('input'));
    since.type = 'date';
    founding = formField(form, 'founding_member', 'Gründungsmitglied', element('input'));
    founding.type = 'checkbox';
  }
  const fill = (p) => {
    text.value = p.text ?? '';
    website.value = p.website ?? '';
    contact.value = p.contact ?? '';
    if (since) since.value = p.member_since ?? '';
    if (founding) founding.checked = Boolean(p.founding_member);
    pictureField(p);
  };
  fill(profile);
  const message = element('p', 'form-error');
  message.setAttribute('role', 'alert');
  const buttons = element('div', 'dialog-buttons');
  const submit = element('button', null, 'Speichern');
  submit.type = 'submit';
  const cancel = element('button', 'dialog-cancel', 'Schließen');
  cancel.type = 'button';
  cancel.addEventListener('click', () => dialog.close());
  buttons.append(submit, cancel);
  form.append(message, buttons, embedSection(profile));
  dialog.append(form);
  dialog.addEventListener('close', () => dialog.remove());

  let current = { profile, etag };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    for (const node of form.querySelectorAll('.field-error, .form-error')) node.textContent = '';
    try {
      const changes = changesOf(form, current.profile, isAdmin, imageId);
      if (Object.keys(changes).length > 0) {
        current = await request(`/api/kommunen/${encodeURIComponent(current.profile.ags)}/profile`, {
          method: 'PATCH',
          body: changes,
          headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': current.etag },
          withEtag: true,
        }).then(({ body, etag: next }) => ({ profile: body, etag: next }));
      }
      dialog.close();
      saved(current);
    } catch (error) {
      showProblem(form, error);
      if (error.status === 412) {
        current = await reload();
        fill(current.profile);
      }
    } finally {
      submit.disabled = false;
    }
  });
  return dialog;
}

// ---------------------------------------------------------------------------------------------

/**
 * Registers the route /kommunen/{ags or slug}: it opens the profile in `panel` and fits `map`
 * to the Kommune. `meOf()` tells who is signed in (for the edit button). Returns
 * { open(ags) } for the map and the search, which go to the Kommune's address, and
 * { signedInChanged() } to show or hide the edit button.
 */
export function setUpProfiles({ map, panel, meOf }) {
  let shown = null;  // { profile, etag } of the Kommune in the panel
  let opening = 0;   // the newest open; an older one that finishes later is dropped

  function actions() {
    const area = element('div', 'profile-actions');
    if (shown && canEdit(meOf(), shown.profile.ags)) {
      const edit = element('button', 'profile-edit', 'Profil bearbeiten');
      edit.type = 'button';
      edit.addEventListener('click', () => {
        const dialog = profileDialog({
          ...shown,
          me: meOf(),
          saved: (next) => show(next.profile.ags, { keepView: true }),
          reload: async () => {
            const { body, etag } = await request(`/api/kommunen/${encodeURIComponent(shown.profile.ags)}/profile`, { withEtag: true });
            return { profile: body, etag };
          },
        });
        document.body.append(dialog);
        dialog.showModal();
      });
      area.append(edit);
    }
    return area;
  }

  function render(data) {
    const { profile } = data;
    shown = { profile, etag: data.etag };
    const close = element('button', 'profile-close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', 'Profil schließen');
    close.title = 'Schließen';
    close.addEventListener('click', () => navigate('/'));
    const nodes = [close, element('h2', 'profile-title', profile.name)];
    const membership = membershipLine(profile);
    if (membership) nodes.push(membership);
    if (profile.image?.id) {
      const picture = pictureOf(profile.image.id, profile.name, PICTURE_WIDTH);
      picture.classList.add('profile-picture');
      nodes.push(picture);
    }
    if (profile.text) nodes.push(...paragraphs(profile.text));
    const website = webUrl(profile.website);
    const contacts = definitionList([
      ['Website', website ? externalLink(website, website.replace(/^https?:\/\//, '').replace(/\/$/, '')) : ''],
      ['Kontakt', profile.contact ?? ''],
    ], 'profile-contacts');
    if (contacts.childElementCount > 0) nodes.push(contacts);
    nodes.push(actions(), placesSection(data.places), vacanciesSection(data.vacancies), figuresSection(data.summary));
    panel.replaceChildren(...nodes);
    panel.dataset.view = 'kommune';
    panel.dataset.ags = profile.ags;
    panel.hidden = false;
    setTitle(profile.name);
  }

  async function show(ref, { keepView = false } = {}) {
    const ticket = ++opening;
    panel.hidden = false;
    panel.dataset.view = 'kommune';
    if (!keepView) panel.replaceChildren(element('p', null, 'Profil wird geladen …'));
    let data;
    try {
      data = await loadKommune(ref);
    } catch (error) {
      if (ticket !== opening) return;
      shown = null;
      const close = element('button', 'profile-close', '×');
      close.type = 'button';
      close.setAttribute('aria-label', 'Schließen');
      close.addEventListener('click', () => navigate('/'));
      const text = error.status === 404 ? 'Diese Kommune gibt es im Leerstandsatlas nicht.' : `Profil nicht abrufbar: ${error.message}`;
      panel.replaceChildren(close, element('h2', 'profile-title', 'Kommune nicht gefunden'), element('p', 'error', text));
      setTitle(error.status === 404 ? 'Kommune nicht gefunden' : '');
      return;
    }
    if (ticket !== opening) return;
    render(data);
    if (!keepView) {
      try {
        const bounds = await kommuneBounds(data.profile.ags);
        if (ticket === opening && bounds.isValid()) map.fitBounds(bounds, { padding: FIT_PADDING });
      } catch {
        // The profile is there; the map just stays where it was.
      }
    }
  }

  route(/^\/kommunen\/([^/]+)$/, (match) => show(decodeURIComponent(match[1])));

  return {
    open: (ags) => navigate(`/kommunen/${encodeURIComponent(ags)}`),
    /** Hides the panel when it shows a Kommune (the address left its page). */
    close() {
      opening += 1;
      if (panel.dataset.view === 'kommune') {
        panel.hidden = true;
        delete panel.dataset.view;
        shown = null;
      }
    },
    signedInChanged() {
      if (shown && panel.dataset.view === 'kommune' && !panel.hidden) {
        panel.querySelector('.profile-actions')?.replaceWith(actions());
      }
    },
  };
}
