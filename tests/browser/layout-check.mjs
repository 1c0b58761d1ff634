// "No control covers another": the layout check of the browser tests (issue 22). Not a test file
// itself: layout.test.mjs walks the app's states with it, and other tests may add theirs.
//
// A control is what a person clicks or types into: buttons, links, form fields, a <details>'
// summary, anything in the tab order, and Leaflet's map controls. Each one that is shown must be
// the top element at its centre (document.elementFromPoint gives it or something inside it; for
// a link that wraps, the centre of its largest line box) and lie inside the viewport. A control
// (partly) scrolled out of its own scrollable panel counts when that panel can scroll it into
// view: the check scrolls just far enough to show it whole, at the panel's edge, measures there,
// and scrolls back. While a modal dialog is open, only its controls count: the rest of the page
// is inert behind it. Markers, popups and labels on the map are the map's content (panning moves
// them), not controls, and are left out.

const CONTROLS = [
  'button', 'a[href]', 'input:not([type="hidden"])', 'select', 'textarea', 'summary',
  '[tabindex]:not([tabindex="-1"])', '.leaflet-control',
].join(', ');

/**
 * Every control of the page (or of `root`, a selector) that is shown but cannot be used as it
 * should: covered at its centre, outside the viewport, or out of reach of its panel's scrolling.
 * Resolves with one sentence per problem; an empty list means the layout holds.
 */
export function layoutProblems(page, { root = null } = {}) {
  return page.evaluate(({ selector, rootSelector }) => {
    const describe = (node) => {
      if (!node) return 'nothing';
      const id = node.id ? `#${node.id}` : '';
      const classes = typeof node.className === 'string' && node.className.trim()
        ? `.${node.className.trim().split(/\s+/).join('.')}` : '';
      const text = (node.getAttribute('aria-label') ?? node.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `<${node.tagName.toLowerCase()}${id}${classes}>${text ? ` „${text}“` : ''}`;
    };
    const scope = rootSelector ? document.querySelector(rootSelector)
      : document.querySelector('dialog:modal') ?? document;
    if (!scope) return [`${rootSelector} not found`];
    // Cut away by an ancestor that clips (overflow: hidden, clip-path), as the visually hidden
    // pattern does (shown only while focused). Scrolling panels are not meant here, nor the
    // map's container: a control it cuts off is a fault the check must find.
    const clippedAway = (node, box) => {
      for (let parent = node.parentElement; parent; parent = parent.parentElement) {
        if (parent.classList.contains('leaflet-container')) return false;
        const style = getComputedStyle(parent);
        const clips = style.clipPath !== 'none' || ['hidden', 'clip'].includes(style.overflowX)
          || ['hidden', 'clip'].includes(style.overflowY);
        if (!clips) continue;
        const outer = parent.getBoundingClientRect();
        const width = Math.min(box.right, outer.right) - Math.max(box.left, outer.left);
        const height = Math.min(box.bottom, outer.bottom) - Math.max(box.top, outer.top);
        if (width <= 1 || height <= 1) return true;
      }
      return false;
    };
    const shown = (node) => {
      const box = node.getBoundingClientRect();
      return box.width > 1 && box.height > 1 && !clippedAway(node, box)
        && node.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
    };
    // Scrollable ancestors, innermost first; the map's own container is not one (Leaflet's
    // overflow: hidden is not meant to be scrolled).
    const scrollers = (node) => {
      const found = [];
      for (let parent = node.parentElement; parent; parent = parent.parentElement) {
        if (parent.classList.contains('leaflet-container')) break;
        const { overflowY } = getComputedStyle(parent);
        if ((overflowY === 'auto' || overflowY === 'scroll') && parent.scrollHeight > parent.clientHeight) found.push(parent);
      }
      return found;
    };
    const problems = [];
    const candidates = [...scope.querySelectorAll(selector)]
      .filter((node) => !node.closest('.leaflet-pane') && shown(node));
    for (const control of candidates) {
      const panels = scrollers(control);
      const before = panels.map((panel) => panel.scrollTop);
      // Not wholly in view: scrolled just as far as it takes within each of its panels,
      // innermost first, as a person scrolls until it appears at the edge (not the window: it
      // never scrolls).
      for (const panel of panels) {
        const box = control.getBoundingClientRect();
        const view = panel.getBoundingClientRect();
        if (box.top < view.top) panel.scrollTop -= view.top - box.top;
        else if (box.bottom > view.bottom) panel.scrollTop += Math.min(box.bottom - view.bottom, box.top - view.top);
      }
      const box = control.getBoundingClientRect();
      const unreachable = panels.find((panel) => {
        const view = panel.getBoundingClientRect();
        return box.top < view.top - 0.5 || box.bottom > view.bottom + 0.5;
      });
      if (unreachable) {
        problems.push(`${describe(control)} cannot be scrolled into view in ${describe(unreachable)}`);
      } else if (box.left < -0.5 || box.top < -0.5 || box.right > innerWidth + 0.5 || box.bottom > innerHeight + 0.5) {
        problems.push(`${describe(control)} lies outside the viewport: ${JSON.stringify(box)}`);
      } else {
        // A link that wraps has a box per line: the centre of its largest one is on it.
        const part = [...control.getClientRects()].reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
        const top = document.elementFromPoint(part.left + part.width / 2, part.top + part.height / 2);
        if (!top || !(top === control || control.contains(top))) {
          problems.push(`${describe(control)} is covered by ${describe(top)}`);
        }
      }
      panels.forEach((panel, i) => { panel.scrollTop = before[i]; });
    }
    return problems;
  }, { selector: CONTROLS, rootSelector: root });
}

/** Asserts that layoutProblems finds nothing; `state` names the state in the message. */
export async function assertLayoutHolds(assert, page, state, options) {
  const problems = await layoutProblems(page, options);
  assert.deepEqual(problems, [], `layout at ${page.viewportSize()?.width}×${page.viewportSize()?.height}, ${state}`);
}
