// Outcomes this institution issued, newest first, each naming its learner
// (name and masked ID), searchable by learner, course code, completion dates
// and status, with revocation of one issued by mistake (the reason is
// recorded and shown to the learner).

import { h, num, date, table, field } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, button, loading, onSubmit, formAlert, onLoadMore } from '../ui.js';
import { resultCell, statusCell } from '../outcomes.js';
import { canIssue } from './issue.js';

// PAGE rows a page: a day's registrations at a large centre fit on one.
const PAGE = 50;

// revokeDialog asks for the reason in a modal dialog: it traps focus and
// closes on Escape, so it works from the keyboard alone.
function revokeDialog(outcome, onRevoked) {
  const reason = h('textarea', { rows: '3', maxlength: '500' });
  const titleId = `revoke-title-${outcome.id}`;
  const form = h('form', { class: 'form', id: 'revoke-form' },
    h('h2', { id: titleId, t: 'revoke.title' }),
    h('p', { id: 'revoke-what', t: 'revoke.confirmLearner', targs: {
      title: outcome.title, learner: outcome.learnerName || '', maskedId: outcome.learnerIdMasked || '',
      completedOn: outcome.completedOn || '' } }),
    formAlert(),
    field({ name: 'reason', label: 'revoke.reason', control: reason, required: true }),
    h('div', { class: 'actions' },
      button('revoke.submit', { type: 'submit', kind: 'danger' }),
      button('common.cancel', { kind: 'ghost', on: { click: () => dlg.close() } })));
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId }, form);
  dlg.addEventListener('close', () => dlg.remove());
  onSubmit(form, async (data) => {
    const o = await api.post(`/api/v1/outcomes/${encodeURIComponent(outcome.id)}/revoke`, { reason: String(data.get('reason')).trim() });
    dlg.close();
    onRevoked(o);
  });
  document.body.append(dlg);
  dlg.showModal();
  reason.focus();
}

function rowsTable(items, onRevoke) {
  return table([
    { key: 'issued.learner', cell: (o) => h('span', { class: 'learner' }, h('strong', { text: o.learnerName || '' }),
      o.learnerIdMasked ? h('span', { class: 'sub', text: o.learnerIdMasked }) : null) },
    { key: 'outcome.title', cell: (o) => h('span', {}, h('strong', { text: o.title }),
      o.courseCode ? h('span', { class: 'sub', text: o.courseCode }) : null) },
    { key: 'outcome.category', cell: (o) => h('span', { t: `cat.${o.category}` }) },
    { key: 'outcome.hours', class: 'n', cell: (o) => num(o.hours) },
    { key: 'outcome.credits', class: 'n', cell: (o) => h('span', { class: 'credits' }, num(o.credits)) },
    { key: 'outcome.result', cell: resultCell },
    { key: 'outcome.completedOn', cell: (o) => date(o.completedOn) },
    { key: 'outcome.issuedAt', cell: (o) => date(o.issuedAt, true) },
    { key: 'outcome.status', cell: statusCell },
    { key: 'common.actions', cell: (o) => o.status === 'active'
      ? button('revoke.action', { kind: 'danger-ghost', on: { click: () => onRevoke(o) } })
      : '' },
  ], items, 'issued.title');
}

export default {
  path: 'issued',
  nav: 'nav.issued',
  allowed: canIssue,
  async render(view) {
    view.append(loading());
    const items = [];
    let cursor = '';
    const listSlot = h('div', { id: 'issued-list' });
    const moreSlot = h('div', { class: 'actions' });
    const errSlot = h('div', {});

    let filter = '';
    const draw = () => {
      listSlot.replaceChildren(items.length
        ? rowsTable(items, (o) => revokeDialog(o, (revoked) => {
          const i = items.findIndex((x) => x.id === revoked.id);
          if (i >= 0) items[i] = { ...items[i], ...revoked };
          draw();
        }))
        : h('p', { class: 'empty', t: filter ? 'issued.noMatch' : 'issued.none' }));
      moreSlot.replaceChildren();
      if (cursor) moreSlot.append(more);
    };
    const load = async (reset) => {
      if (reset) {
        items.length = 0;
        cursor = '';
      }
      const q = `?limit=${PAGE}${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api.get(`/api/v1/institutions/me/outcomes${q}`);
      items.push(...(page.items || []));
      cursor = page.nextCursor || '';
      draw();
    };
    const more = button('common.more', { kind: 'secondary' });
    onLoadMore(more, () => load(false), errSlot);
    const status = h('select', { name: 'status' },
      h('option', { value: '', t: 'issued.statusAny' }),
      h('option', { value: 'active', t: 'status.active' }),
      h('option', { value: 'revoked', t: 'status.revoked' }));
    const search = h('form', { class: 'form filters', id: 'issued-search', role: 'search' },
      formAlert(),
      h('div', { class: 'grid-3' },
        field({ name: 'learner', label: 'issued.searchLearner', attrs: { maxlength: '50', autocomplete: 'off' } }),
        field({ name: 'courseCode', label: 'issued.searchCourse', attrs: { maxlength: '64', spellcheck: 'false', autocomplete: 'off' } }),
        field({ name: 'status', label: 'outcome.status', control: status }),
        field({ name: 'from', label: 'issued.completedFrom', type: 'date' }),
        field({ name: 'to', label: 'issued.completedTo', type: 'date' })),
      h('div', { class: 'actions' },
        button('issued.search', { type: 'submit' }),
        button('issued.clear', { type: 'reset', kind: 'ghost' })));
    onSubmit(search, async (data) => {
      const q = new URLSearchParams();
      for (const k of ['learner', 'courseCode', 'status', 'from', 'to']) {
        const v = String(data.get(k) || '').trim();
        if (v) q.set(k, v);
      }
      filter = q.toString() ? `&${q}` : '';
      await load(true);
    });
    search.addEventListener('reset', () => {
      filter = '';
      load(true).catch(() => {});
    });
    await load(true);
    view.replaceChildren(
      pageHeader('issued.title', 'issued.intro'),
      h('p', {}, h('a', { href: '#/issue', class: 'btn btn-primary', t: 'issued.new' })),
      h('div', { class: 'card' }, search),
      h('div', { class: 'card' }, listSlot, moreSlot, errSlot));
  },
};
