// The page view: a readable column over the map for the public pages that are text rather
// than map (a Zukunftsort's story, the list of Zukunftsorte, the network, Über, Impressum,
// Datenschutz, the membership form). Closing it goes back to the map (router.js).

import { element } from './dom.js';
import { navigate, setTitle } from './router.js';

const view = () => document.getElementById('page');

/** Shows `content` (nodes) under the heading `title` and names the tab after it. */
export function showPage(title, ...content) {
  const page = view();
  const close = element('button', 'page-close', 'Zur Karte');
  close.type = 'button';
  close.addEventListener('click', () => navigate('/'));
  const heading = element('h1', 'page-title', title);
  page.replaceChildren(close, heading, ...content);
  page.hidden = false;
  setTitle(title);
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
  page.scrollTop = 0;
}

/** Hides the page view (the map's views call this). */
export function closePage() {
  const page = view();
  if (!page.hidden) {
    page.hidden = true;
    page.replaceChildren();
  }
}

/** Closes the page view with Escape. */
export function setUpPage() {
  view().addEventListener('keydown', (event) => {
    if (event.key === 'Escape') navigate('/');
  });
}
