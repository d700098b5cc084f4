// Records learners share with the signed-in institution (共享档案): the
// list of live grants, and each record read only. A grant can be withdrawn
// or run out while staff are looking, so a record that has gone sends them
// back to the list with a plain explanation.

import { h, date, table } from '../dom.js';
import * as api from '../api.js';
import { ApiError } from '../api.js';
import { pageHeader, button, loading, flash, onLoadMore } from '../ui.js';
import { institutions, byId } from '../lookups.js';
import { renderRecord } from './record.js';

const PAGE = 20;
const DAY_MS = 24 * 60 * 60 * 1000;
// A week's notice is enough for staff to ask the learner to share again
// before an admission or exemption decision is due.
const SOON_DAYS = 7;
// An index page leaves out grants that ended after they were indexed, so
// it can come back empty while more follow; a few pages are followed
// before asking the user to press "load more" again.
const MAX_EMPTY_PAGES = 5;

export const canSeeShared = (me) => me?.role === 'staff' || me?.role === 'client';

function recordPath(accountId) {
  return `#/shared-record?id=${encodeURIComponent(accountId)}`;
}

// daysLeft counts started days, so a grant ending in 30 hours has 2 left.
function daysLeft(expiresAt) {
  return Math.ceil((Date.parse(expiresAt) - Date.now()) / DAY_MS);
}

function untilCell(item) {
  const left = daysLeft(item.expiresAt);
  const soon = left <= SOON_DAYS;
  return h('span', { class: 'status-cell', data: { soon: String(soon) } },
    date(item.expiresAt, true),
    soon ? h('span', { class: 'sub' }, h('span', {
      class: ['badge', 'badge-expired', 'ends-soon'],
      t: left <= 1 ? 'shared.endsWithinDay' : 'shared.endsWithin',
      targs: { n: left },
    })) : null);
}

function rowsTable(items) {
  return table([
    { key: 'shared.name', cell: (s) => h('a', { href: recordPath(s.accountId), class: 'row-link', text: s.name }) },
    { key: 'record.nationalId', cell: (s) => h('span', { class: 'masked', text: s.nationalId }) },
    { key: 'shared.since', cell: (s) => date(s.grantedAt, true) },
    { key: 'shared.until', cell: untilCell },
  ], items, 'shared.title');
}

function emptyState() {
  return h('div', { class: 'empty-state' },
    h('p', { class: 'empty', t: 'shared.none' }),
    h('p', { t: 'shared.noneHelp' }));
}

const list = {
  path: 'shared',
  nav: 'nav.shared',
  allowed: canSeeShared,
  async render(view) {
    view.append(loading());
    const items = [];
    let cursor = '';
    const listSlot = h('div', { id: 'shared-list' });
    const moreSlot = h('div', { class: 'actions' });
    const errSlot = h('div', {});
    const more = button('common.more', { kind: 'secondary', attrs: { id: 'shared-more' } });

    const draw = () => {
      listSlot.replaceChildren(items.length ? rowsTable(items) : emptyState());
      moreSlot.replaceChildren();
      if (cursor) moreSlot.append(more);
    };
    const load = async () => {
      let added = 0;
      for (let pages = 0; pages < MAX_EMPTY_PAGES && !added; pages += 1) {
        const q = `?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await api.get(`/api/v1/institutions/me/shared${q}`);
        for (const s of page.items || []) {
          items.push(s);
          added += 1;
        }
        cursor = page.nextCursor || '';
        if (!cursor) break;
      }
      draw();
    };
    onLoadMore(more, load, errSlot);
    await load();
    view.replaceChildren(
      pageHeader('shared.title', 'shared.intro'),
      h('div', { class: 'card' }, listSlot, moreSlot, errSlot));
  },
};

function accountIdFromHash() {
  return new URLSearchParams(location.hash.split('?')[1] || '').get('id') || '';
}

function banner(grant) {
  const box = h('p', { class: 'alert alert-warning', role: 'note', id: 'shared-banner' });
  if (grant) box.append(h('span', { t: 'shared.bannerBefore' }), date(grant.expiresAt, true), h('span', { t: 'shared.bannerAfter' }));
  else box.append(h('span', { t: 'shared.bannerNoDate' }));
  return box;
}

export const sharedRecord = {
  path: 'shared-record',
  allowed: canSeeShared,
  async render(view) {
    view.append(loading());
    const id = accountIdFromHash();
    let rec;
    let insts;
    try {
      [rec, insts] = await Promise.all([
        api.get(`/api/v1/learners/${encodeURIComponent(id)}/record`),
        institutions().catch(() => []),
      ]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        flash('shared.gone', null, 'warning');
        // Replacing the entry keeps "back" from returning to the dead record.
        location.replace('#/shared');
        return;
      }
      throw err;
    }
    view.replaceChildren(
      h('p', { class: 'no-print' }, h('a', { href: '#/shared', id: 'shared-back', t: 'shared.back' })),
      // The server says until when this record is shared with us.
      banner(rec.sharedUntil ? { expiresAt: rec.sharedUntil } : null));
    renderRecord(view, rec, byId(insts), { shared: true });
  },
};

export default list;
