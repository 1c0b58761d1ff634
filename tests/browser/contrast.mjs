// Text contrast of the page as a person sees it: every visible piece of text (elements with
// their own text, form controls with their value or placeholder, SVG text) with the colour the
// browser computed for it and the backgrounds under it, then the WCAG 2.x contrast ratio
// (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). Not a test file itself: map.test.mjs
// measures the map's states with it.
//
// The background is composed from the element's own background and its ancestors' until one
// is opaque. Where none is — a translucent panel or map control over the map, whose basemap
// can be any picture — the backdrop is unknown, and the ratio is the worst over every backdrop
// from black to white. Text on a background image or gradient is reported, not guessed.

/** [r, g, b, a] (0–255, alpha 0–1) of a computed CSS colour: rgb(), rgba() or color(srgb …). */
export function parseColor(text) {
  const rgb = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(text);
  if (rgb) {
    const alpha = rgb[4] === undefined ? 1 : rgb[4].endsWith('%') ? Number.parseFloat(rgb[4]) / 100 : Number(rgb[4]);
    return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), alpha];
  }
  const srgb = /^color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)(?:\s*\/\s*([\d.]+))?\)$/.exec(text);
  if (srgb) return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255, srgb[4] === undefined ? 1 : Number(srgb[4])];
  throw new Error(`unknown colour ${text}`);
}

/** WCAG relative luminance of an opaque [r, g, b] (0–255). */
export function relativeLuminance([r, g, b]) {
  const linear = (channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** Contrast ratio (1–21) of two luminances. */
export function luminanceRatio(a, b) {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** Contrast ratio of two opaque colours. */
export function contrastRatio(a, b) {
  return luminanceRatio(relativeLuminance(a), relativeLuminance(b));
}

/** `top` (with alpha) painted over the opaque `bottom`. */
function over(top, bottom) {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
}

/**
 * The contrast of text in `color` on the background `layers` (the element's own first, then
 * its ancestors'), over the opaque `backdrop`, or over any backdrop when it is null.
 */
export function textContrast(color, layers, backdrop) {
  const background = (base) => layers.reduceRight((under, layer) => over(layer, under), base);
  const ratioOn = (base) => {
    const bg = background(base);
    return contrastRatio(over(color, bg), bg);
  };
  if (backdrop) return ratioOn(backdrop);
  // The background's luminance grows with the backdrop's, so over black and over white it takes
  // its extremes. Text whose luminance lies between them matches some backdrop (ratio 1);
  // otherwise the worst backdrop is one of the two.
  const black = [0, 0, 0, 1];
  const white = [255, 255, 255, 1];
  const text = relativeLuminance(over(color, background(black)));
  if (text >= relativeLuminance(background(black)) && text <= relativeLuminance(background(white))) return 1;
  return Math.min(ratioOn(black), ratioOn(white));
}

/**
 * Runs in the page: every visible text under `rootSelector` with its computed colour and the
 * background colours under it. Self-contained (page.evaluate sends its source).
 */
function collectTexts(rootSelector) {
  const results = [];
  const visible = (element) => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    const style = getComputedStyle(element);
    return style.visibility === 'visible' && Number(style.opacity) > 0 && element.checkVisibility?.({ opacityProperty: true }) !== false;
  };
  const describe = (element) => {
    const id = element.id ? `#${element.id}` : '';
    const names = element.getAttribute('class')?.trim();  // SVG elements too
    const classes = names ? `.${names.split(/\s+/).join('.')}` : '';
    // Where it sits: the nearest section, popup, map control or element with an id around it.
    const holder = element.parentElement?.closest('[id], section, .leaflet-popup, .leaflet-control');
    const place = !holder ? '' : holder.id ? ` in #${holder.id}` : ` in .${holder.classList[0] ?? holder.tagName.toLowerCase()}`;
    return `${element.tagName.toLowerCase()}${id}${classes}${place}`;
  };
  // Backgrounds from `element` up, until an opaque one. The map's own background is painted
  // over by the basemap, and the panels float over the map: without an opaque layer the
  // backdrop is unknown (null).
  const layersUnder = (element) => {
    const layers = [];
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      if (node.classList.contains('leaflet-container')) break;
      const style = getComputedStyle(node);
      if (style.backgroundImage !== 'none') layers.push({ image: style.backgroundImage });
      const background = style.backgroundColor;
      // Chrome computes an opaque colour as rgb(…), a translucent one as rgba(…).
      if (background.startsWith('rgba(') && Number.parseFloat(background.split(',')[3]) === 0) continue;
      layers.push(background);
      if (background.startsWith('rgb(')) return { layers, opaque: true };
    }
    return { layers, opaque: false };
  };
  const disabled = (element) => element.closest(':disabled, [aria-disabled="true"], .leaflet-disabled') !== null;
  const record = (element, text, color, kind) => {
    const style = getComputedStyle(element);
    results.push({
      where: describe(element), kind, text: text.trim().slice(0, 60), color,
      fontSize: Number.parseFloat(style.fontSize), fontWeight: Number(style.fontWeight),
      ...layersUnder(element),
    });
  };
  const root = document.querySelector(rootSelector);
  if (!root) return results;
  for (const element of [root, ...root.querySelectorAll('*')]) {
    if (!visible(element) || disabled(element)) continue;
    const tag = element.tagName.toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select') {
      if (element.type === 'hidden' || element.type === 'checkbox' || element.type === 'radio' || element.type === 'file') continue;
      const value = tag === 'select' ? element.selectedOptions[0]?.textContent ?? '' : element.value;
      if (value.trim()) record(element, value, getComputedStyle(element).color, 'value');
      else if (element.placeholder) record(element, element.placeholder, getComputedStyle(element, '::placeholder').color, 'placeholder');
      continue;
    }
    if (tag === 'option' || tag === 'datalist' || tag === 'script' || tag === 'style') continue;
    const ownText = [...element.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('');
    if (!ownText.trim()) continue;
    const svgText = element instanceof SVGElement;
    record(element, ownText, svgText ? getComputedStyle(element).fill : getComputedStyle(element).color, svgText ? 'svg' : 'text');
  }
  return results;
}

/** The contrast of every visible text under `rootSelector` in the page: { where, text, ratio,
 *  required } (4.5:1 for normal text, 3:1 for large: 24 px, or 18.66 px bold). */
export async function measureTexts(page, rootSelector = 'body') {
  const texts = await page.evaluate(collectTexts, rootSelector);
  return texts.map((t) => {
    const large = t.fontSize >= 24 || (t.fontSize >= 18.66 && t.fontWeight >= 700);
    const required = large ? 3 : 4.5;
    if (t.layers.some((layer) => typeof layer !== 'string')) {
      // A gradient or image under text: not measurable this way, so it must not be there.
      return { ...t, ratio: 0, required, problem: 'text on a background image' };
    }
    // Over an opaque layer the backdrop no longer shows; any colour stands for it.
    const ratio = textContrast(parseColor(t.color), t.layers.map(parseColor), t.opaque ? [0, 0, 0, 1] : null);
    return { where: t.where, kind: t.kind, text: t.text, ratio, required };
  });
}
