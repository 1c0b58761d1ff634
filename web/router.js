// The public pages' URLs (/kommunen/…, /zukunftsorte/…, /netzwerk, …) with the history API:
// the address follows what the visitor opens, a shared link opens the same view, and the
// browser's back and forward buttons walk the views. The server answers each of these paths
// with index.html (server/http/page_routes.cpp), so a reload lands on the same view.
//
// A module registers its views with route(); links inside the app (<a href="/…"> with
// data-route, or any same-origin link to a registered path) are followed without a reload.

const routes = [];
let fallback = () => {};

/**
 * Registers a view: `open(match)` is called with the RegExp match of the path whenever the
 * address becomes one `pattern` matches (first registered wins). It may return a promise.
 */
export function route(pattern, open) {
  routes.push({ pattern, open });
}

/** What is shown when no route matches (the map's home view). */
export function otherwise(open) {
  fallback = open;
}

function matching(path) {
  for (const { pattern, open } of routes) {
    const match = pattern.exec(path);
    if (match) return () => open(match);
  }
  return null;
}

/** Opens the view for the current address. */
function dispatch() {
  const open = matching(window.location.pathname);
  return Promise.resolve(open ? open() : fallback());
}

/** Goes to `path` (with its query), adding a history entry unless `replace`. */
export function navigate(path, { replace = false } = {}) {
  const current = window.location.pathname + window.location.search;
  if (path !== current) window.history[replace ? 'replaceState' : 'pushState']({}, '', path);
  return dispatch();
}

/** Sets the tab's title: the page's name, then the product's. */
export function setTitle(title) {
  document.title = title ? `${title} – Leerstandsatlas` : 'Leerstandsatlas';
}

function followLink(event) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest?.('a[href]');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  if (!link.hasAttribute('data-route') && !matching(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}

/** Starts following the address; call once every view is registered. */
export function startRouter() {
  window.addEventListener('popstate', () => dispatch());
  document.addEventListener('click', followLink);
  return dispatch();
}
