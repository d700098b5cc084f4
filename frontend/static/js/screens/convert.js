// Learner: the published conversion rules, with a check of eligibility that
// stores nothing and an application (免修 / 入学 / 学分认定).

import { h, tx, section } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, button, loading, alertFor } from '../ui.js';
import { institutions, byId } from '../lookups.js';
import { evaluationView, conversionBadge } from '../evaluation.js';

export function targetText(target) {
  const t = target || {};
  const parts = [];
  if (t.courseCode) parts.push(tx('target.course', { code: t.courseCode }));
  if (t.programCode) parts.push(tx('target.program', { code: t.programCode }));
  if (t.credits) parts.push(tx('target.credits', { credits: t.credits }));
  if (!parts.length) return '—';
  return h('span', {}, parts.flatMap((p, i) => (i ? [' · ', p] : [p])));
}

function applied(conv, recordLink) {
  const approved = conv.status === 'approved';
  return h('div', { class: `alert alert-${approved ? 'success' : 'warning'}`, role: 'status' },
    h('p', { class: 'alert-title' }, conversionBadge(conv.status), ' ',
      tx(approved ? 'convert.appliedApproved' : 'convert.appliedPending', { credits: conv.evaluation?.awardedCredits ?? 0 })),
    h('p', {}, h('a', { href: recordLink.href, t: recordLink.key })));
}

// ruleCard applies at base: the learner's own /conversions, or a helper's
// /learners/{id}/conversions for the learner they assist, whose record the
// result then links to.
export function ruleCard(rule, inst, base = '/api/v1/conversions', recordLink = { href: '#/record', key: 'convert.seeRecord' }) {
  const result = h('div', { class: 'rule-result', 'aria-live': 'polite' });
  const check = button('convert.check', { kind: 'secondary', attrs: { data: { action: 'check' } } });
  const apply = button('convert.apply', { attrs: { data: { action: 'apply' } } });
  const titleId = `rule-${rule.id}`;

  check.addEventListener('click', () => runIn(check, result, async () => {
    const ev = await api.post(`${base}/preview`, { ruleId: rule.id });
    result.append(evaluationView(ev));
  }));
  apply.addEventListener('click', () => runIn(apply, result, async () => {
    try {
      const conv = await api.post(base, { ruleId: rule.id });
      result.append(applied(conv, recordLink), evaluationView(conv.evaluation));
    } catch (err) {
      // A refusal for eligibility carries the evaluation: show it just like
      // the check does, so the learner sees what is missing.
      if (err.code === 'not_eligible' && err.details) {
        result.append(h('div', { class: 'alert alert-error', role: 'alert' }, h('p', { class: 'alert-title', t: 'convert.notEligible' })),
          evaluationView(err.details));
        return;
      }
      throw err;
    }
  }));

  return h('article', { class: 'card rule-card', 'aria-labelledby': titleId, data: { ruleCode: rule.code } },
    h('h2', { id: titleId, text: rule.name }),
    h('p', { class: 'tags' },
      h('span', { class: 'badge badge-neutral', t: `purpose.${rule.purpose}` }),
      h('span', { class: 'badge badge-neutral', t: `approval.${rule.approval}` })),
    rule.description ? h('p', { class: 'rule-description', text: rule.description }) : null,
    h('dl', { class: 'kv' },
      h('dt', { t: 'convert.institution' }), h('dd', { text: inst?.name || '—' }),
      h('dt', { t: 'convert.target' }), h('dd', {}, targetText(rule.target)),
      h('dt', { t: 'convert.code' }), h('dd', {}, h('code', { text: rule.code }), ' ',
        h('span', { class: 'sub-inline', t: 'conversion.versionValue', targs: { v: rule.version } }))),
    h('div', { class: 'actions' }, check, apply),
    result);
}

// runIn disables the button while the request runs and puts a failure in
// the card's result area, replacing whatever an earlier action showed.
async function runIn(btn, where, fn) {
  if (btn.disabled) return;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  where.replaceChildren();
  try {
    await fn();
  } catch (err) {
    where.append(alertFor(err, 'convert'));
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
  }
}

export default {
  path: 'convert',
  nav: 'nav.convert',
  allowed: (me) => me?.role === 'learner',
  async render(view) {
    view.append(loading());
    const [rules, insts] = await Promise.all([
      api.getAll('/api/v1/rules?status=published'),
      institutions().catch(() => []),
    ]);
    const names = byId(insts);
    view.replaceChildren(
      pageHeader('convert.title', 'convert.intro'),
      rules.length
        ? h('div', { id: 'rule-list' }, rules.map((r) => ruleCard(r, names.get(r.institutionId))))
        : section('convert.title', h('p', { class: 'empty', t: 'convert.none' })));
  },
};
