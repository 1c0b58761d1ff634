// The Kommunen of the network: outlines from the kommunen tiles, filled as a choropleth of a
// chosen figure: by default the official Zensus 2022 share of vacant dwellings, which every
// Gemeinde's tile feature carries (so all of Germany can be coloured without a list of 11,000
// records), or the atlas' own vacancy rate or reactivated buildings from the kommunen
// collection; a search box; the figures of a Kommune with a trend chart of the last 24 months
// (its profile: profile.js).
// The public gets small counts suppressed by the server ("<3"); such Kommunen are drawn hatched
// grey ("unter 3") and never coloured as if the count were known.

import { fetchJson } from './api.js';
import { definitionList, element, formatCount, formatRate, svgElement } from './dom.js';
import { GeoJsonTileLayer } from './tile-layer.js';

/** Source and licence of the official baseline, as its licence asks to name them. */
export const ZENSUS_2022_ATTRIBUTION = 'Statistische Ämter des Bundes und der Länder, Zensus 2022 '
  + '(Daten verändert), Datenlizenz Deutschland – Namensnennung – Version 2.0';

// The first figure is the map's default.
export const FIGURES = Object.freeze({
  zensus2022: {
    label: 'Wohnungsleerstand (Zensus 2022)',
    // Share of vacant dwellings; the Gemeinden lie mostly between 2 and 10 %, so the classes
    // split there (about a fifth of the Gemeinden each).
    breaks: [0.03, 0.045, 0.06, 0.08],
    format: formatRate,
    // From the tile (per cent, as the census gives it), not from the collection.
    tileValue: (feature) => {
      const percent = feature.properties?.zensus2022_leerstandsquote;
      return typeof percent === 'number' ? percent / 100 : null;
    },
    noValue: 'keine Angabe',
    source: ZENSUS_2022_ATTRIBUTION,
  },
  vacancy_rate: {
    label: 'Leerstandsquote',
    // Upper bounds of the classes (share of buildings with an open vacancy).
    breaks: [0.01, 0.03, 0.06, 0.1],
    format: formatRate,
  },
  reactivated: {
    label: 'Reaktivierte Gebäude',
    breaks: [2, 5, 10, 25],
    format: formatCount,
  },
});
// Light to dark; five classes, each readable against the next (ColorBrewer OrRd).
const CLASS_COLORS = ['#fef0d9', '#fdcc8a', '#fc8d59', '#e34a33', '#b30000'];
const NO_VALUE_COLOR = 'rgba(120, 130, 140, 0.35)';

const NO_VALUE_LABEL = 'unter 3 Meldungen oder keine Angabe';

/** The class (0–4) of a figure's value, or null for a suppressed or missing value. */
export function classOf(figure, value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const index = FIGURES[figure].breaks.findIndex((limit) => value <= limit);
  return index === -1 ? CLASS_COLORS.length - 1 : index;
}

function classLabels(figure) {
  const { breaks, format } = FIGURES[figure];
  const labels = [`bis ${format(breaks[0])}`];
  for (let i = 1; i < breaks.length; i++) labels.push(`${format(breaks[i - 1])} – ${format(breaks[i])}`);
  labels.push(`über ${format(breaks[breaks.length - 1])}`);
  return labels;
}

/** The Kommunen with their headline figures (properties of the collection's items, without
 *  their boundaries: with all German Gemeinden those are megabytes; the tiles draw them). */
export async function loadKommunen() {
  const collection = await fetchJson('/collections/kommunen/items?limit=10000&skipGeometry=true', 'application/geo+json');
  const byAgs = new Map();
  for (const feature of collection.features ?? []) {
    const properties = feature.properties ?? {};
    if (typeof properties.ags === 'string') byAgs.set(properties.ags, properties);
  }
  return byAgs;
}

/** The choropleth layer: Gemeinden filled by the figure, Kreise as outlines only. */
export function choroplethLayer(kommuneOf, figureOf) {
  return new GeoJsonTileLayer({
    layer: 'kommunen',
    className: 'kommunen-layer',
    // Leaflet's attribution control shows it (as HTML: the constant has no markup); short,
    // for phones: the legend names the licence in full.
    attribution: 'Zensus 2022: Statistische Ämter des Bundes und der Länder (Daten verändert), dl-de/by-2-0',
    style(feature) {
      const ags = feature.properties?.ags ?? '';
      if (ags.length !== 8) return { fill: null, stroke: '#3e4c59', weight: 1.5 };
      const figure = figureOf();
      const { tileValue } = FIGURES[figure];
      const record = tileValue ? null : kommuneOf(ags);
      const value = tileValue ? tileValue(feature) : record?.[figure];
      const index = classOf(figure, value);
      return {
        fill: index === null ? NO_VALUE_COLOR : CLASS_COLORS[index],
        stroke: '#52606d',
        weight: 0.8,
      };
    },
  });
}

/** A legend's list: one item per class, its colour's swatch before its label. */
export function swatchList(labels, colors) {
  const list = element('ul');
  labels.forEach((text, i) => {
    const item = element('li');
    const swatch = element('span', 'swatch');
    swatch.style.backgroundColor = colors[i];
    swatch.setAttribute('aria-hidden', 'true');
    item.append(swatch, text);
    list.append(item);
  });
  return list;
}

/** The legend section of the choropleth, for `figure`. */
export function choroplethLegend(figure) {
  const section = element('section', 'choropleth-legend');
  section.setAttribute('aria-label', `Legende ${FIGURES[figure].label}`);
  section.append(element('h2', null, FIGURES[figure].label));
  const list = swatchList(classLabels(figure), CLASS_COLORS);
  const none = element('li');
  const swatch = element('span', 'swatch swatch-none');
  swatch.setAttribute('aria-hidden', 'true');
  none.append(swatch, FIGURES[figure].noValue ?? NO_VALUE_LABEL);
  list.append(none);
  section.append(list);
  if (FIGURES[figure].source) section.append(element('p', 'legend-source', `Quelle: ${FIGURES[figure].source}`));
  return section;
}

// ---------------------------------------------------------------------------------------------
// Search

/** Fills the datalist with the Kommune names (Gemeinden first, then Kreise). */
export function fillSearch(datalist, kommunen) {
  const names = [...kommunen.values()]
    .sort((a, b) => (a.ags.length === b.ags.length ? a.name.localeCompare(b.name, 'de') : b.ags.length - a.ags.length));
  for (const kommune of names) {
    const option = element('option');
    option.value = kommune.name;
    datalist.append(option);
  }
}

/** The Kommune whose name matches `text` (exactly, else the first that starts with it). */
export function findKommune(kommunen, text) {
  const wanted = text.trim().toLocaleLowerCase('de');
  if (wanted === '') return null;
  const all = [...kommunen.values()];
  return all.find((k) => k.name.toLocaleLowerCase('de') === wanted)
    ?? all.find((k) => k.name.toLocaleLowerCase('de').startsWith(wanted))
    ?? all.find((k) => k.ags === wanted)
    ?? null;
}

/** Lon/lat bounds of a Kommune's boundary (fetched: the list has no geometry). */
export async function kommuneBounds(ags) {
  const feature = await fetchJson(`/collections/kommunen/items/${encodeURIComponent(ags)}`, 'application/geo+json');
  const bounds = L.latLngBounds([]);
  const visit = (c) => {
    if (typeof c[0] === 'number') bounds.extend([c[1], c[0]]);
    else c.forEach(visit);
  };
  if (feature?.geometry?.coordinates) visit(feature.geometry.coordinates);
  return bounds;
}

// ---------------------------------------------------------------------------------------------
// Profile panel

const MONTH_NAMES = ['Jan', 'Feb', 'Mär', 'Apr', 'Mai', 'Jun', 'Jul', 'Aug', 'Sep', 'Okt', 'Nov', 'Dez'];

function monthLabel(month) {
  const [year, number] = month.split('-');
  return `${MONTH_NAMES[Number(number) - 1]} ${year}`;
}

/** A bar chart of the open reports at the end of each month; suppressed months are grey.
 *  Another series of the trend entries (`key`, e.g. the activation loop's `inquiries`) draws
 *  the same way, with its `title`, `height` and class names (`chartClass`, `barClass`), and a
 *  `baseline` under the bars (for small charts of rare events, mostly empty without it). */
export function trendChart(trend, {
  key = 'open', title = 'Offene Leerstandsmeldungen je Monat', height = 96,
  chartClass = 'trend-chart', barClass = 'trend-bar', baseline = false,
} = {}) {
  const width = 288;
  const bar = width / Math.max(trend.length, 1);
  const known = trend.map((m) => (typeof m[key] === 'number' ? m[key] : 0));
  const top = Math.max(3, ...known);
  const chart = svgElement('svg', {
    class: chartClass, viewBox: `0 0 ${width} ${height + 14}`, role: 'img',
    'aria-label': `${title}, ${monthLabel(trend[0].month)} bis ${monthLabel(trend[trend.length - 1].month)}`,
  });
  trend.forEach((month, i) => {
    const suppressed = typeof month[key] !== 'number';
    // A suppressed month (1 or 2 reports) shows as a low grey bar, not as zero.
    const value = suppressed ? 2 : month[key];
    const h = Math.max((value / top) * height, value > 0 ? 2 : 0);
    const rect = svgElement('rect', {
      x: (i * bar + 1).toFixed(1), y: (height - h).toFixed(1), width: (bar - 2).toFixed(1), height: h.toFixed(1),
      class: suppressed ? `${barClass} ${barClass}-suppressed` : barClass,
      'data-month': month.month, [`data-${key}`]: String(month[key]),
    });
    const tip = svgElement('title');
    tip.textContent = `${monthLabel(month.month)}: ${formatCount(month[key])}`;
    rect.append(tip);
    chart.append(rect);
  });
  if (baseline) chart.append(svgElement('line', { x1: 0, y1: height, x2: width, y2: height, class: 'trend-baseline' }));
  for (const [i, anchor] of [[0, 'start'], [trend.length - 1, 'end']]) {
    const text = svgElement('text', { x: anchor === 'start' ? 0 : width, y: height + 12, 'text-anchor': anchor, class: 'trend-axis' });
    text.textContent = monthLabel(trend[i].month);
    chart.append(text);
  }
  return chart;
}

/** What the public figures are: the state at the start of the month, small counts hidden. */
function publicNote(summary) {
  const day = typeof summary.as_of === 'string' ? summary.as_of.slice(0, 10).split('-').reverse().join('.') : null;
  return `Öffentliche Zahlen${day ? `, Stand ${day}` : ''}. Zum Schutz der Eigentümer stehen 1 oder 2 `
    + 'Meldungen als „unter 3“, Zahlen, die Rückschlüsse erlaubten, als „keine Angabe“.';
}

/** The figures of a Kommune's summary for its profile: headline facts, the trend chart of
 *  the last 24 months and what kind of figures they are. */
export function summaryNodes(summary) {
  const nodes = [definitionList([
    ['Gebäude', formatCount(summary.buildings)],
    ['Offene Leerstände', formatCount(summary.open_vacancies)],
    ['Leerstehende Gebäude', formatCount(summary.vacant_buildings)],
    ['Leerstandsquote', formatRate(summary.vacancy_rate)],
    ['Reaktiviert', formatCount(summary.reactivated)],
    ['Zukunftsorte', formatCount(summary.zukunftsorte)],
  ], 'profile-facts')];
  nodes.push(element('h3', null, 'Offene Meldungen, letzte 24 Monate'));
  if (Array.isArray(summary.trend) && summary.trend.length > 0) nodes.push(trendChart(summary.trend));
  nodes.push(element('p', 'profile-note', summary.exact ? 'Genaue Zahlen.' : publicNote(summary)));
  return nodes;
}
