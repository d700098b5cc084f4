// Admin: the credit policy — hours per credit for each category. Changes
// apply to outcomes issued afterwards; banked credits never change.

import { h, field, num, tx } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, loading } from '../ui.js';
import { CATEGORIES } from '../lookups.js';

export default {
  path: 'policy',
  nav: 'nav.policy',
  allowed: (me) => me?.role === 'admin',
  async render(view) {
    view.append(loading());
    let policy = await api.get('/api/v1/policy');
    const version = h('p', { class: 'hint' });
    const showVersion = () => version.replaceChildren(tx('policy.version'), ' ', num(policy.version));
    showVersion();
    const done = h('div', {});
    const form = h('form', { class: 'form', id: 'policy-form' },
      formAlert(),
      h('div', { class: 'grid-3' }, CATEGORIES.map((c) => field({
        name: `hoursPerCredit.${c}`, label: `cat.${c}`, type: 'number',
        attrs: { min: '4', max: '64', step: '1', inputmode: 'decimal', value: String(policy.hoursPerCredit?.[c] ?? 16) },
      }))),
      h('p', { class: 'hint', t: 'policy.rounding' }),
      h('div', { class: 'actions' }, button('policy.save', { type: 'submit' })));
    onSubmit(form, async (data) => {
      done.replaceChildren();
      const hoursPerCredit = {};
      for (const c of CATEGORIES) hoursPerCredit[c] = Number(data.get(`hoursPerCredit.${c}`));
      policy = await api.put('/api/v1/policy', { hoursPerCredit });
      showVersion();
      done.append(h('p', { class: 'alert alert-success', role: 'status', t: 'policy.saved' }));
    });
    view.replaceChildren(pageHeader('policy.title', 'policy.intro'), h('div', { class: 'card' }, version, form, done));
  },
};
