// The page's regions (style.css, "Layout"): the map shares the screen with the sidebar, which is
// a bottom sheet on phones and grows or shrinks with what it shows; the legend folds away.

import { element } from './dom.js';

// Where style.css turns the sidebar into a bottom sheet.
const PHONE_QUERY = '(max-width: 640px)';
const LEGEND_STATE_KEY = 'leerstand.legend';

/** Tells Leaflet whenever its container changes size (the sheet below it grew, a record took
 *  the screen and left it again): otherwise tiles and clicks are placed for the old size. The
 *  centre stays where it was. */
export function keepMapSized(map) {
  const observer = new ResizeObserver(() => {
    const container = map.getContainer();
    const size = map.getSize();
    // Only on a real change: invalidateSize forgets the centre the map was set to.
    if (container.clientWidth !== size.x || container.clientHeight !== size.y) map.invalidateSize();
  });
  observer.observe(map.getContainer());
  return observer;
}

/** The legend's open or folded state of this session; on a phone the legend starts folded,
 *  so it does not hide the map it explains. */
function legendStartsOpen() {
  let stored = null;
  try {
    stored = sessionStorage.getItem(LEGEND_STATE_KEY);
  } catch {
    // Storage may be blocked: the default is used.
  }
  if (stored === 'open' || stored === 'closed') return stored === 'open';
  return !window.matchMedia(PHONE_QUERY).matches;
}

function rememberLegend(open) {
  try {
    sessionStorage.setItem(LEGEND_STATE_KEY, open ? 'open' : 'closed');
  } catch {
    // Not kept beyond this page then.
  }
}

/** Puts a "Legende" button at the top of the legend control `container` that folds its
 *  content away and shows it again (aria-expanded says which). */
export function foldableLegend(container) {
  const toggle = element('button', 'legend-toggle', 'Legende');
  toggle.type = 'button';
  container.id ||= 'map-legend';
  container.classList.add('foldable-legend');
  toggle.setAttribute('aria-controls', container.id);
  const show = (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    container.classList.toggle('legend-collapsed', !open);
  };
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    show(open);
    rememberLegend(open);
  });
  show(legendStartsOpen());
  container.prepend(toggle);
  return toggle;
}

// Room kept between an open popup and the map's controls, in pixels.
const POPUP_MARGIN = 10;

/** Pans the map when a popup opens under one of its controls (the legend, the zoom buttons):
 *  Leaflet only keeps popups inside the map, and the controls lie above the popups. The
 *  shortest move that clears the control and keeps the popup inside the map is taken; when
 *  the popup closes and the map has not been moved meanwhile, it goes back. */
export function keepPopupsClear(map) {
  let moved = null;  // { popup, by: [x, y], centre } of the last pan
  map.on('popupopen', ({ popup }) => {
    const element = popup.getElement();
    if (!element) return;
    const box = element.getBoundingClientRect();
    const view = map.getContainer().getBoundingClientRect();
    const hit = [...map.getContainer().querySelectorAll('.leaflet-control')]
      .map((control) => control.getBoundingClientRect())
      .find((c) => c.width > 0 && box.right > c.left && box.left < c.right && box.bottom > c.top && box.top < c.bottom);
    if (!hit) return;
    const moves = [
      [hit.left - box.right - POPUP_MARGIN, 0], [hit.right - box.left + POPUP_MARGIN, 0],
      [0, hit.top - box.bottom - POPUP_MARGIN], [0, hit.bottom - box.top + POPUP_MARGIN],
    ].filter(([dx, dy]) => box.left + dx >= view.left && box.right + dx <= view.right
      && box.top + dy >= view.top && box.bottom + dy <= view.bottom);
    if (moves.length === 0) return;
    const [dx, dy] = moves.reduce((a, b) => (Math.hypot(...b) < Math.hypot(...a) ? b : a));
    // panBy moves the view: the popup moves the other way.
    const by = [-Math.round(dx), -Math.round(dy)];
    map.panBy(by, { animate: false });
    moved = { popup, by, centre: map.getCenter() };
  });
  map.on('popupclose', ({ popup }) => {
    if (moved?.popup === popup && map.getCenter().equals(moved.centre)) {
      map.panBy([-moved.by[0], -moved.by[1]], { animate: false });
    }
    moved = null;
  });
}
