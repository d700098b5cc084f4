// Learner: assisted access and the access log. A learner names a helper (a
// family member who is a registered learner) who may view the record and
// apply for conversions on their behalf for a number of days, withdraws
// the helper at any time, sees whom they help, and sees who other than
// themselves read their record.

import { h, tx, field, date, table, badge, section } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, loading, runAction, onLoadMore } from '../ui.js';
import { institutions, byId } from '../lookups.js';
import { renderRecord } from './record.js';
import { ruleCard } from './convert.js';

const PAGE = 20;

function helpersTable(items, reload) {
  if (!items.length) return h('p', { class: 'empty', t: 'helpers.none' });
  return table([
    { key: 'helpers.name', cell: (g) => h('strong', { text: g.helperName }) },
    { key: 'record.nationalId', cell: (g) => h('span', { class: 'masked', text: g.nationalId }) },
    { key: 'sharing.created', cell: (g) => date(g.createdAt, true) },
    { key: 'sharing.expires', cell: (g) => date(g.expiresAt, true) },
    { key: 'sharing.state', cell: (g) => g.live ? badge('sharing.live', 'active')
      : badge(g.withdrawnAt ? 'sharing.withdrawn' : 'sharing.ended', 'revoked') },
    { key: 'sharing.action', cell: (g) => {
      if (!g.live) return '';
      const where = h('div', { class: 'inline-alert' });
      const btn = button('helpers.withdraw', { kind: 'danger', attrs: { data: { helperGrant: g.id } } });
      btn.addEventListener('click', () => runAction(btn, where, async () => {
        await api.del(`/api/v1/learners/me/helpers/${encodeURIComponent(g.id)}`);
        await reload();
      }));
      return h('span', {}, btn, where);
    } },
  ], items, 'helpers.listTitle');
}

function assistingTable(items) {
  if (!items.length) return h('p', { class: 'empty', t: 'helpers.assistingNone' });
  return table([
    { key: 'helpers.person', cell: (a) => h('a', { href: `#/assist?id=${encodeURIComponent(a.accountId)}`, class: 'row-link', text: a.name }) },
    { key: 'record.nationalId', cell: (a) => h('span', { class: 'masked', text: a.nationalId }) },
    { key: 'sharing.expires', cell: (a) => date(a.expiresAt, true) },
  ], items, 'helpers.assistingTitle');
}

function whoCell(e) {
  return h('span', {}, h('span', { class: 'badge badge-neutral', t: `access.kind.${e.kind}` }), ' ', h('strong', { text: e.name || '—' }));
}

function whatCell(e) {
  return h('span', {}, tx(`access.action.${e.action}`), e.detail ? h('span', { class: 'sub-inline', text: ` ${e.detail}` }) : null);
}

// accessLogPart pages the access log, newest first.
function accessLogPart() {
  const items = [];
  let cursor = '';
  const listSlot = h('div', { id: 'access-log' });
  const moreSlot = h('div', { class: 'actions' });
  const errSlot = h('div', {});
  const more = button('common.more', { kind: 'secondary', attrs: { id: 'access-log-more' } });
  const draw = () => {
    listSlot.replaceChildren(items.length ? table([
      { key: 'access.at', cell: (e) => date(e.at, true) },
      { key: 'access.who', cell: whoCell },
      { key: 'access.what', cell: whatCell },
    ], items, 'access.title') : h('p', { class: 'empty', t: 'access.none' }));
    moreSlot.replaceChildren();
    if (cursor) moreSlot.append(more);
  };
  const load = async () => {
    const q = `?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await api.get(`/api/v1/learners/me/access-log${q}`);
    items.push(...(page.items || []));
    cursor = page.nextCursor || '';
    draw();
  };
  onLoadMore(more, load, errSlot);
  return { load, node: h('div', {}, listSlot, moreSlot, errSlot) };
}

export default {
  path: 'helpers',
  nav: 'nav.helpers',
  allowed: (me) => me?.role === 'learner',
  async render(view) {
    view.append(loading());
    const helpersSlot = h('div', { id: 'helpers-list' });
    const assistingSlot = h('div', { id: 'assisting-list' });
    const reload = async () => {
      const [mine, helping] = await Promise.all([
        api.getAll('/api/v1/learners/me/helpers'),
        api.getAll('/api/v1/learners/me/assisting'),
      ]);
      helpersSlot.replaceChildren(helpersTable(mine, reload));
      assistingSlot.replaceChildren(assistingTable(helping));
    };
    const log = accessLogPart();
    await Promise.all([reload(), log.load()]);

    const days = h('input', { type: 'number', min: '1', max: '90', step: '1', value: '30', inputmode: 'numeric' });
    const form = h('form', { class: 'form', id: 'helper-form' },
      formAlert(),
      field({ name: 'nationalId', label: 'helpers.nationalId', hint: 'helpers.nationalIdHint', required: true,
        attrs: { autocomplete: 'off', maxlength: '18', inputmode: 'text' } }),
      field({ name: 'name', label: 'helpers.name', required: true, attrs: { autocomplete: 'off' } }),
      field({ name: 'days', label: 'sharing.days', hint: 'helpers.daysHint', control: days, required: true }),
      h('div', { class: 'actions' }, button('helpers.add', { type: 'submit' })));
    const done = h('div', { role: 'status' });
    onSubmit(form, async (data) => {
      done.replaceChildren();
      await api.post('/api/v1/learners/me/helpers', {
        nationalId: String(data.get('nationalId')).trim().toUpperCase(),
        name: String(data.get('name')).trim(),
        days: Number(data.get('days')),
      });
      form.reset();
      done.append(h('p', { class: 'alert alert-success', t: 'helpers.added' }));
      await reload();
    }, 'helpers');

    view.replaceChildren(
      pageHeader('helpers.title', 'helpers.intro'),
      section('helpers.listTitle', helpersSlot),
      section('helpers.newTitle', h('p', { class: 'hint', t: 'helpers.newHint' }), form, done),
      section('helpers.assistingTitle', assistingSlot),
      section('access.title', h('p', { class: 'hint', t: 'access.intro' }), log.node));
  },
};

function accountIdFromHash() {
  return new URLSearchParams(location.hash.split('?')[1] || '').get('id') || '';
}

// assist is a helper's view of the record they assist: read only, with the
// published rules to apply under on the learner's behalf. The national ID
// is masked like everywhere outside the learner's own data export.
export const assist = {
  path: 'assist',
  allowed: (me) => me?.role === 'learner',
  async render(view) {
    view.append(loading());
    const id = accountIdFromHash();
    const [rec, insts, rules] = await Promise.all([
      api.get(`/api/v1/learners/${encodeURIComponent(id)}/record`),
      institutions().catch(() => []),
      api.getAll('/api/v1/rules?status=published'),
    ]);
    const names = byId(insts);
    view.replaceChildren(
      h('p', { class: 'no-print' }, h('a', { href: '#/helpers', id: 'assist-back', t: 'assist.back' })),
      h('p', { class: 'alert alert-warning', role: 'note', id: 'assist-banner', t: 'assist.banner', targs: { name: rec.account.name } }));
    renderRecord(view, rec, names, { shared: true });
    const base = `/api/v1/learners/${encodeURIComponent(id)}/conversions`;
    view.append(section('assist.applyTitle', h('p', { class: 'hint', t: 'assist.applyHint' }),
      rules.length ? h('div', { id: 'assist-rules' }, rules.map((r) => ruleCard(r, names.get(r.institutionId), base, { href: `#/assist?id=${encodeURIComponent(id)}`, key: 'assist.seeRecord' })))
        : h('p', { class: 'empty', t: 'convert.none' })));
  },
};
