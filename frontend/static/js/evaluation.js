// How a rule evaluation reads, shared by the learner's check and apply and the
// reviewer's queue: the verdict first, then what is
// missing, the outcomes used and every step of the decision.

import { h, tx, num, badge } from './dom.js';

// evaluationView renders {eligible, awardedCredits, usedCredits, used,
// trace, shortfall}. The trace messages are written by the server in
// Chinese; their codes are shown small so staff can refer to a step.
export function evaluationView(ev, { headingLevel = 'h3' } = {}) {
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
  if (ev && ev.shortfall && ev.shortfall.message) {
    box.append(h('div', { class: 'shortfall' },
      h('p', { class: 'shortfall-title', t: 'eval.shortfall' }),
      h('p', { class: 'shortfall-message', text: ev.shortfall.message })));
  }
  if (used.length) {
    box.append(h(headingLevel, { class: 'evaluation-sub', t: 'eval.used' }),
      h('ul', { class: 'used-list' }, used.map((u) => h('li', {},
        h('strong', { text: u.title }), ' ',
        h('span', { class: 'sub-inline' }, tx(`cat.${u.category}`), ' · ', num(u.credits), ' ', tx('unit.credits'))))));
  }
  if (trace.length) {
    box.append(h('details', { class: 'trace', open: !ok },
      h('summary', { t: 'eval.trace' }),
      h('ol', { class: 'trace-list' }, trace.map((s) => h('li', { class: traceClass(s.code) },
        h('span', { class: 'trace-message', text: s.message }), ' ',
        h('code', { class: 'trace-code', tattr: { title: 'eval.step' }, text: s.code }))))));
  }
  return box;
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
