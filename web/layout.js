// The page's regions (style.css, "Layout"): the map shares the screen with the sidebar, which is
// a bottom sheet on phones and grows or shrinks with what it shows.

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
