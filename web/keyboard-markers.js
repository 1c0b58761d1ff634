// Keyboard access to the markers: the vacancies (SVG circles, which Leaflet leaves out of the
// tab order) and the Zukunftsorte (Leaflet markers, which it puts in). Each marker in view is a
// tab stop with a German name; Enter or Space opens its popup and moves the focus into it (a
// non-modal dialog), Escape or the close button closes it and gives the focus back to the marker.
//
// Markers outside the view, or hidden by the filters, leave the tab order: focusing one would
// scroll Leaflet's container (overflow: hidden) away under the map, and thousands of stops one
// cannot see would make Tab useless.

const POPUP_CLOSE_LABEL = 'Schließen';

function onPopupKeydown(event) {
  if (event.key !== 'Escape') return;
  event.preventDefault();
  this.closePopup();
}

/** Makes `marker` a named tab stop whose popup opens and closes with the keyboard. */
export function focusableMarker(marker, name) {
  let byKeyboard = false;
  marker.on('add', () => {
    const target = marker.getElement();
    // Leaflet may keep a marker's element when the marker is added again: wire it once.
    if (!target || target.dataset.keyboard) return;
    target.dataset.keyboard = 'ja';
    target.setAttribute('tabindex', '0');
    target.setAttribute('role', 'button');
    target.setAttribute('aria-label', name);
    target.setAttribute('aria-haspopup', 'dialog');
    target.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      // Also keeps the keypress from happening, with which Leaflet would toggle the popup.
      event.preventDefault();
      byKeyboard = true;
      if (marker.isPopupOpen()) marker.getPopup().getElement()?.querySelector('.leaflet-popup-content')?.focus({ preventScroll: true });
      else marker.openPopup();
    });
  });
  marker.on('popupopen', ({ popup }) => {
    const container = popup.getElement();
    const close = container.querySelector('.leaflet-popup-close-button');
    // Leaflet names its close button in English.
    close?.setAttribute('aria-label', POPUP_CLOSE_LABEL);
    close?.setAttribute('title', POPUP_CLOSE_LABEL);
    const content = container.querySelector('.leaflet-popup-content');
    content.setAttribute('role', 'dialog');
    content.setAttribute('aria-label', content.querySelector('.popup-title')?.textContent || name);
    content.tabIndex = -1;
    L.DomEvent.on(container, 'keydown', onPopupKeydown, marker);
    if (byKeyboard) content.focus({ preventScroll: true });
  });
  marker.on('popupclose', ({ popup }) => {
    const container = popup.getElement();
    if (container) L.DomEvent.off(container, 'keydown', onPopupKeydown, marker);
    // Back to the marker when the focus was in the popup (Escape, the close button), or was
    // lost with it (a popup opened from the keyboard, removed at once without fading).
    const lost = byKeyboard && document.activeElement === document.body;
    if (lost || container?.contains(document.activeElement)) marker.getElement()?.focus({ preventScroll: true });
    byKeyboard = false;
  });
  return marker;
}

/**
 * Keeps only the markers in view (and not filtered out) in the tab order, now and after every
 * move; `markersOf()` lists them. Returns the update, for a change of the filters.
 */
export function tabStopsInView(map, markersOf) {
  const update = () => {
    const view = map.getBounds();
    for (const marker of markersOf()) {
      const target = marker.getElement();
      if (!target || !target.hasAttribute('tabindex')) continue;
      const tabindex = view.contains(marker.getLatLng()) && !target.classList.contains('filtered-out') ? '0' : '-1';
      // Only changes: thousands of markers, and every write is a DOM mutation after each pan.
      if (target.getAttribute('tabindex') !== tabindex) target.setAttribute('tabindex', tabindex);
    }
  };
  map.on('moveend', update);
  update();
  return update;
}
