// The operator's settings (`serve --site`, served as /api/site): the pages Über, Impressum and
// Datenschutz, the footer with the licence of the network's data, the map's attribution of
// every data source, and the operator's basemap (/api/config). Texts are the operator's: they
// go into the page as text nodes, never as HTML (a paragraph starting with "## " becomes a
// heading, web and e-mail addresses become links).

import { fetchPublicJson } from './api.js';
import { element, escapeHtml, webUrl } from './dom.js';
import { showPage } from './page.js';
import { route } from './router.js';

let site = null;

/** The settings, fetched once, without credentials: they are the same for everyone. */
export function loadSite() {
  site ??= fetchPublicJson('/api/site');
  return site;
}

const ADDRESS = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)/g;

/** `text` as nodes: text, with web and e-mail addresses as links. */
function linkedText(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(ADDRESS)) {
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    const address = match[0];
    const link = element('a', null, address);
    link.href = address.includes('@') && !address.startsWith('http') ? `mailto:${address}` : webUrl(address) ?? '#';
    nodes.push(link);
    last = match.index + address.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/** A paragraph of an operator's text: a heading ("## "), or lines with their breaks kept. */
function paragraph(text) {
  if (text.startsWith('## ')) return element('h2', 'page-heading', text.slice(3));
  const node = element('p', 'page-text');
  text.split('\n').forEach((line, i) => {
    if (i > 0) node.append(element('br'));
    node.append(...linkedText(line));
  });
  return node;
}

/** One licence: the source, its licence as a link, the credit line. */
function licenseItem(license) {
  const item = element('li');
  const link = element('a', null, license.title);
  link.href = webUrl(license.url) ?? '#';
  link.rel = 'license';
  item.append(`${license.source}: `, link, ` – „${license.attribution}“`);
  return item;
}

function aboutPage(settings) {
  const licenses = element('ul', 'page-licenses');
  licenses.append(...settings.licenses.map(licenseItem));
  return [
    ...settings.about.map(paragraph),
    element('h2', 'page-heading', 'Betreiber'),
    paragraph(`${settings.operator}\n${settings.contact}`),
    element('h2', 'page-heading', 'Daten und Lizenzen'),
    licenses,
  ];
}

/** A page of the operator's text; a short message when the settings cannot be fetched. */
async function openTextPage(title, content) {
  try {
    showPage(title, ...content(await loadSite()));
  } catch (error) {
    site = null;
    showPage(title, element('p', 'page-text error', `Der Text ist gerade nicht abrufbar: ${error.message}`));
  }
}

/** Registers the views of /ueber, /impressum and /datenschutz (before startRouter()). */
export function setUpSitePages() {
  route(/^\/ueber\/?$/, () => openTextPage('Über den Leerstandsatlas', aboutPage));
  route(/^\/impressum\/?$/, () => openTextPage('Impressum', (s) => s.imprint.map(paragraph)));
  route(/^\/datenschutz\/?$/, () => openTextPage('Datenschutz', (s) => s.privacy.map(paragraph)));
}

/** Fills the footer's link to the licence of the network's data. */
export async function fillFooter(footer) {
  const link = footer.querySelector('.data-license');
  try {
    const { data_license: license } = await loadSite();
    link.textContent = `Datenlizenz: ${license.title}`;
    link.href = webUrl(license.url) ?? '#';
    link.title = license.attribution;
    link.hidden = false;
  } catch {
    link.hidden = true;
  }
}

/** Credits every data source in the map's attribution control (which takes HTML: escaped):
 *  the credit line, linked to its licence, whose name is the link's title. Short, so that a
 *  phone's map keeps its room. */
export async function addDataAttribution(map) {
  try {
    const { licenses } = await loadSite();
    for (const license of licenses) {
      const url = webUrl(license.url);
      const text = escapeHtml(license.attribution);
      map.attributionControl.addAttribution(url
        ? `<a href="${escapeHtml(url)}" rel="license" title="${escapeHtml(license.title)}">${text}</a>`
        : text);
    }
  } catch {
    // The map stays usable; the pages Über and the exports still name the licences.
  }
}

/** The operator's basemap (`serve --basemap-url`); none configured or none reachable, the map
 *  still shows the Kommune outlines and every data layer. */
export async function addBasemap(map) {
  let config;
  try {
    config = await fetchPublicJson('/api/config');
  } catch {
    return;
  }
  const basemap = config?.basemap;
  if (!basemap || typeof basemap.url !== 'string') return;
  L.tileLayer(basemap.url, { maxZoom: 19, attribution: escapeHtml(basemap.attribution ?? '') }).addTo(map);
}
