// One conversion rule: create or edit it (a published rule is edited into a
// new draft version), simulate it across the district, publish (admin) and
// retire it.

import { h, num, date, section, table, tx } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, button, loading, onSubmit, flash, runAction } from '../ui.js';
import { confirmPublish, confirmRetire, confirmReturn } from '../ruledialogs.js';
import { institutions } from '../lookups.js';
import { ruleForm } from '../ruleform.js';
import { canManageRules, ruleStatusBadge } from './rules.js';

function idFromHash() {
  return new URLSearchParams(location.hash.split('?')[1] || '').get('id') || '';
}

// A suppressed figure (fewer learners than the server's minimum cell) is
// shown as "fewer than N", never as a number.
function simFigure(value, suppressed, min) {
  return suppressed ? tx('sim.suppressed', { n: min }) : num(value || 0);
}

function simBreakdown(sim, name, titleKey, label) {
  const rows = sim[name] || [];
  return h('div', { class: 'sim-breakdown', data: { simBreakdown: name } },
    h('h3', { t: titleKey }),
    table([
      { key: 'sim.group', cell: label },
      { key: 'sim.eligible', class: 'n', cell: (c) => simFigure(c.eligible, c.suppressed, sim.minCellSize) },
      { key: 'sim.credits', class: 'n', cell: (c) => simFigure(c.credits, c.suppressed, sim.minCellSize) },
    ], rows, titleKey));
}

function simulationView(sim) {
  const min = sim.minCellSize;
  return h('div', { id: 'simulation' },
    h('dl', { class: 'figures' },
      [['evaluated', 'sim.evaluated', num(sim.evaluated || 0)],
        ['eligible', 'sim.eligible', simFigure(sim.eligible, sim.suppressed, min)],
        ['credits', 'sim.credits', simFigure(sim.credits, sim.suppressed, min)]]
        .map(([k, label, v]) => h('div', { class: 'figure', data: { sim: k } }, h('dt', { t: label }), h('dd', {}, v)))),
    h('p', { class: 'hint', t: 'sim.privacy', targs: { n: min } }),
    simBreakdown(sim, 'byCategory', 'sim.byCategory', (c) => tx(`cat.${c.key}`)),
    simBreakdown(sim, 'byRegion', 'sim.byRegion', (c) => (c.key === 'other' ? tx('sim.otherRegion') : c.key)),
    simBreakdown(sim, 'byAgeBand', 'sim.byAgeBand', (c) => (c.key === 'unknown' ? tx('sim.ageUnknown') : tx('sim.age', { band: c.key }))));
}

function actionsCard(rule, me, reopen) {
  const where = h('div', { 'aria-live': 'polite' });
  const simulate = button('rule.simulate', { kind: 'secondary', attrs: { id: 'rule-simulate' } });
  simulate.addEventListener('click', () => runAction(simulate, where, async () => {
    where.append(simulationView(await api.post(`/api/v1/rules/${encodeURIComponent(rule.id)}/simulate`)));
  }));
  const buttons = [simulate];
  const submitted = rule.submission?.state === 'submitted';
  // The converting institution submits its draft; the admin publishes or
  // returns it. Each step that changes what learners may apply under asks
  // first.
  if (me.role === 'staff' && rule.status === 'draft' && !submitted) {
    const submit = button('rule.submit', { attrs: { id: 'rule-submit' } });
    submit.addEventListener('click', () => runAction(submit, where, async () => {
      await api.post(`/api/v1/rules/${encodeURIComponent(rule.id)}/submit`);
      flash('rule.submittedDone');
      reopen(rule.id);
    }));
    buttons.push(submit);
  }
  if (me.role === 'admin' && rule.status === 'draft') {
    const publish = button('rule.publish', { attrs: { id: 'rule-publish' } });
    publish.addEventListener('click', () => confirmPublish(rule, () => {
      flash('rule.published');
      reopen(rule.id);
    }));
    buttons.push(publish);
    if (submitted) {
      const back = button('rule.return', { kind: 'secondary', attrs: { id: 'rule-return' } });
      back.addEventListener('click', () => confirmReturn(rule, () => {
        flash('rule.returnedDone');
        reopen(rule.id);
      }));
      buttons.push(back);
    }
  }
  if (rule.status !== 'retired') {
    const retire = button('rule.retire', { kind: 'danger', attrs: { id: 'rule-retire' } });
    retire.addEventListener('click', () => confirmRetire(rule, () => {
      flash('rule.retiredDone');
      reopen(rule.id);
    }));
    buttons.push(retire);
  }
  return section('rule.actionsTitle', h('p', { class: 'hint', t: 'rule.simulateHint' }), h('div', { class: 'actions' }, buttons), where);
}

// submissionNote says where a draft stands on its way to publication: in
// the admin's queue, or returned with the admin's note.
function submissionNote(rule) {
  const sub = rule.status === 'draft' ? rule.submission : null;
  if (!sub) return null;
  if (sub.state === 'submitted') {
    return h('div', { class: 'alert alert-success', id: 'rule-submission', data: { state: 'submitted' } },
      h('p', {}, tx('rule.submittedNote'), ' ', date(sub.at, true)),
      h('p', { class: 'hint', t: 'rule.submittedEdit' }));
  }
  return h('div', { class: 'alert alert-warning', id: 'rule-submission', data: { state: 'returned' } },
    h('p', {}, tx('rule.returnedNote'), ' ', date(sub.at, true)),
    h('p', {}, tx('rule.returnNoteLabel'), h('span', { class: 'return-note', text: sub.note, data: { ownWords: '' } })),
    h('p', { class: 'hint', t: 'rule.returnedHint' }));
}

export default {
  path: 'rule',
  allowed: canManageRules,
  async render(view, ctx) {
    view.append(loading());
    const id = idFromHash();
    const admin = ctx.me.role === 'admin';
    const [rule, insts] = await Promise.all([
      id ? api.get(`/api/v1/rules/${encodeURIComponent(id)}`) : null,
      admin ? institutions() : [],
    ]);
    // After a save the page is opened afresh; the same address does not
    // fire hashchange, so it is re-routed explicitly.
    const reopen = (ruleId) => {
      if (idFromHash() === ruleId) ctx.go('rule');
      else location.hash = `#/rule?id=${encodeURIComponent(ruleId)}`;
    };
    const convertInsts = admin ? insts.filter((i) => (i.capabilities || []).includes('convert') && i.status !== 'suspended') : null;
    const readOnly = rule && rule.status === 'retired';
    const { form, read, placeProblems } = ruleForm(rule, { convertInsts, readOnly });

    onSubmit(form, async () => {
      const body = read();
      try {
        if (!rule) {
          const created = await api.post('/api/v1/rules', body);
          flash('rule.created');
          reopen(created.id);
          return;
        }
        const { status, data } = await api.requestWithStatus('PUT', `/api/v1/rules/${encodeURIComponent(rule.id)}`, body);
        if (status === 201) flash('rule.newVersion', { v: data.version });
        else flash('rule.saved');
        reopen(data.id);
      } catch (err) {
        throw placeProblems(err);
      }
    });

    const header = rule
      ? h('div', { class: 'page-header' },
        h('h1', { tabindex: '-1', t: 'rule.editTitle', targs: { code: rule.code } }),
        h('p', { class: 'tags' }, ruleStatusBadge(rule.status), ' ',
          h('span', { class: 'badge badge-neutral', t: 'conversion.versionValue', targs: { v: rule.version } })),
        h('p', { class: 'lead', text: rule.name }))
      : pageHeader('rule.newTitle');
    view.replaceChildren(...[
      header,
      h('p', {}, h('a', { href: '#/rules', t: 'rule.back' })),
      rule && rule.status === 'published' ? h('p', { class: 'alert alert-warning', id: 'rule-version-note', t: 'rule.publishedNote', targs: { v: rule.version + 1 } }) : null,
      readOnly ? h('p', { class: 'alert alert-warning', t: 'rule.retiredNote' }) : null,
      rule ? submissionNote(rule) : null,
      rule ? actionsCard(rule, ctx.me, reopen) : null,
      h('div', { class: 'card' }, form),
    ].filter(Boolean));
  },
};
