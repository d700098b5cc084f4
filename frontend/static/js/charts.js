// A horizontal bar chart drawn with plain elements: readable by screen
// readers as a list of label/value pairs, and needing no canvas or library.

import { h, num } from './dom.js';

// bars renders [{labelKey|label, value}] scaled to the largest value.
export function bars(rows, captionKey) {
  const max = Math.max(0, ...rows.map((r) => r.value));
  if (!rows.length) return h('p', { class: 'empty', t: 'chart.empty' });
  return h('figure', { class: 'chart' },
    h('figcaption', { class: 'sr-only', t: captionKey }),
    h('ul', { class: 'bars' }, rows.map((r) => {
      const fill = h('span', { class: 'bar-fill' });
      // Widths are set through the CSSOM, which the CSP allows, rather than
      // a style attribute, which it forbids.
      fill.style.setProperty('--pct', `${max > 0 ? (r.value / max) * 100 : 0}%`);
      return h('li', { class: 'bar-row' },
        h('span', { class: 'bar-label', t: r.labelKey, text: r.label }),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' }, fill),
        h('span', { class: 'bar-value' }, num(r.value)));
    })));
}
