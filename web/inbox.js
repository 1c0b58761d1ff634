// The staff inbox of inquiries (/posteingang): editors see the inquiries about their Kommunen's
// offers, admins all (GET /api/anfragen). Tabs Neu / In Kontakt / Abgeschlossen with counts;
// each inquiry with its offer, person, contact, use, message and the answers sent; buttons
// move it (PATCH /api/anfragen/{id}); the reply box mails an answer (POST …/antworten), or,
// when the operator configured no mail relay, says so and offers the inquirer's address to
// write to by hand. Everything from the API goes into the page as text.

import { request } from './api.js';
import { definitionList, element, formatDateTime, numberFormat } from './dom.js';
import { label, INQUIRY_STATUS_LABELS } from './labels.js';
import { fieldErrorText, problemText } from './messages.js';
import { showPage } from './page.js';
import { route } from './router.js';

const TABS = Object.freeze(['neu', 'in_kontakt', 'abgeschlossen']);
const MAX_ANSWER = 5000;  // server/services/inquiry_service.cpp

function mailLink(address) {
  const link = element('a', null, address);
  link.href = `mailto:${address}`;
  return link;
}

function phoneLink(number) {
  const link = element('a', null, number);
  link.href = `tel:${number.replace(/[^\d+]/g, '')}`;
  return link;
}

function facts(inquiry) {
  return definitionList([
    ['Eingegangen', formatDateTime(inquiry.created_at)],
    ['Name', inquiry.name],
    ['E-Mail', inquiry.email ? mailLink(inquiry.email) : null],
    ['Telefon', inquiry.phone ? phoneLink(inquiry.phone) : null],
    ['Geplante Nutzung', label('use', inquiry.intended_use)],
    ['Gemeinwohlorientiert', inquiry.common_good ? 'ja' : 'nein'],
    ['Kommune', inquiry.offer?.kommune_name],
    ['Abgeschlossen', inquiry.closed_at ? formatDateTime(inquiry.closed_at) : null],
    ['Personendaten', inquiry.personal_data_deleted_at ? `gelöscht am ${formatDateTime(inquiry.personal_data_deleted_at)}` : null],
  ], 'request-facts');
}

function sentMessages(messages) {
  const list = element('ol', 'inquiry-messages');
  for (const message of messages) {
    const item = element('li', 'inquiry-message');
    const meta = element('p', 'inquiry-message-meta',
      `Antwort vom ${formatDateTime(message.sent_at)}${message.author ? ` von ${message.author}` : ''}${message.mailed ? ', per E-Mail gesendet' : ''}`);
    item.append(meta);
    item.append(element('p', 'request-message', message.text ?? '(Text nach Ablauf der Frist gelöscht)'));
    list.append(item);
  }
  return list;
}

/** The reply box; without a relay a hint and the address to write to by hand. */
function replyBox(inquiry, state, answer) {
  const box = element('form', 'inquiry-reply');
  box.noValidate = true;
  const id = `reply-${inquiry.id}`;
  const caption = element('label', null, `Antwort an ${inquiry.name ?? 'die anfragende Person'}`);
  caption.htmlFor = id;
  const text = element('textarea');
  text.id = id;
  text.name = 'text';
  text.rows = 4;
  text.maxLength = MAX_ANSWER;
  const send = element('button', null, 'Antwort senden');
  send.type = 'submit';
  const hint = element('p', 'field-hint inquiry-reply-hint');
  const problem = element('p', 'form-error');
  problem.setAttribute('role', 'alert');
  const withoutMail = () => {
    text.disabled = true;
    send.disabled = true;
    box.dataset.mail = 'off';
    hint.replaceChildren('Dieser Atlas versendet keine E-Mails. Bitte schreiben Sie mit Ihrem E-Mail-Programm an ',
      mailLink(inquiry.email), '.');
  };
  const actions = element('div', 'request-actions');
  actions.append(send);
  box.append(caption, text, hint, problem, actions);
  if (!state.mailConfigured) withoutMail();
  box.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.textContent = '';
    send.disabled = true;
    try {
      await answer(inquiry, text.value);
    } catch (failure) {
      if (failure.problem?.code === 'mail_not_configured') {
        state.mailConfigured = false;
        withoutMail();
        return;
      }
      const field = failure.problem?.errors?.[0];
      problem.textContent = field ? fieldErrorText({ ...field, field: 'text' }) : problemText(failure);
      send.disabled = false;
    }
  });
  return box;
}

function inquiryCard(inquiry, state, actions) {
  const card = element('article', 'membership-request inquiry');
  card.dataset.id = String(inquiry.id);
  card.dataset.status = inquiry.status;
  const heading = element('h2', 'membership-request-title');
  const offer = element('a', 'inquiry-offer', inquiry.offer?.title ?? `Angebot ${inquiry.offer?.id}`);
  offer.href = `/angebote/${encodeURIComponent(inquiry.offer?.id)}`;
  offer.dataset.route = '';
  const status = element('span', `request-status inquiry-status-${inquiry.status}`, label('inquiry_status', inquiry.status));
  heading.append(offer, ' ', status);
  card.append(heading, facts(inquiry));
  if (inquiry.message) card.append(element('p', 'request-message', inquiry.message));
  if (inquiry.messages?.length > 0) card.append(sentMessages(inquiry.messages));

  const buttons = element('div', 'request-actions');
  const problem = element('p', 'form-error');
  problem.setAttribute('role', 'alert');
  const button = (text, target, className) => {
    const b = element('button', className, text);
    b.type = 'button';
    b.dataset.status = target;
    b.addEventListener('click', () => actions.move(inquiry, target, problem));
    buttons.append(b);
  };
  if (inquiry.status === 'neu') button('In Kontakt', 'in_kontakt', 'inquiry-contact');
  if (inquiry.status !== 'abgeschlossen') button('Abschließen', 'abgeschlossen', 'request-decline inquiry-close');
  // Reopened, it goes back to where it was: in contact once it was answered.
  else button('Wieder öffnen', inquiry.messages?.length > 0 ? 'in_kontakt' : 'neu', 'inquiry-reopen');
  card.append(buttons, problem);
  if (inquiry.email) card.append(replyBox(inquiry, state, actions.answer));
  return card;
}

function tabBar(state, choose) {
  const bar = element('div', 'inbox-tabs');
  bar.setAttribute('role', 'tablist');
  bar.setAttribute('aria-label', 'Anfragen nach Stand');
  for (const status of TABS) {
    const tab = element('button', 'inbox-tab',
      `${INQUIRY_STATUS_LABELS[status]} (${numberFormat.format(state.counts[status] ?? 0)})`);
    tab.type = 'button';
    tab.id = `inbox-tab-${status}`;
    tab.dataset.status = status;
    tab.setAttribute('role', 'tab');
    tab.setAttribute('aria-selected', String(status === state.tab));
    tab.setAttribute('aria-controls', 'inbox-list');
    tab.addEventListener('click', () => choose(status));
    bar.append(tab);
  }
  return bar;
}

async function showInbox(meOf) {
  const tabs = element('div');
  const list = element('div', 'inbox-list');
  list.id = 'inbox-list';
  list.setAttribute('role', 'tabpanel');
  showPage('Posteingang', tabs, list);
  const me = await meOf();
  if (me?.role !== 'editor' && me?.role !== 'admin') {
    list.append(element('p', 'page-note',
      'Hier sehen die Redaktionen der Kommunen die Anfragen zu ihren Angeboten. Bitte als Redaktion anmelden.'));
    return;
  }
  const state = { tab: 'neu', counts: {}, mailConfigured: true };
  const render = async () => {
    list.setAttribute('aria-busy', 'true');
    try {
      const answer = await request(`/api/anfragen?status=${state.tab}`);
      state.counts = answer.counts ?? {};
      state.mailConfigured = answer.mail_configured !== false;
      tabs.replaceChildren(tabBar(state, (status) => { state.tab = status; render(); }));
      list.replaceChildren(...answer.inquiries.map((inquiry) => inquiryCard(inquiry, state, actions)));
      if (answer.inquiries.length === 0) {
        list.append(element('p', 'page-note', `Keine Anfragen mit dem Stand „${INQUIRY_STATUS_LABELS[state.tab]}“.`));
      }
      list.dataset.state = 'ready';
    } catch (error) {
      list.replaceChildren(element('p', 'form-error', `Anfragen nicht abrufbar: ${problemText(error)}`));
    }
    list.removeAttribute('aria-busy');
  };
  const actions = {
    async move(inquiry, status, problem) {
      problem.textContent = '';
      try {
        await request(`/api/anfragen/${inquiry.id}`, { method: 'PATCH', body: { status } });
      } catch (failure) {
        problem.textContent = problemText(failure);
        return;
      }
      await render();
    },
    async answer(inquiry, text) {
      await request(`/api/anfragen/${inquiry.id}/antworten`, { method: 'POST', body: { text } });
      await render();
    },
  };
  await render();
}

/** Registers the view /posteingang; `meOf()` resolves with who is signed in. */
export function setUpInbox({ meOf }) {
  route(/^\/posteingang\/?$/, () => showInbox(meOf));
}
