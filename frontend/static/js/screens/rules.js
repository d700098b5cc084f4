// Conversion rules of the institution (staff with the manage permission at
// a converting institution) or of the whole district (admin), drafts
// included, each opening in the rule editor.

import { h, table, badge } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, loading } from '../ui.js';
import { institutions, byId } from '../lookups.js';

export const canManageRules = (me) => me?.role === 'admin'
  || (me?.role === 'staff' && (me.perms || []).includes('manage') && (me.capabilities || []).includes('convert'));

export function ruleStatusBadge(status) {
  const kind = { draft: 'pending', published: 'approved', retired: 'neutral' }[status] || 'neutral';
  return badge(`rule.status.${status}`, kind);
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
      { key: 'rule.status', cell: (r) => ruleStatusBadge(r.status) },
      { key: 'rule.purpose', cell: (r) => h('span', { t: `purpose.${r.purpose}` }) },
      { key: 'rule.approval', cell: (r) => h('span', { t: `approval.${r.approval}` }) },
      { key: 'common.actions', cell: (r) => h('a', { href: `#/rule?id=${encodeURIComponent(r.id)}`, class: 'btn btn-secondary btn-small', t: 'rules.open' }) },
    ];
    view.replaceChildren(
      pageHeader('rules.title', admin ? 'rules.introAdmin' : 'rules.intro'),
      h('p', {}, h('a', { href: '#/rule', class: 'btn btn-primary', id: 'rule-new', t: 'rules.new' })),
      h('div', { class: 'card', id: 'rules-list' },
        rules.length ? table(cols, ordered(rules), 'rules.title') : h('p', { class: 'empty', t: 'rules.none' })));
  },
};
