// The pieces the public forms share ("Mitglied werden" in membership.js, "Interesse melden" in
// inquiry-form.js): a labelled field with its error line, the hidden honeypot, and the field
// errors of a 400 shown at their fields.

import { element } from './dom.js';

/**
 * Appends a labelled input (or textarea) with an error line `#{id}-error` to `form`; returns
 * the input. `hint` (a node) goes between the input and its error line.
 */
export function formField(form, {
  id, name, label, type = 'text', required = false, multiline = false, maxLength, minLength, rows = 5, hint,
}) {
  const wrapper = element('div', 'form-field');
  wrapper.dataset.field = name;
  const caption = element('label', null, required ? `${label} *` : label);
  caption.htmlFor = id;
  const input = element(multiline ? 'textarea' : 'input');
  input.id = id;
  input.name = name;
  if (multiline) input.rows = rows;
  else input.type = type;
  if (maxLength) input.maxLength = maxLength;
  if (minLength) input.minLength = minLength;
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

/** The honeypot `homepage`: hidden from people, screen readers and the tab order; a form robot
 *  fills it, and the server then stores nothing. Returns its input. */
export function honeypotField(form) {
  const trap = element('div', 'form-trap');
  trap.setAttribute('aria-hidden', 'true');
  const caption = element('label', null, 'Homepage (bitte leer lassen)');
  const input = element('input');
  input.name = 'homepage';
  input.tabIndex = -1;
  input.autocomplete = 'off';
  caption.append(input);
  trap.append(caption);
  form.append(trap);
  return input;
}

/** Empties every error line of `form` and unmarks `inputs` (an object of inputs by field). */
export function clearFieldErrors(form, inputs) {
  for (const problem of form.querySelectorAll('.field-error')) problem.textContent = '';
  for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
}

/**
 * Shows each field error of a 400 (`errors[]`) at its input: `fieldOf(error)` names the input
 * in `inputs`, `textOf(error, field)` gives the German text, `idOf(field)` the input's id.
 * Returns the first input marked (to focus), or null.
 */
export function showFieldErrors(form, inputs, errors, { fieldOf = (error) => error.field, textOf, idOf }) {
  let first = null;
  for (const error of errors) {
    const field = fieldOf(error);
    const input = inputs[field];
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    form.querySelector(`#${idOf(field)}-error`).textContent = textOf(error, field);
    first ??= input;
  }
  return first;
}

/** Appends the form's note (a text), its alert line and its submit button labelled
 *  `buttonText`; returns { error, submit }. */
export function formEnd(form, note, buttonText) {
  const error = element('p', 'form-error');
  error.setAttribute('role', 'alert');
  const submit = element('button', null, buttonText);
  submit.type = 'submit';
  form.append(element('p', 'field-hint', note), error, submit);
  return { error, submit };
}
