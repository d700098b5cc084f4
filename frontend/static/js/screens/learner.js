// A learner's record as the centre sees it, opened from the front desk:
// read only, the same layout the learner sees.

import { h } from '../dom.js';
import * as api from '../api.js';
import { loading } from '../ui.js';
import { institutions, byId } from '../lookups.js';
import { renderRecord } from './record.js';

function accountIdFromHash() {
  return new URLSearchParams(location.hash.split('?')[1] || '').get('id') || '';
}

export default {
  path: 'learner',
  allowed: (me) => me?.role === 'admin',
  async render(view) {
    view.append(loading());
    const id = accountIdFromHash();
    const [rec, insts] = await Promise.all([
      api.get(`/api/v1/learners/${encodeURIComponent(id)}/record`),
      institutions().catch(() => []),
    ]);
    view.replaceChildren(
      h('p', { class: 'no-print' }, h('a', { href: '#/desk', t: 'learner.back' })),
      h('p', { class: 'alert alert-warning', role: 'note', t: 'learner.readOnly' }));
    renderRecord(view, rec, byId(insts), { shared: true });
  },
};
