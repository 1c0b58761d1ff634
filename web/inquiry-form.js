// "Interesse melden": the public form on an offer's page (/angebote/{id}, web/offers.js mounts
// it into `section#anfrage`), POST /api/angebote/{id}/anfragen, then the confirmation. No
// account; a hidden honeypot field for robots. Everything from the API goes in as text.

import { request } from './api.js';
import { element } from './dom.js';
import {
  clearFieldErrors, formEnd, formField, honeypotField, showFieldErrors,
} from './form-parts.js';
import { USE_LABELS } from './labels.js';
import { fieldErrorText, problemText } from './messages.js';

// The bounds of each field, as the server takes them (server/services/inquiry_service.cpp).
const MAX_LENGTH = Object.freeze({ name: 100, email: 254, phone: 40, message: 2000 });
const MIN_LENGTH = Object.freeze({ name: 2, message: 10 });

function field(form, options) {
  const { name } = options;
  return formField(form, {
    ...options, id: `inquiry-${name}`, rows: 6, maxLength: MAX_LENGTH[name], minLength: MIN_LENGTH[name],
  });
}

function useSelect(form, preselected) {
  const id = 'inquiry-intended_use';
  const wrapper = element('div', 'form-field');
  wrapper.dataset.field = 'intended_use';
  const caption = element('label', null, 'Geplante Nutzung *');
  caption.htmlFor = id;
  const select = element('select');
  select.id = id;
  select.name = 'intended_use';
  select.required = true;
  for (const [value, text] of Object.entries(USE_LABELS)) {
    const option = element('option', null, text);
    option.value = value;
    select.append(option);
  }
  if (Object.hasOwn(USE_LABELS, preselected ?? '')) select.value = preselected;
  const problem = element('p', 'field-error');
  problem.id = `${id}-error`;
  select.setAttribute('aria-describedby', problem.id);
  wrapper.append(caption, select, problem);
  form.append(wrapper);
  return select;
}

function commonGoodBox(form) {
  const wrapper = element('div', 'form-field form-check');
  wrapper.dataset.field = 'common_good';
  const box = element('input');
  box.type = 'checkbox';
  box.id = 'inquiry-common_good';
  box.name = 'common_good';
  const caption = element('label', null, 'Das Vorhaben ist gemeinwohlorientiert (z. B. Verein, Initiative, Treffpunkt)');
  caption.htmlFor = box.id;
  const problem = element('p', 'field-error');
  problem.id = `${box.id}-error`;
  wrapper.append(box, caption, problem);
  form.append(wrapper);
  return box;
}

function showConfirmation(section, answer) {
  const days = answer?.retention_days;
  const box = element('div', 'inquiry-confirmation');
  box.setAttribute('role', 'status');
  box.tabIndex = -1;
  box.append(
    element('h2', null, 'Danke, Ihre Anfrage ist bei der Kommune angekommen.'),
    element('p', null, 'Die Kommune meldet sich per E-Mail oder Telefon bei Ihnen.'),
    element('p', 'field-hint', Number.isInteger(days)
      ? `Ihre Angaben sieht nur die Kommune. Sie werden ${days} Tage nach Abschluss der Anfrage gelöscht.`
      : 'Ihre Angaben sieht nur die Kommune. Sie werden nach Abschluss der Anfrage gelöscht.'),
  );
  section.replaceChildren(box);
  box.focus({ preventScroll: false });
}

/**
 * Renders the form "Interesse melden" for `offer` (a Feature of /collections/angebote/items,
 * or its properties with `id`) into `section`.
 */
export function mountInquiryForm(section, offer) {
  const id = offer?.id;
  const properties = offer?.properties ?? offer ?? {};
  const heading = element('h2', null, 'Interesse melden');
  const intro = element('p', 'field-hint inquiry-intro',
    'Sie möchten dieses Gebäude nutzen? Schreiben Sie der Kommune. Ein Konto brauchen Sie dafür nicht.');
  const form = element('form', 'join-form inquiry-form');
  form.noValidate = true;
  const inputs = {};
  inputs.name = field(form, { name: 'name', label: 'Name', required: true });
  inputs.name.autocomplete = 'name';
  inputs.email = field(form, { name: 'email', label: 'E-Mail', type: 'email', required: true });
  inputs.email.autocomplete = 'email';
  inputs.phone = field(form, { name: 'phone', label: 'Telefon (optional)', type: 'tel' });
  inputs.phone.autocomplete = 'tel';
  inputs.intended_use = useSelect(form, properties.use);
  inputs.common_good = commonGoodBox(form);
  inputs.message = field(form, { name: 'message', label: 'Nachricht', required: true, multiline: true });
  inputs.message.placeholder = 'Was haben Sie vor? Wer steht dahinter? Ab wann?';
  const trap = honeypotField(form);
  const { error, submit } = formEnd(form,
    'Mit * markierte Felder sind Pflichtfelder. Ihre Angaben gehen nur an die Kommune, nie an die Eigentümer.',
    'Anfrage senden');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    clearFieldErrors(form, inputs);
    const body = {
      name: inputs.name.value,
      email: inputs.email.value,
      phone: inputs.phone.value.trim() || null,
      intended_use: inputs.intended_use.value,
      common_good: inputs.common_good.checked,
      message: inputs.message.value,
      homepage: trap.value,
    };
    submit.disabled = true;
    try {
      const answer = await request(`/api/angebote/${encodeURIComponent(id)}/anfragen`, { method: 'POST', body });
      showConfirmation(section, answer);
    } catch (failure) {
      const errors = Array.isArray(failure.problem?.errors) ? failure.problem.errors : [];
      const first = showFieldErrors(form, inputs, errors, {
        textOf: (problem) => fieldErrorText(problem), idOf: (name) => `inquiry-${name}`,
      });
      error.textContent = errors.length > 0 ? 'Bitte die markierten Felder prüfen.' : problemText(failure);
      first?.focus();
    } finally {
      submit.disabled = false;
    }
  });
  section.replaceChildren(heading, intro, form);
}
