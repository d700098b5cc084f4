// Sharing and data access for learners: grant an institution time-limited
// access to the record, withdraw it, download everything held about me.

import { h, field, date, table, badge, section, select } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, loading, runAction } from '../ui.js';
import { institutions, byId } from '../lookups.js';
import { fmtDate } from '../i18n.js';

function grantsTable(grants, names, reload) {
  if (!grants.length) return h('p', { class: 'empty', t: 'sharing.none' });
  const sorted = [...grants].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return table([
    { key: 'sharing.institution', cell: (g) => names.get(g.institutionId)?.name || g.institutionId },
    { key: 'sharing.created', cell: (g) => date(g.createdAt, true) },
    { key: 'sharing.expires', cell: (g) => date(g.expiresAt, true) },
    { key: 'sharing.state', cell: (g) => g.live ? badge('sharing.live', 'active')
      : badge(g.revokedAt ? 'sharing.withdrawn' : 'sharing.ended', 'revoked') },
    { key: 'sharing.action', cell: (g) => {
      if (!g.live) return '';
      const where = h('div', { class: 'inline-alert' });
      const btn = button('sharing.withdraw', { kind: 'danger' });
      btn.addEventListener('click', () => runAction(btn, where, async () => {
        await api.del(`/api/v1/learners/me/grants/${encodeURIComponent(g.id)}`);
        await reload();
      }));
      return h('span', {}, btn, where);
    } },
  ], sorted, 'sharing.listTitle');
}

export default {
  path: 'sharing',
  nav: 'nav.sharing',
  allowed: (me) => me?.role === 'learner',
  async render(view) {
    view.append(loading());
    const insts = await institutions().catch(() => []);
    const names = byId(insts);
    const listSlot = h('div', {});
    const reload = async () => {
      const rec = await api.get('/api/v1/learners/me/record');
      listSlot.replaceChildren(grantsTable(rec.grants || [], names, reload));
    };
    await reload();

    const instSelect = select('institutionId', [['', 'sharing.choose']]);
    for (const i of insts.filter((x) => x.status === 'active')) {
      instSelect.append(h('option', { value: i.id, text: i.name }));
    }
    const daysInput = h('input', { type: 'number', min: '1', max: '365', step: '1', value: '30', inputmode: 'numeric' });
    const form = h('form', { class: 'form', id: 'grant-form' },
      formAlert(),
      field({ name: 'institutionId', label: 'sharing.institution', control: instSelect, required: true }),
      field({ name: 'days', label: 'sharing.days', hint: 'sharing.daysHint', control: daysInput, required: true }),
      h('div', { class: 'actions' }, button('sharing.grant', { type: 'submit' })));
    const done = h('div', { role: 'status' });
    onSubmit(form, async (data) => {
      done.replaceChildren();
      const g = await api.post('/api/v1/learners/me/grants', {
        institutionId: String(data.get('institutionId')),
        days: Number(data.get('days')),
      });
      // A second share with the same institution extends the live one.
      done.append(g.extended
        ? h('p', { class: 'alert alert-success', id: 'grant-extended', t: 'sharing.extended',
          targs: { institution: names.get(g.institutionId)?.name || '', until: fmtDate(g.expiresAt) } })
        : h('p', { class: 'alert alert-success', t: 'sharing.granted' }));
      await reload();
    });

    const dlWhere = h('div', {});
    const dl = button('data.download', { kind: 'secondary' });
    dl.addEventListener('click', () => runAction(dl, dlWhere, () =>
      api.download('/api/v1/learners/me/data', 'my-credit-bank-data.json')));

    view.replaceChildren(
      pageHeader('sharing.title', 'sharing.intro'),
      section('sharing.listTitle', listSlot),
      section('sharing.newTitle', form, done),
      section('data.title', h('p', { t: 'data.intro' }), dl, dlWhere),
    );
  },
};
