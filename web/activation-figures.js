// The figures of the activation loop (issue 23, part "figures"): offers, inquiries, needs,
// matches and the buildings activated through the atlas, of a Kommune (its profile) or of the
// network (/netzwerk), each with a small chart of the last 24 months. Counts are shown as the
// server gives them: a number, "<3" ("unter 3", as every other public figure) or null ("keine
// Angabe"). Everything goes into the page as text.

import { request } from './api.js';
import { definitionList, element, formatCount } from './dom.js';
import { trendChart } from './kommunen.js';

// The series of the trend entries, with the caption of their chart.
const SERIES = Object.freeze([
  ['offers', 'Angebote veröffentlicht'],
  ['inquiries', 'Anfragen'],
  ['needs', 'Gesuche bestätigt'],
  ['matches', 'Vermittlungen'],
  ['activations', 'Aktiviert über den Atlas'],
]);

function note(summary) {
  if (summary.exact) return 'Genaue Zahlen.';
  const day = typeof summary.as_of === 'string' ? summary.as_of.slice(0, 10).split('-').reverse().join('.') : null;
  return 'Angebote und Gesuche: alle, die jetzt öffentlich sind. Anfragen, Vermittlungen und '
    + `Aktivierungen${day ? ` mit Stand ${day}` : ''}: 1 oder 2 stehen als „unter 3“, Zahlen, die `
    + 'Rückschlüsse erlaubten, als „keine Angabe“.';
}

/** The activation figures of a summary: headline counts, a small chart per series, and what
 *  kind of figures they are, under a `heading` of that level; nothing when the summary has
 *  none. */
export function activationNodes(summary, { heading = 'h3' } = {}) {
  const counts = summary?.activation;
  if (!counts) return [];
  const nodes = [element(heading, null, 'Vom Leerstand zum Zukunftsort')];
  nodes.push(definitionList([
    ['Angebote', formatCount(counts.offers_open)],
    ['Angebote insgesamt', formatCount(counts.offers_published)],
    ['Anfragen', formatCount(counts.inquiries)],
    ['Gesuche', formatCount(counts.needs_open)],
    ['Vermittlungen', formatCount(counts.matches)],
    ['Aktiviert über den Atlas', formatCount(counts.activations)],
  ], 'profile-facts activation-facts'));
  const trend = Array.isArray(summary.trend) ? summary.trend : [];
  if (trend.length > 0 && SERIES.some(([key]) => key in trend[0])) {
    const charts = element('div', 'activation-charts');
    for (const [key, caption] of SERIES) {
      const figure = element('figure', 'activation-series');
      figure.dataset.series = key;
      figure.append(element('figcaption', null, `${caption} je Monat`), trendChart(trend, {
        key, title: `${caption} je Monat`, height: 28, chartClass: 'activation-chart', barClass: 'activation-bar',
        baseline: true,
      }));
      charts.append(figure);
    }
    nodes.push(charts);
  }
  nodes.push(element('p', 'profile-note', note(summary)));
  return nodes;
}

/** A section with the activation figures of the whole network, filled when they arrive. */
export function networkActivationSection() {
  const section = element('section', 'network-figures');
  section.setAttribute('aria-busy', 'true');
  request('/api/summary')
    .then((summary) => section.append(...activationNodes(summary, { heading: 'h2' })))
    .catch((error) => section.append(element('p', 'form-error', `Zahlen nicht abrufbar: ${error.message}`)))
    .finally(() => section.removeAttribute('aria-busy'));
  return section;
}
