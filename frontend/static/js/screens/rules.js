// Conversion rules of the institution (staff with the manage permission at
// a converting institution) or of the whole district (admin), drafts
// included, each opening in the rule editor.

import { h, table, badge, num, date, tx } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, loading, button, flash, alertFor } from '../ui.js';
import { institutions, byId } from '../lookups.js';
import { confirmPublish, confirmReturn } from '../ruledialogs.js';

export const canManageRules = (me) => me?.role === 'admin'
  || (me?.role === 'staff' && (me.perms || []).includes('manage') && (me.capabilities || []).includes('convert'));

export function ruleStatusBadge(status) {
  const kind = { draft: 'pending', published: 'approved', retired: 'neutral' }[status] || 'neutral';
  return badge(`rule.status.${status}`, kind);
}

// A suppressed figure (fewer learners than the server's minimum) is never
// shown as a number.
function simFigure(value, suppressed, min) {
  return suppressed ? tx('sim.suppressed', { n: min }) : num(value || 0);
}

// queueItem is one submitted draft in the admin's queue, with the
// district-wide simulation the decision rests on and the two ways out of
// the queue.
function queueItem(rule, instName, reload) {
  const sim = h('div', { class: 'queue-sim', 'aria-live': 'polite' }, h('p', { class: 'loading', t: 'busy.loading' }));
  api.post(`/api/v1/rules/${encodeURIComponent(rule.id)}/simulate`).then((s) => {
    sim.replaceChildren(h('dl', { class: 'figures' },
      [['evaluated', 'sim.evaluated', num(s.evaluated || 0)],
        ['eligible', 'sim.eligible', simFigure(s.eligible, s.suppressed, s.minCellSize)],
        ['credits', 'sim.credits', simFigure(s.credits, s.suppressed, s.minCellSize)]]
        .map(([k, label, v]) => h('div', { class: 'figure', data: { sim: k } }, h('dt', { t: label }), h('dd', {}, v)))));
  }).catch((err) => sim.replaceChildren(alertFor(err)));
  const publish = button('rule.publish', { attrs: { 'data-action': 'publish' } });
  publish.addEventListener('click', () => confirmPublish(rule, async () => {
    flash('rule.published');
    await reload();
  }));
  const back = button('rule.return', { kind: 'secondary', attrs: { 'data-action': 'return' } });
  back.addEventListener('click', () => confirmReturn(rule, async () => {
    flash('rule.returnedDone');
    await reload();
  }));
  return h('article', { class: 'card queue-item', data: { ruleCode: rule.code, ruleId: rule.id } },
    h('h3', {}, h('span', { text: rule.name, data: { ownWords: '' } }), ' ',
      h('span', { class: 'badge badge-neutral', t: 'conversion.versionValue', targs: { v: rule.version } })),
    h('p', { class: 'sub' }, h('span', { text: instName, data: { ownWords: '' } }), ' · ',
      h('span', { t: `purpose.${rule.purpose}` }), ' · ', tx('rules.submittedAt'), ' ', date(rule.submission?.at, true)),
    h('h4', { t: 'rules.queueSim' }),
    sim,
    h('div', { class: 'actions' }, publish, back,
      h('a', { href: `#/rule?id=${encodeURIComponent(rule.id)}`, class: 'btn btn-ghost', t: 'rules.open' })));
}

async function queueSection(names, reload) {
  const { items } = await api.get('/api/v1/rules/submitted');
  return h('section', { class: 'card', id: 'rule-queue', 'aria-labelledby': 'rule-queue-title' },
    h('h2', { id: 'rule-queue-title', t: 'rules.queueTitle' }),
    h('p', { class: 'hint', t: 'rules.queueIntro' }),
    items.length
      ? items.map((r) => queueItem(r, names.get(r.institutionId)?.name || '', reload))
      : h('p', { class: 'empty', t: 'rules.queueNone' }));
}

// Newest version first within a code, codes in order, so the versions of
// one rule sit together.
function ordered(rules) {
  return [...rules].sort((a, b) => a.code.localeCompare(b.code) || b.version - a.version);
}

export default {
  path: 'rules',
  nav: 'nav.rules',
  allowed: canManageRules,
  async render(view, ctx) {
    view.append(loading());
    const admin = ctx.me.role === 'admin';
    const path = admin ? '/api/v1/rules' : `/api/v1/rules?institutionId=${encodeURIComponent(ctx.me.institutionId)}`;
    const [rules, insts] = await Promise.all([api.getAll(path), institutions().catch(() => [])]);
    const names = byId(insts);
    const cols = [
      { key: 'convert.code', cell: (r) => h('code', { text: r.code }) },
      { key: 'rule.name', cell: (r) => h('span', {}, h('strong', { text: r.name, data: { ownWords: '' } }),
        admin ? h('span', { class: 'sub', text: names.get(r.institutionId)?.name || '' }) : null) },
      { key: 'conversion.version', class: 'n', cell: (r) => String(r.version) },
      { key: 'rule.status', cell: (r) => h('span', {}, ruleStatusBadge(r.status),
        r.status === 'draft' && r.submission ? [' ', badge(`rule.submission.${r.submission.state}`, r.submission.state === 'submitted' ? 'pending' : 'rejected')] : null) },
      { key: 'rule.purpose', cell: (r) => h('span', { t: `purpose.${r.purpose}` }) },
      { key: 'rule.approval', cell: (r) => h('span', { t: `approval.${r.approval}` }) },
      { key: 'common.actions', cell: (r) => h('a', { href: `#/rule?id=${encodeURIComponent(r.id)}`, class: 'btn btn-secondary btn-small', t: 'rules.open' }) },
    ];
    const queue = admin ? await queueSection(names, () => ctx.go('rules')) : null;
    view.replaceChildren(...[
      pageHeader('rules.title', admin ? 'rules.introAdmin' : 'rules.intro'),
      queue,
      h('p', {}, h('a', { href: '#/rule', class: 'btn btn-primary', id: 'rule-new', t: 'rules.new' })),
      h('div', { class: 'card', id: 'rules-list' },
        rules.length ? table(cols, ordered(rules), 'rules.title') : h('p', { class: 'empty', t: 'rules.none' }))].filter(Boolean));
  },
};
