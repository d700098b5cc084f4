// Reviewer: conversion applications addressed to the institution, by
// status, each with the bank's evaluation; pending and needs-review ones
// are approved or rejected with a note the learner sees.

import { h, tx, num, date, field } from '../dom.js';
import * as api from '../api.js';
import { t } from '../i18n.js';
import { pageHeader, button, loading, alertFor, onLoadMore } from '../ui.js';
import { evaluationView, conversionBadge } from '../evaluation.js';
import { rejectDialog } from '../rejectdialog.js';
import { resultCell, statusCell } from '../outcomes.js';

const STATUSES = ['pending', 'needs_review', 'appealed', 'in_notice', 'approved', 'final', 'rejected'];
const PAGE = 20;

export const canReview = (me) => (me?.role === 'staff' || me?.role === 'client') && (me.perms || []).includes('review');

// The tab is part of the address so that a reload or a shared link keeps it.
function statusFromHash() {
  const q = new URLSearchParams(location.hash.split('?')[1] || '');
  const s = q.get('status');
  return STATUSES.includes(s) ? s : 'pending';
}

function tabs(current) {
  return h('nav', { class: 'tabs', tattr: { 'aria-label': 'review.tabs' } },
    h('ul', {}, STATUSES.map((s) => h('li', {},
      h('a', { href: `#/review?status=${s}`, class: 'tab', data: { status: s }, 'aria-current': s === current ? 'page' : null, t: `conv.${s}` })))));
}

function decisionForm(conv, onDecided) {
  const note = h('textarea', { rows: '2', maxlength: '500' });
  const where = h('div', { class: 'decision-result', 'aria-live': 'polite' });
  const approve = button('review.approve', { attrs: { data: { action: 'approve' } } });
  const reject = button('review.reject', { kind: 'danger', attrs: { data: { action: 'reject' } } });
  const decide = (btn, verb) => async () => {
    if (approve.disabled) return;
    approve.disabled = true;
    reject.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    where.replaceChildren();
    try {
      const decided = await api.post(`/api/v1/conversions/${encodeURIComponent(conv.id)}/${verb}`, { note: note.value.trim() });
      onDecided(decided);
    } catch (err) {
      if (err.code === 'not_eligible' && err.details) {
        where.append(h('div', { class: 'alert alert-error', role: 'alert' }, h('p', { class: 'alert-title', t: 'review.changed' })),
          evaluationView(err.details, { technical: true }));
      } else {
        where.append(alertFor(err));
      }
    } finally {
      approve.disabled = false;
      reject.disabled = false;
      btn.removeAttribute('aria-busy');
    }
  };
  approve.addEventListener('click', decide(approve, 'approve'));
  // A refusal is confirmed with its reason in a dialog (rejectdialog.js).
  reject.addEventListener('click', () => rejectDialog(conv, note.value, onDecided));
  return h('div', { class: 'decision' },
    field({ name: 'note', label: 'review.note', control: note }),
    h('div', { class: 'actions' }, approve, reject),
    where);
}

// own marks words the institution or learner wrote (titles, names) so they
// keep their own language in either UI.
const own = (text, tag = 'strong') => h(tag, { text: text || '—', data: { ownWords: '' } });

// sentence fills a dictionary sentence's {placeholders} with nodes, so
// that names stay marked as their own words inside it.
function sentence(key, parts) {
  return t(key).split(/(\{\w+\})/).filter(Boolean).map((piece) => {
    const m = /^\{(\w+)\}$/.exec(piece);
    return m && m[1] in parts ? parts[m[1]] : piece;
  });
}

// evidenceFigures is one used outcome in full: the result, hours, credits,
// completion date and issuer, which the decision rests on.
function evidenceFigures(o) {
  // Each label and value in a <div> of its own, so the pairs sit side by
  // side and wrap on a phone.
  const pair = (key, value, cls) => h('div', { class: cls }, h('dt', { t: key }), h('dd', {}, value));
  return h('dl', { class: 'evidence-figures' },
    pair('outcome.result', resultCell(o), 'evidence-result'),
    pair('outcome.hours', [num(o.hours), ' ', tx('unit.hours')], 'evidence-hours'),
    pair('outcome.credits', [num(o.credits), ' ', tx('unit.credits')]),
    pair('outcome.completedOn', date(o.completedOn), 'evidence-completed'),
    pair('outcome.issuer', own(o.issuerName, 'span'), 'evidence-issuer'),
    o.courseCode ? pair('evidence.courseCode', own(o.courseCode, 'span')) : null,
    o.level ? pair('evidence.level', num(o.level)) : null,
    pair('outcome.status', statusCell(o)));
}

function evidenceList(conv) {
  return h('ul', { class: 'evidence-list plain' }, (conv.evidence || []).map((o) =>
    h('li', { class: 'evidence', data: { outcomeId: o.id, status: o.status } },
      h('p', { class: 'evidence-title' }, own(o.title), ' ',
        h('span', { class: 'sub-inline' }, tx(`cat.${o.category}`))),
      evidenceFigures(o))));
}

// whatChanged says, on a card that needs review again, which used outcome
// was revoked, when, by which institution and why, instead of the verdict
// the bank reached before.
function whatChanged(conv) {
  const revoked = (conv.evidence || []).filter((o) => o.status === 'revoked');
  return h('div', { class: 'alert alert-warning what-changed', role: 'note' },
    h('p', { class: 'alert-title', t: 'review.changedTitle' }),
    revoked.length
      ? h('ul', {}, revoked.map((o) => h('li', { data: { outcomeId: o.id } },
        sentence('review.changedRevoked', {
          title: own(o.title), when: date(o.revokedAt, true), issuer: own(o.issuerName, 'span'),
        }),
        o.revokedReason ? [' ', tx('review.changedReason'), own(o.revokedReason, 'span')] : null)))
      : h('p', { t: 'review.changedUnknown' }),
    h('p', { t: 'review.changedHint' }));
}

// reviewEvaluation is the bank's evaluation as a reviewer needs it: every
// used outcome in full in place of its title, the trace's "uses" steps
// followed by that outcome's figures, and on a card needing review again
// the change rather than the old verdict.
function reviewEvaluation(conv) {
  const view = evaluationView(conv.evaluation, { technical: true });
  const evidence = conv.evidence || [];
  const usedList = view.querySelector('.used-list');
  if (usedList && evidence.length) usedList.replaceWith(evidenceList(conv));
  // The list shows the trace in order; a step names its outcomes in its
  // data, or (a stored step) in the wording the bank recorded.
  const trace = (conv.evaluation && conv.evaluation.trace) || [];
  view.querySelectorAll('.trace-list li').forEach((li, i) => {
    const step = trace[i] || {};
    const titles = ((step.facts && step.facts.outcomes) || []).map((r) => r.title);
    const o = evidence.find((e) => titles.includes(e.title) || String(step.message || '').includes(`「${e.title}」`));
    if (o) {
      li.append(h('span', { class: 'trace-evidence sub' }, resultCell(o), ' · ', num(o.hours), ' ', tx('unit.hours'), ' · ',
        date(o.completedOn), ' · ', own(o.issuerName, 'span')));
    }
  });
  if (conv.status === 'needs_review') {
    view.classList.remove('evaluation-ok');
    const verdict = view.querySelector('.evaluation-verdict');
    if (verdict) verdict.replaceWith(whatChanged(conv));
    const figures = view.querySelector('.evaluation-figures');
    if (figures) figures.remove();
  }
  return view;
}

function conversionCard(conv, onDecided) {
  const titleId = `conv-${conv.id}`;
  const open = conv.status === 'pending' || conv.status === 'needs_review' || conv.status === 'appealed';
  return h('article', { class: 'card conversion-card', 'aria-labelledby': titleId, data: { conversionId: conv.id, ruleCode: conv.ruleCode } },
    h('div', { class: 'card-head' },
      h('h2', { id: titleId, text: conv.ruleName || conv.ruleCode, data: { ownWords: '' } }),
      conversionBadge(conv.status)),
    h('dl', { class: 'kv' },
      h('dt', { t: 'convert.code' }), h('dd', {}, h('code', { text: conv.ruleCode }), ' ',
        h('span', { class: 'sub-inline', t: 'conversion.versionValue', targs: { v: conv.ruleVersion } })),
      h('dt', { t: 'conversion.purpose' }), h('dd', { t: `purpose.${conv.purpose}` }),
      h('dt', { t: 'conversion.applicant' }),
      h('dd', {}, conv.learnerName ? [h('strong', { text: conv.learnerName, data: { ownWords: '' } }), ' ', h('code', { text: conv.learnerNationalId || '' })]
        : h('code', { text: conv.accountId })),
      h('dt', { t: 'conversion.appliedAt' }), h('dd', {}, date(conv.appliedAt, true)),
      h('dt', { t: 'conversion.credits' }), h('dd', {}, num(conv.evaluation?.awardedCredits || 0)),
      conv.decidedAt ? [h('dt', { t: 'conversion.decidedAt' }), h('dd', {}, date(conv.decidedAt, true))] : null,
      conv.note ? [h('dt', { t: 'conversion.note' }), h('dd', { text: conv.note, data: { ownWords: '' } })] : null,
      conv.appeal ? [h('dt', { t: 'review.appeal' }), h('dd', { text: conv.appeal.reason, data: { ownWords: '' } })] : null,
      (conv.objections || []).length ? [h('dt', { t: 'review.objections' }),
        h('dd', {}, h('ul', { class: 'plain' }, conv.objections.map((o) => h('li', { text: o.reason, data: { ownWords: '' } }))))] : null),
    conv.status === 'appealed' ? h('p', { class: 'hint', t: 'review.appealHint' }) : null,
    reviewEvaluation(conv),
    open ? decisionForm(conv, onDecided) : null);
}

export default {
  path: 'review',
  nav: 'nav.review',
  allowed: canReview,
  async render(view) {
    view.append(loading());
    const status = statusFromHash();
    const items = [];
    let cursor = '';
    const list = h('div', { id: 'review-list' });
    const moreSlot = h('div', { class: 'actions' });
    const errSlot = h('div', {});
    const more = button('common.more', { kind: 'secondary' });

    const draw = () => {
      list.replaceChildren(...(items.length
        ? items.map((c) => conversionCard(c, (decided) => {
          const card = list.querySelector(`[data-conversion-id="${CSS.escape(c.id)}"]`);
          const done = h('div', { class: 'alert alert-success', role: 'status' },
            h('p', { class: 'alert-title' }, conversionBadge(decided.status), ' ',
              tx({ approved: 'review.approved', in_notice: 'review.inNotice', final: 'review.final' }[decided.status] || 'review.rejected')));
          card.querySelector('.decision').replaceWith(done);
          card.querySelector('.card-head .badge').replaceWith(conversionBadge(decided.status));
        }))
        : [h('p', { class: 'card empty', t: 'review.none' })]));
      moreSlot.replaceChildren();
      if (cursor) moreSlot.append(more);
    };
    const load = async () => {
      const q = `?status=${status}&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api.get(`/api/v1/institutions/me/conversions${q}`);
      items.push(...(page.items || []));
      cursor = page.nextCursor || '';
      draw();
    };
    onLoadMore(more, load, errSlot);
    await load();
    view.replaceChildren(pageHeader('review.title', 'review.intro'), tabs(status), list, moreSlot, errSlot);
  },
};
