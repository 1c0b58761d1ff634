// Small DOM and formatting helpers shared by the modules of the web app. Everything that comes
// from the API goes into the page as text (textContent, DOM properties), never as HTML:
// descriptions and names are typed by Kommune staff and owners.

export const numberFormat = new Intl.NumberFormat('de-DE');
const areaFormat = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 1 });
const percentFormat = new Intl.NumberFormat('de-DE', { style: 'percent', maximumFractionDigits: 1 });

/** A new element with optional class and text (as text, never parsed as HTML). */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** `text` with &, <, >, " and ' as character references: for the few Leaflet options that
 *  take HTML (the attribution control). */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A new SVG element with attributes. */
export function svgElement(tag, attributes = {}) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** A <dl> of [term, value] rows; rows whose value is empty are left out. */
export function definitionList(rows, className = 'popup-facts') {
  const list = element('dl', className);
  for (const [term, value] of rows) {
    if (value === null || value === undefined || value === '') continue;
    list.append(element('dt', null, term));
    const description = element('dd');
    description.append(value);  // a string becomes a text node; a node is inserted as it is
    list.append(description);
  }
  return list;
}

/** '2021-03-01' → '01.03.2021'; anything else is shown as it came. */
export function formatDate(iso) {
  if (typeof iso !== 'string' || iso === '') return '';
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return match ? `${match[3]}.${match[2]}.${match[1]}` : iso;
}

const dateTimeFormat = new Intl.DateTimeFormat('de-DE', {
  day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin',
});

/** '2026-12-07T15:04:00Z' → '07.12.2026, 16:04' (German time, where the Kommunen are);
 *  anything that is no instant is shown as it came. */
export function formatDateTime(iso) {
  if (typeof iso !== 'string' || iso === '') return '';
  const instant = new Date(iso);
  return Number.isNaN(instant.getTime()) ? iso : dateTimeFormat.format(instant);
}

/** 1234.5 → '1.234,5 m²' (no-break space, so the unit never wraps alone). */
export function formatArea(squareMetres) {
  if (typeof squareMetres !== 'number' || !Number.isFinite(squareMetres)) return '';
  return `${areaFormat.format(squareMetres)}\u00a0m²`;
}

/** A count, or what the server sent instead ('<3' for a suppressed small count). */
export function formatCount(value) {
  if (typeof value === 'number') return numberFormat.format(value);
  if (typeof value === 'string') return value.replace('<', 'unter ');
  return 'keine Angabe';
}

/** 0.0123 → '1,2 %'; null (suppressed) → 'keine Angabe'. */
export function formatRate(value) {
  return typeof value === 'number' && Number.isFinite(value) ? percentFormat.format(value) : 'keine Angabe';
}

/** '1 Leerstand' / '2 Leerstände'. */
export function countOf(count, singular, plural) {
  return `${numberFormat.format(count)} ${count === 1 ? singular : plural}`;
}

/** A link to another site, opened in a new tab that gets no handle on this page. */
export function externalLink(url, text = url, className = null) {
  const link = element('a', className, text);
  link.href = url;
  link.target = '_blank';
  link.rel = 'noopener';
  return link;
}

/** The URL when it is an absolute http(s) address, else null: no javascript:, data: etc. */
export function webUrl(text) {
  if (typeof text !== 'string' || !/^https?:\/\//i.test(text)) return null;
  try {
    return new URL(text).href;
  } catch {
    return null;
  }
}

const longDateFormat = new Intl.DateTimeFormat('de-DE', {
  day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
});

/** '2027-03-01' → '1. März 2027', as a sentence says it; anything else is shown as it came. */
export function formatLongDate(iso) {
  if (typeof iso !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return typeof iso === 'string' ? iso : '';
  const day = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(day.getTime()) ? iso : longDateFormat.format(day);
}
