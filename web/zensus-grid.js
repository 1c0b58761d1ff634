// The optional overlay of the Zensus 2011 1 km grid: the share of vacant dwellings per cell
// from the zensus2011_grid tiles (an operator imports the grid; from zoom 8, where a cell is a
// few pixels), switched on with a checkbox above the map's legend that also holds its own
// legend and source.

import { element, formatRate } from './dom.js';
import { swatchList } from './kommunen.js';
import { GeoJsonTileLayer } from './tile-layer.js';

// Short: the box sits above the map's legend, under the status panel.
const ZENSUS_2011_SOURCE = 'Statistische Ämter des Bundes und der Länder, Zensus 2011 (Daten verändert), dl-de/by-2-0';
const LABEL = 'Leerstandsquote Zensus 2011 (1-km-Gitter)';
// Half the cells have no vacant dwelling at all; the others spread up to 10 % and beyond.
const BREAKS = [0, 0.02, 0.05, 0.1];
// Purple, so the cells do not read as the Kommunen's classes (ColorBrewer BuPu).
const COLORS = ['#edf8fb', '#b3cde3', '#8c96c6', '#8856a7', '#810f7c'];
export const GRID_MIN_ZOOM = 8;

/** The class (0–4) of a cell's share (a fraction), or null without one. */
export function gridClassOf(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const index = BREAKS.findIndex((limit) => value <= limit);
  return index === -1 ? COLORS.length - 1 : index;
}

function gridLegend() {
  const section = element('section', 'zensus-grid-legend');
  section.setAttribute('aria-label', `Legende ${LABEL}`);
  const list = swatchList(['kein Leerstand', `bis ${formatRate(BREAKS[1])}`,
    `${formatRate(BREAKS[1])} – ${formatRate(BREAKS[2])}`, `${formatRate(BREAKS[2])} – ${formatRate(BREAKS[3])}`,
    `über ${formatRate(BREAKS[3])}`], COLORS);
  section.append(list, element('p', 'legend-source', `Ab Zoomstufe ${GRID_MIN_ZOOM} · Quelle: ${ZENSUS_2011_SOURCE}`));
  return section;
}

/** The overlay's tile layer. */
export function zensusGridLayer() {
  return new GeoJsonTileLayer({
    layer: 'zensus2011_grid',
    className: 'zensus-grid-layer',
    minZoom: GRID_MIN_ZOOM,
    opacity: 0.8,
    attribution: ZENSUS_2011_SOURCE,
    style(feature) {
      const percent = feature.properties?.leerstandsquote;
      const index = gridClassOf(typeof percent === 'number' ? percent / 100 : null);
      return index === null ? null : { fill: COLORS[index], stroke: null, weight: 0 };
    },
  });
}

/** The control with the checkbox; the overlay is off until it is ticked. */
export function setUpZensusGrid(map) {
  const layer = zensusGridLayer();
  // Top left, where no other control is: the status panel holds the top right, and above the
  // tall legend in the bottom right the switch lay over the popups of the markers.
  const control = L.control({ position: 'topleft' });
  control.onAdd = () => {
    const container = element('div', 'leaflet-control legend-control zensus-grid-control');
    const label = element('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = 'zensus-grid';
    label.append(box, LABEL);
    const legend = gridLegend();
    legend.hidden = true;
    box.addEventListener('change', () => {
      legend.hidden = !box.checked;
      if (box.checked) layer.addTo(map);
      else layer.remove();
    });
    container.append(label, legend);
    L.DomEvent.disableClickPropagation(container);
    L.DomEvent.disableScrollPropagation(container);
    return container;
  };
  control.addTo(map);
  return { layer, control };
}
