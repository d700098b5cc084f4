// Admin: the audit log with filters, and a check of its hash chain.

import { h, field, num, date, table, section, tx } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, loading, runAction, alertFor } from '../ui.js';

const PAGE = 50;

// rfc3339 turns a datetime-local value (the user's local time) into the
// RFC 3339 instant the API expects.
function rfc3339(local) {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function entriesTable(items) {
  return table([
    { key: 'audit.seq', class: 'n', cell: (e) => String(e.seq) },
    { key: 'audit.at', cell: (e) => date(e.at, true) },
    { key: 'audit.action', cell: (e) => h('code', { text: e.action }) },
    { key: 'audit.actor', cell: (e) => h('span', {}, h('span', { t: `role.${e.role || 'system'}` }),
      e.actorId ? h('code', { class: 'sub hash', title: e.actorId, text: e.actorId.slice(0, 8) }) : null) },
    { key: 'audit.object', cell: (e) => h('span', {}, e.objectType || '',
      e.objectId ? h('code', { class: 'sub hash', title: e.objectId, text: e.objectId.slice(0, 8) }) : null) },
    { key: 'audit.ip', cell: (e) => e.clientIp || '—' },
    { key: 'audit.detail', cell: (e) => e.detail || '' },
  ], items, 'audit.title');
}

function verifyResult(r) {
  return h('div', { class: `alert ${r.valid ? 'alert-success' : 'alert-error'}`, role: 'status', id: 'audit-verify-result' },
    h('p', { class: 'alert-title', t: r.valid ? 'audit.chainOk' : 'audit.chainBad' }),
    h('p', {}, tx('audit.entriesChecked'), ' ', num(r.entries || 0)),
    r.problem ? h('p', { class: 'alert-detail', text: r.problem }) : null);
}

export default {
  path: 'audit',
  nav: 'nav.audit',
  allowed: (me) => me?.role === 'admin',
  async render(view) {
    view.append(loading());
    let filter = '';
    let cursor = '';
    const items = [];
    const listSlot = h('div', {});
    const moreSlot = h('div', { class: 'actions' });
    const moreErr = h('div', {});
    const more = button('common.more', { kind: 'secondary' });

    const draw = () => {
      listSlot.replaceChildren(items.length ? entriesTable(items) : h('p', { class: 'empty', t: 'audit.none' }));
      moreSlot.replaceChildren(...(cursor ? [more] : []));
    };
    const load = async (reset) => {
      if (reset) {
        items.length = 0;
        cursor = '';
      }
      const page = await api.get(`/api/v1/audit?limit=${PAGE}${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...(page.items || []));
      cursor = page.nextCursor || '';
      draw();
    };
    more.addEventListener('click', () => runAction(more, moreErr, () => load(false)));

    const form = h('form', { class: 'form filters', id: 'audit-filter' },
      formAlert(),
      h('div', { class: 'grid-3' },
        field({ name: 'action', label: 'audit.action', hint: 'audit.actionHint', attrs: { spellcheck: 'false' } }),
        field({ name: 'actor', label: 'audit.actorId', attrs: { spellcheck: 'false' } }),
        field({ name: 'institution', label: 'audit.institution', attrs: { spellcheck: 'false' } }),
        field({ name: 'from', label: 'audit.from', type: 'datetime-local' }),
        field({ name: 'to', label: 'audit.to', type: 'datetime-local' })),
      h('div', { class: 'actions' }, button('audit.apply', { type: 'submit' })));
    onSubmit(form, async (data) => {
      const q = new URLSearchParams();
      for (const k of ['action', 'actor', 'institution']) {
        const v = String(data.get(k) || '').trim();
        if (v) q.set(k, v);
      }
      for (const k of ['from', 'to']) {
        const v = rfc3339(String(data.get(k) || ''));
        if (v) q.set(k, v);
      }
      filter = q.toString() ? `&${q}` : '';
      await load(true);
    });

    const verifySlot = h('div', {});
    const verify = button('audit.verify', { kind: 'secondary' });
    verify.id = 'audit-verify';
    verify.addEventListener('click', () => runAction(verify, verifySlot, async () => {
      verifySlot.append(verifyResult(await api.get('/api/v1/audit/verify')));
    }));

    try {
      await load(true);
    } catch (err) {
      listSlot.replaceChildren(alertFor(err));
    }
    view.replaceChildren(
      pageHeader('audit.title', 'audit.intro'),
      section('audit.chainTitle', h('p', { t: 'audit.chainIntro' }), verify, verifySlot),
      section('audit.filterTitle', form),
      section('audit.entries', listSlot, moreSlot, moreErr));
  },
};
