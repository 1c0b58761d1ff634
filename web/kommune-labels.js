// Names of the Kommunen on the choropleth: a tooltip with the name of the Gemeinde under the
// mouse, and permanent labels on the Gemeinden whose outline has room for their name at the
// current zoom (touch screens have no hover). Labels never overlap each other, and there are
// none at the overview of Germany, where thousands of tiny Gemeinden would bury the map.
//
// Names come from the tiles' features and are put into the page as text.

import { element } from './dom.js';
import { pointOnSurface } from './tile-layer.js';

// Below this zoom a Gemeinde is a few pixels wide: no labels.
const LABEL_MIN_ZOOM = 8;
// Room kept between two labels, in pixels.
const LABEL_MARGIN = 6;
const LABEL_HEIGHT = 18;
// As .kommune-label in style.css: for measuring a name before it is placed.
const LABEL_FONT = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const LABEL_PADDING = 8;
const LABEL_PANE = 'kommuneLabelPane';

/** The Gemeinde (8-digit AGS) among `features`, else the first Kommune with a name. */
function kommuneAmong(features) {
  const named = features.filter((feature) => typeof feature.properties?.name === 'string');
  return named.find((feature) => feature.properties.ags?.length === 8) ?? named[0] ?? null;
}

function hoverTooltip(map, layer) {
  const tooltip = L.tooltip({ direction: 'top', offset: [0, -10], className: 'kommune-tooltip', opacity: 1 });
  let shownAgs = null;
  layer.on('featurehover', ({ features, latlng }) => {
    const kommune = latlng ? kommuneAmong(features) : null;
    if (!kommune) {
      if (shownAgs !== null) map.closeTooltip(tooltip);
      shownAgs = null;
      return;
    }
    if (kommune.properties.ags !== shownAgs) {
      tooltip.setContent(element('span', null, kommune.properties.name));
      shownAgs = kommune.properties.ags;
    }
    tooltip.setLatLng(latlng);
    if (!map.hasLayer(tooltip)) map.openTooltip(tooltip);
  });
}

/** Text width in pixels of `name` in the label font. */
function measurer() {
  const context = document.createElement('canvas').getContext('2d');
  context.font = LABEL_FONT;
  return (name) => Math.ceil(context.measureText(name).width) + LABEL_PADDING;
}

const overlap = (a, b) => a.left < b.right + LABEL_MARGIN && b.left < a.right + LABEL_MARGIN
  && a.top < b.bottom + LABEL_MARGIN && b.top < a.bottom + LABEL_MARGIN;

/** Labels, largest outline first, where the name fits into the outline's box on screen and
 *  clear of other labels and of the map's controls. */
function placeLabels(map, layer, pane, widthOf) {
  pane.replaceChildren();
  if (map.getZoom() < LABEL_MIN_ZOOM) return;
  const size = map.getSize();
  const candidates = [];
  for (const feature of layer.visibleFeatures()) {
    const { ags, name } = feature.properties ?? {};
    if (ags?.length !== 8 || typeof name !== 'string' || name === '') continue;
    const bounds = L.geoJSON(feature.geometry).getBounds();
    const northWest = map.latLngToContainerPoint(bounds.getNorthWest());
    const southEast = map.latLngToContainerPoint(bounds.getSouthEast());
    const boxWidth = southEast.x - northWest.x;
    const boxHeight = southEast.y - northWest.y;
    const width = widthOf(name);
    // The box is that of the largest tile's piece of the outline: a little smaller than the whole.
    if (boxWidth < width || boxHeight < LABEL_HEIGHT) continue;
    candidates.push({ feature, name, width, area: boxWidth * boxHeight });
  }
  candidates.sort((a, b) => b.area - a.area);
  // The map's controls count as placed: a label under the legend could not be read.
  const origin = map.getContainer().getBoundingClientRect();
  const placed = [...map.getContainer().querySelectorAll('.leaflet-control')].map((control) => {
    const box = control.getBoundingClientRect();
    return { left: box.left - origin.left, right: box.right - origin.left, top: box.top - origin.top, bottom: box.bottom - origin.top };
  });
  for (const { feature, name, width } of candidates) {
    const inside = pointOnSurface(feature.geometry);
    if (!inside) continue;
    const centre = map.latLngToContainerPoint([inside[1], inside[0]]);
    const box = {
      left: centre.x - width / 2, right: centre.x + width / 2,
      top: centre.y - LABEL_HEIGHT / 2, bottom: centre.y + LABEL_HEIGHT / 2,
    };
    if (box.left < 0 || box.top < 0 || box.right > size.x || box.bottom > size.y) continue;
    if (placed.some((other) => overlap(box, other))) continue;
    placed.push(box);
    const anchor = element('div', 'kommune-label-anchor');
    anchor.append(element('span', 'kommune-label', name));
    anchor.dataset.ags = feature.properties.ags;
    L.DomUtil.setPosition(anchor, map.containerPointToLayerPoint(centre));
    pane.append(anchor);
  }
}

/** The tooltip and the labels for the choropleth `layer` (a GeoJsonTileLayer of kommunen). */
export function showKommuneNames(map, layer) {
  hoverTooltip(map, layer);
  const pane = map.createPane(LABEL_PANE);
  pane.setAttribute('aria-hidden', 'true');  // the outlines' names are in the search's list
  const widthOf = measurer();
  const update = () => placeLabels(map, layer, pane, widthOf);
  // While Leaflet animates a zoom the labels would drift from their places: gone until it ends.
  map.on('zoomstart', () => pane.replaceChildren());
  map.on('moveend', update);
  layer.on('idle', update);
  return { update };
}
