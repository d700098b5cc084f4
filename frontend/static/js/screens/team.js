// Institution managers add colleagues' staff accounts to their own
// institution.

import { h, tx, section } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, loading } from '../ui.js';
import { staffForm } from './institutions.js';
import { staffList } from './stafflist.js';

export default {
  path: 'team',
  nav: 'nav.team',
  allowed: (me) => me?.role === 'staff' && (me.perms || []).includes('manage'),
  async render(view, ctx) {
    view.append(loading());
    const inst = await api.get(`/api/v1/institutions/${encodeURIComponent(ctx.me.institutionId)}`);
    view.replaceChildren(
      pageHeader('team.title', 'team.intro'),
      h('p', { class: 'issuer-line' }, tx('issue.as'), ' ', h('strong', { text: inst.name })),
      h('div', { class: 'card' }, staffForm([inst], inst.id)),
      section('staffList.title', staffList(inst.id, ctx.me)));
  },
};
