// Public notices (公示): approved recognitions waiting out their notice
// period, learners' names masked. Anyone reads them; anyone signed in may
// object, and the learner is never told who did.

import { h, num, date, table, tx, field } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, loading, button, alertFor } from '../ui.js';

function objectionForm(n, signedIn, onDone) {
  if (!signedIn) return h('p', { class: 'hint', t: 'notices.signInToObject' });
  const slot = h('div', {});
  const open = button('notices.object', { kind: 'secondary' });
  open.addEventListener('click', () => {
    open.hidden = true;
    const reason = h('textarea', { name: 'reason', rows: 3, maxlength: 1000 });
    const submit = button('notices.objectSubmit');
    const where = h('div', {});
    submit.addEventListener('click', async () => {
      where.replaceChildren();
      submit.disabled = true;
      try {
        await api.post(`/api/v1/conversions/${encodeURIComponent(n.conversionId)}/objections`, { reason: reason.value.trim() });
        onDone();
      } catch (err) {
        where.append(alertFor(err));
      } finally {
        submit.disabled = false;
      }
    });
    slot.append(h('div', { class: 'objection-form' },
      field({ name: 'reason', label: 'notices.objectReason', control: reason }), h('div', { class: 'actions' }, submit), where));
  });
  return h('div', {}, open, slot);
}

export default {
  path: 'notices',
  nav: 'nav.notices',
  allowed: () => true,
  async render(view, ctx) {
    view.append(loading());
    const draw = async (flashKey) => {
      const { items } = await api.get('/api/v1/notices');
      const done = flashKey ? h('p', { class: 'alert alert-success', role: 'status', t: flashKey }) : null;
      const body = items.length ? table([
        { key: 'notices.learner', cell: (n) => h('strong', { class: 'masked', text: n.learner }) },
        { key: 'notices.rule', cell: (n) => h('span', {}, h('span', { text: n.ruleName, data: { ownWords: '' } }), h('span', { class: 'sub', t: `purpose.${n.purpose}` })) },
        { key: 'notices.institution', cell: (n) => n.institutionName },
        { key: 'notices.recognised', cell: (n) => h('ul', { class: 'plain' }, n.recognised.map((r) =>
          h('li', {}, h('span', { text: r.title }), ' ', h('span', { class: 'sub-inline' }, tx(`cat.${r.category}`), ' · ', num(r.credits), ' ', tx('unit.credits'))))) },
        { key: 'notices.credits', class: 'n', cell: (n) => num(n.awardedCredits) },
        { key: 'notices.until', cell: (n) => date(n.noticeEndsAt, true) },
        { key: 'notices.object', cell: (n) => objectionForm(n, !!ctx.me, () => draw('notices.objected')) },
      ], items, 'notices.title') : h('p', { class: 'empty', t: 'notices.none' });
      view.replaceChildren(pageHeader('notices.title', 'notices.intro'), done, h('section', { class: 'card', id: 'notices' }, body));
    };
    await draw();
  },
};
