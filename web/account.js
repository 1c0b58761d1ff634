// Sign-in and sign-out: a session cookie from POST /api/login (HttpOnly, SameSite=Strict); the
// page asks /api/me who it is and shows the planner layers only to signed-in users.

import { request } from './api.js';
import { element } from './dom.js';

const ROLE_LABELS = Object.freeze({ admin: 'Admin', planner: 'Planung', editor: 'Redaktion' });

/** Who the page is signed in as: { signed_in, name, role, kommunen }. */
export async function whoAmI() {
  try {
    return await request('/api/me');
  } catch {
    return { signed_in: false, role: 'public', kommunen: [] };
  }
}

/**
 * Wires the account area: the sign-in button opens the dialog, the form signs in, the
 * sign-out button ends the session, editors get an upload button (`openUpload()`).
 * `changed(me)` is called after each change.
 */
export function setUpAccount({ area, dialog, changed, openUpload }) {
  const form = dialog.querySelector('form');
  const error = dialog.querySelector('.form-error');

  function render(me) {
    area.replaceChildren();
    if (me.signed_in) {
      const who = element('span', 'account-name', `${me.name} (${ROLE_LABELS[me.role] ?? me.role})`);
      const out = element('button', 'account-button', 'Abmelden');
      out.type = 'button';
      out.id = 'sign-out';
      out.addEventListener('click', async () => {
        try {
          await request('/api/logout', { method: 'POST', body: {} });
        } finally {
          const now = await whoAmI();
          render(now);
          changed(now);
        }
      });
      // Admins decide on the requests to join the network (web/membership.js).
      const requests = me.role === 'admin' ? element('a', 'account-button', 'Anträge') : null;
      if (requests) {
        requests.href = '/mitgliedsantraege';
        requests.id = 'membership-requests-open';
        requests.dataset.route = '';
      }
      if (me.role === 'admin' || me.role === 'editor') {
        const upload = element('button', 'account-button', 'Hochladen');
        upload.type = 'button';
        upload.id = 'upload-open';
        upload.addEventListener('click', () => openUpload());
        // The inquiries about the Kommune's offers (web/inbox.js).
        const inbox = element('a', 'account-button', 'Posteingang');
        inbox.href = '/posteingang';
        inbox.id = 'inbox-open';
        inbox.dataset.route = '';
        area.append(who, upload, inbox, ...(requests ? [requests] : []), out);
      } else {
        area.append(who, out);
      }
    } else {
      const open = element('button', 'account-button', 'Anmelden');
      open.type = 'button';
      open.id = 'sign-in-open';
      open.addEventListener('click', () => {
        error.textContent = '';
        dialog.showModal();
        form.elements.name.focus();
      });
      area.append(open);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      await request('/api/login', {
        method: 'POST',
        body: { name: form.elements.name.value, password: form.elements.password.value },
      });
    } catch (failure) {
      error.textContent = failure.status === 401 || failure.status === 400
        ? 'Name oder Passwort stimmt nicht.'
        : failure.status === 429
          ? 'Zu viele Versuche. Bitte in einigen Minuten erneut versuchen.'
          : `Anmeldung nicht möglich: ${failure.message}`;
      return;
    }
    form.reset();
    dialog.close();
    const me = await whoAmI();
    render(me);
    changed(me);
  });
  dialog.querySelector('.dialog-cancel').addEventListener('click', () => dialog.close());

  return { render };
}
