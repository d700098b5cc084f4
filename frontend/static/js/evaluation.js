// How a rule evaluation reads, shared by the learner's check and apply and the
// reviewer's queue: the verdict first, then what is
// missing, the outcomes used and every step of the decision.

import { h, tx, num, badge } from './dom.js';
import { stepText, shortfallText } from './explain.js';

// evaluationView renders {eligible, awardedCredits, usedCredits, used,
// trace, shortfall}. Steps and the shortfall are worded from their data in
// the reader's language (explain.js); with technical, a reviewer may open
// the steps' codes and condition paths, which a learner never sees.
export function evaluationView(ev, { headingLevel = 'h3', technical = false } = {}) {
  const ok = Boolean(ev && ev.eligible);
  const used = (ev && ev.used) || [];
  const trace = (ev && ev.trace) || [];
  const box = h('div', { class: ['evaluation', ok ? 'evaluation-ok' : 'evaluation-no'], data: { eligible: String(ok) } });
  box.append(h('p', { class: 'evaluation-verdict' },
    h('span', { class: 'verdict-icon', 'aria-hidden': 'true', text: ok ? '✓' : '✗' }), ' ',
    tx(ok ? 'eval.eligible' : 'eval.notEligible')));
  if (ok) {
    box.append(h('dl', { class: 'kv evaluation-figures' },
      h('dt', { t: 'eval.awarded' }), h('dd', { class: 'awarded' }, h('strong', {}, num(ev.awardedCredits || 0)), ' ', tx('unit.credits')),
      h('dt', { t: 'eval.usedCredits' }), h('dd', {}, num(ev.usedCredits || 0), ' ', tx('unit.credits'))));
  }
  if (ev && ev.shortfall) box.append(shortfallView(ev.shortfall));
  if (used.length) {
    box.append(h(headingLevel, { class: 'evaluation-sub', t: 'eval.used' }),
      h('ul', { class: 'used-list' }, used.map((u) => h('li', {},
        h('strong', { text: u.title }), ' ',
        h('span', { class: 'sub-inline' }, tx(`cat.${u.category}`), ' · ', num(u.credits), ' ', tx('unit.credits'))))));
  }
  if (trace.length) {
    box.append(h('details', { class: 'trace', open: !ok },
      h('summary', { t: 'eval.trace' }),
      h('ol', { class: 'trace-list' }, trace.map((s) => h('li', { class: traceClass(s.code), data: { step: s.code } },
        stepText(s).map((p, i) => [i ? ' ' : null, h('span', { class: i ? 'trace-more' : 'trace-message', t: p.k, targs: p.a })]))))));
    if (technical) box.append(technicalView(trace));
  }
  return box;
}

// shortfallView says what is missing, worded from the shortfall's data.
export function shortfallView(sf) {
  const w = shortfallText(sf);
  return h('div', { class: 'shortfall' },
    h('p', { class: 'shortfall-title', t: 'eval.shortfall' }),
    h('p', { class: 'shortfall-message', t: w.k, targs: w.a }));
}

// technicalView lists each step's code, condition path and the wording
// the bank recorded (Chinese), for staff who need to refer to a step
// precisely; the steps of a conversion stored before conversions kept
// their data have only code and wording.
function technicalView(trace) {
  return h('details', { class: 'tech-details' },
    h('summary', { t: 'tech.details' }),
    h('table', { class: 'table tech-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', t: 'tech.stepCode' }), h('th', { scope: 'col', t: 'tech.path' }),
        h('th', { scope: 'col', t: 'tech.message' }))),
      h('tbody', {}, trace.map((s) => h('tr', {},
        h('td', {}, h('code', { text: s.code })),
        h('td', {}, s.facts && s.facts.item ? h('code', { text: s.facts.item.path }) : '—'),
        h('td', { lang: 'zh-CN', text: s.message || '' }))))));
}

// traceClass colours a step by how its code ends, so a reader can spot the
// failing one without reading every line.
function traceClass(code) {
  const c = String(code || '');
  if (/(^not_eligible$|\.fail$|\.short$|\.none$)/.test(c)) return 'trace-bad';
  if (/(^eligible$|\.ok$)/.test(c)) return 'trace-good';
  return null;
}

export function conversionBadge(status) {
  return badge(`conv.${status}`, status);
}
