// The staff's suggestions (Vorschläge) beside an offer's exposé and a need: the best matches of
// the other side, ranked by the written score (docs/matching.md), each with its total as a bar
// and one German sentence per component (web/reasons.js), and the buttons that record what
// became of it (docs/http.md, "Suggestions and their outcomes"): write to the need's author
// through the atlas, accept, finish (the Zukunftsort is created), decline. Everything from the
// API goes into the page as text.

import { request } from './api.js';
import { element, formatDateTime } from './dom.js';
import { labelledField } from './editor.js';
import { label } from './labels.js';
import { fieldErrorText } from './messages.js';
import { reasonText } from './reasons.js';

/** The longest message to a need's author (the API's maxLength). */
const MESSAGE_LIMIT = 5000;

/** What each outcome lets staff do next, in the order of the buttons. */
const ACTIONS = Object.freeze({
  none: ['contact', 'accept', 'decline'],
  kontaktiert: ['contact', 'accept', 'decline'],
  angenommen: ['contact', 'finish', 'decline'],
  abgeschlossen: [],
  abgelehnt: [],
});

const BUTTON_TEXTS = Object.freeze({
  contact: 'Kontakt aufnehmen',
  accept: 'Zusage',
  finish: 'Abschließen',
  decline: 'Absagen',
});

function idOf(item) {
  return item?.id ?? item?.properties?.id;
}

function propertiesOf(item) {
  return item?.properties ?? item ?? {};
}

/** Shows the server's problem in `form`: field errors at their fields, the rest in `message`. */
function showProblem(form, message, error) {
  let named = false;
  for (const fieldError of error.problem?.errors ?? []) {
    const place = form.querySelector(`[data-field="${CSS.escape(fieldError.field ?? '')}"] .field-error`);
    if (place) {
      place.textContent = fieldErrorText(fieldError);
      named = true;
    }
  }
  if (!named) message.textContent = `Nicht eingetragen: ${error.message}`;
}

/**
 * A modal dialog with `title`, an explanation, the fields `build(form)` adds and a submit
 * button `action`; `send(form)` does the work, and the dialog closes when it succeeded.
 */
function actionDialog({ title, explanation, action, build = () => {}, send, done }) {
  const dialog = element('dialog', 'match-dialog');
  dialog.setAttribute('aria-labelledby', 'match-dialog-title');
  const form = element('form', 'match-form');
  form.noValidate = true;  // the server's rules decide, and its messages are shown
  const heading = element('h2', null, title);
  heading.id = 'match-dialog-title';
  form.append(heading);
  if (explanation) form.append(element('p', 'field-hint', explanation));
  build(form);
  const message = element('p', 'form-error');
  message.setAttribute('role', 'alert');
  const buttons = element('div', 'dialog-buttons');
  const submit = element('button', null, action);
  submit.type = 'submit';
  const cancel = element('button', 'dialog-cancel', 'Abbrechen');
  cancel.type = 'button';
  cancel.addEventListener('click', () => dialog.close());
  buttons.append(submit, cancel);
  form.append(message, buttons);
  dialog.append(form);
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    for (const node of form.querySelectorAll('.field-error, .form-error')) node.textContent = '';
    try {
      await send(form);
      dialog.close();
      done();
    } catch (error) {
      showProblem(form, message, error);
    } finally {
      submit.disabled = false;
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

function textField(form, { name, caption, value = '', multiline = false, maxLength, hint }) {
  const control = element(multiline ? 'textarea' : 'input');
  if (multiline) control.rows = 8;
  control.value = value;
  if (maxLength) control.maxLength = maxLength;
  return labelledField(form, { id: `match-${name}`, name, caption, control, hint });
}

/** Records `change` for the pair of `entry`: a new outcome (POST) or a change of the recorded
 *  one (PATCH with its version). */
function recordOutcome(entry, change) {
  const recorded = entry.vermittlung;
  if (!recorded) {
    return request('/api/vermittlungen', {
      method: 'POST',
      body: { angebot_id: entry.match.offer_id, gesuch_id: entry.match.need_id, ...change },
    });
  }
  return request(`/api/vermittlungen/${encodeURIComponent(recorded.id)}`, {
    method: 'PATCH',
    body: change,
    headers: { 'If-Match': `"${recorded.version}"` },
  });
}

/** The dialog of one button of `entry`; `offerTitle` and `other` prefill and name it. */
function openAction(kind, entry, { offer, need }, done) {
  const status = entry.vermittlung?.status;
  if (kind === 'contact') {
    return actionDialog({
      title: `Nachricht zu „${need.title}“`,
      explanation: 'Die Nachricht geht als E-Mail des Leerstandsatlas an die Person, die das Gesuch '
        + 'eingestellt hat, mit dem Link zum Angebot. Ihre Adresse bleibt verborgen; Antworten gehen '
        + 'an die Kontaktadresse des Angebots.',
      action: 'Senden',
      build: (form) => textField(form, {
        name: 'message', caption: 'Nachricht', multiline: true, maxLength: MESSAGE_LIMIT,
        value: `Guten Tag,\n\nzu Ihrem Gesuch „${need.title}“ haben wir ein passendes Angebot: „${offer.title}“. `
          + 'Haben Sie Interesse an einer Besichtigung?\n\nMit freundlichen Grüßen',
      }),
      send: (form) => recordOutcome(entry, {
        // A first message records the contact; later ones keep the outcome as it is.
        ...(status ? {} : { status: 'kontaktiert' }),
        message: form.elements.message.value,
      }),
      done,
    });
  }
  if (kind === 'accept') {
    return actionDialog({
      title: 'Zusage eintragen',
      explanation: `„${offer.title}“ geht an „${need.title}“: Der Leerstand kommt in Aktivierung, `
        + 'das Angebot wird reserviert.',
      action: 'Zusage eintragen',
      send: () => recordOutcome(entry, { status: 'angenommen' }),
      done,
    });
  }
  if (kind === 'decline') {
    return actionDialog({
      title: 'Absage eintragen',
      explanation: status === 'angenommen'
        ? 'Die Zusage wird zurückgenommen: Das Angebot ist wieder offen, der Leerstand wieder bestätigt.'
        : 'Der Vorschlag wird als abgesagt eingetragen.',
      action: 'Absage eintragen',
      send: () => recordOutcome(entry, { status: 'abgelehnt' }),
      done,
    });
  }
  return actionDialog({
    title: 'Vermittlung abschließen',
    explanation: 'Aus dem Leerstand wird ein Zukunftsort an seinem Punkt auf der Karte; Angebot und '
      + 'Gesuch gelten als vermittelt. Name, Art und Beschreibung stehen öffentlich auf der Karte.',
    action: 'Zukunftsort anlegen',
    build: (form) => {
      textField(form, { name: 'name', caption: 'Name des Zukunftsorts', value: offer.title, maxLength: 200 });
      textField(form, { name: 'kind', caption: 'Art', value: label('use', offer.use) || '', maxLength: 100,
        hint: 'Zum Beispiel Café, Werkstatt, Co-Working, Jugendtreff.' });
      textField(form, { name: 'description', caption: 'Beschreibung', multiline: true,
        value: need.description ?? '', maxLength: 5000 });
    },
    send: (form) => {
      const zukunftsort = { name: form.elements.name.value };
      for (const name of ['kind', 'description']) {
        const value = form.elements[name].value.trim();
        if (value !== '') zukunftsort[name] = value;
      }
      return recordOutcome(entry, { status: 'abgeschlossen', zukunftsort });
    },
    done,
  });
}

/** The total as a bar and in words. */
function scoreBar(total) {
  const wrapper = element('div', 'match-score');
  const bar = element('div', 'match-score-bar');
  bar.setAttribute('role', 'meter');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', '100');
  bar.setAttribute('aria-valuenow', String(total));
  bar.setAttribute('aria-label', 'Passung');
  const fill = element('div', 'match-score-fill');
  fill.style.width = `${Math.max(0, Math.min(100, total))}%`;  // CSSOM, not a style attribute
  bar.append(fill);
  wrapper.append(bar, element('span', 'match-score-text', `${total} von 100 Punkten`));
  return wrapper;
}

function reasonList(match, names) {
  const list = element('ul', 'match-reasons');
  for (const component of match.components ?? []) {
    const item = element('li', component.points === component.weight ? 'reason-full' : 'reason-part');
    item.append(
      element('span', 'reason-text', reasonText(component, names)),
      element('span', 'reason-points', `${component.points}/${component.weight}`),
    );
    list.append(item);
  }
  return list;
}

/** One suggestion: the other side's title (a link to its page), badges, the bar, the reasons,
 *  the recorded outcome and its buttons. */
function suggestionItem(entry, sides, reload) {
  const item = element('li', 'match');
  const other = sides.other(entry);
  const head = element('div', 'match-head');
  const title = element('a', 'match-title', other.title);
  title.href = sides.href(other);
  head.append(title);
  if (entry.match.common_good) head.append(element('span', 'badge badge-common-good', 'gemeinwohlorientiert'));
  const recorded = entry.vermittlung;
  if (recorded) head.append(element('span', `badge badge-${recorded.status}`, label('match_status', recorded.status)));
  item.append(head, scoreBar(entry.match.total), reasonList(entry.match, entry.kommune_names));
  if (recorded) {
    const facts = [`${label('match_status', recorded.status)} am ${formatDateTime(recorded.updated_at)}`];
    if (recorded.messages > 0) facts.push(`${recorded.messages} ${recorded.messages === 1 ? 'Nachricht' : 'Nachrichten'} gesendet`);
    const note = element('p', 'match-note', facts.join(' · '));
    if (recorded.zukunftsort_id) {
      const link = element('a', null, 'Zum Zukunftsort');
      link.href = `/zukunftsorte/${encodeURIComponent(recorded.zukunftsort_id)}`;
      note.append(' · ', link);
    }
    item.append(note);
  }
  const actions = ACTIONS[recorded?.status ?? 'none'] ?? [];
  if (actions.length > 0) {
    const buttons = element('div', 'match-actions');
    for (const kind of actions) {
      const button = element('button', `match-${kind}`, BUTTON_TEXTS[kind]);
      button.type = 'button';
      button.addEventListener('click', () => openAction(kind, entry, sides.pair(entry), reload));
      buttons.append(button);
    }
    item.append(buttons);
  }
  return item;
}

/** Fills `section` with the suggestions at `url`, again after every recorded outcome. */
async function mountSuggestions(section, { heading, empty, url, sides }) {
  section.classList.add('match-panel');
  section.replaceChildren(element('h2', null, heading), element('p', 'match-loading', 'Vorschläge werden geladen …'));
  const reload = () => mountSuggestions(section, { heading, empty, url, sides });
  let answer;
  try {
    answer = await request(url);
  } catch (error) {
    const problem = element('p', 'form-error', `Die Vorschläge lassen sich nicht laden: ${error.message}`);
    problem.setAttribute('role', 'alert');
    section.replaceChildren(element('h2', null, heading), problem);
    return;
  }
  const list = element('ol', 'match-list');
  for (const entry of answer.suggestions ?? []) list.append(suggestionItem(entry, sides, reload));
  const intro = element('p', 'match-intro',
    'Nach der Punktzahl aus Nutzung, Größe, Ort, Art und Zeitpunkt geordnet. Nur für die Verwaltung sichtbar.');
  section.replaceChildren(element('h2', null, heading), intro,
    list.childElementCount > 0 ? list : element('p', 'match-empty', empty));
}

/** The best needs for `offer` (a GeoJSON Feature of /collections/angebote or its properties). */
export function mountOfferMatches(section, offer) {
  const properties = { ...propertiesOf(offer), id: idOf(offer) };
  return mountSuggestions(section, {
    heading: 'Passende Gesuche',
    empty: 'Noch kein offenes Gesuch passt zu diesem Angebot.',
    url: `/api/angebote/${encodeURIComponent(properties.id)}/vorschlaege`,
    sides: {
      other: (entry) => entry.need,
      href: (need) => `/gesuche/${encodeURIComponent(need.id)}`,
      pair: (entry) => ({ offer: properties, need: entry.need }),
    },
  });
}

/** The best offers the signed-in staff member may change for `need`. */
export function mountNeedMatches(section, need) {
  const properties = { ...propertiesOf(need), id: idOf(need) };
  return mountSuggestions(section, {
    heading: 'Passende Angebote',
    empty: 'Keines Ihrer offenen Angebote passt zu diesem Gesuch.',
    url: `/api/gesuche/${encodeURIComponent(properties.id)}/vorschlaege`,
    sides: {
      other: (entry) => entry.offer,
      href: (offerOf) => `/angebote/${encodeURIComponent(offerOf.id)}`,
      pair: (entry) => ({ offer: entry.offer, need: properties }),
    },
  });
}
