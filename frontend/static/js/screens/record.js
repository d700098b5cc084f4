// The learner's own record (个人终身学习电子档案): balance, credits by
// category and year, outcomes, conversions and the verified ledger.

import { h, num, date, table, badge, section, tx, field } from '../dom.js';
import * as api from '../api.js';
import { loading, button, alertFor } from '../ui.js';
import { levelName } from './framework.js';
import { institutions, byId } from '../lookups.js';
import { bars } from '../charts.js';
import { resultCell, statusCell } from '../outcomes.js';

const BALANCE = [
  ['banked', 'balance.banked', 'balance.bankedHelp'],
  ['available', 'balance.available', 'balance.availableHelp'],
  ['earmarked', 'balance.earmarked', 'balance.earmarkedHelp'],
  ['spent', 'balance.spent', 'balance.spentHelp'],
];

function balanceCards(b) {
  return h('div', { class: 'balance-grid', id: 'balance' }, BALANCE.map(([key, label, help]) =>
    h('div', { class: ['balance-card', `balance-${key}`], data: { balance: key } },
      h('p', { class: 'balance-label', t: label }),
      h('p', { class: 'balance-value' }, h('span', { class: 'balance-number' }, num(b[key] || 0)), ' ',
        h('span', { class: 'unit', t: 'unit.credits' })),
      h('p', { class: 'balance-help', t: help }))));
}

// levelCell names an outcome's framework level: "第 4 级 中级".
function levelCell(o, framework) {
  if (!o.level) return '—';
  const l = (framework?.levels || []).find((x) => x.level === o.level);
  return h('span', { class: 'level', data: { level: String(o.level) } }, tx('level.value', { n: o.level }),
    l ? h('span', { class: 'sub', text: levelName(l) }) : null);
}

// APPEAL_DAYS is how long after a rejection the learner may appeal.
const APPEAL_DAYS = 30;

function canAppeal(c) {
  return c.status === 'rejected' && !c.appeal && c.decidedAt &&
    Date.now() - new Date(c.decidedAt).getTime() < APPEAL_DAYS * 24 * 3600 * 1000;
}

function appealForm(c, onChanged) {
  const slot = h('div', {});
  const open = button('conversion.appeal', { kind: 'secondary', attrs: { 'data-appeal': c.id } });
  open.addEventListener('click', () => {
    open.hidden = true;
    const reason = h('textarea', { name: 'reason', rows: 3, maxlength: 1000 });
    const submit = button('conversion.appealSubmit');
    const where = h('div', {});
    submit.addEventListener('click', async () => {
      where.replaceChildren();
      submit.disabled = true;
      try {
        await api.post(`/api/v1/conversions/${encodeURIComponent(c.id)}/appeal`, { reason: reason.value.trim() });
        onChanged('conversion.appealed');
      } catch (err) {
        where.append(alertFor(err));
      } finally {
        submit.disabled = false;
      }
    });
    slot.append(h('div', { class: 'appeal-form', role: 'group', tattr: { 'aria-label': 'conversion.appealTitle' } },
      h('p', { class: 'hint', t: 'conversion.appealHint' }),
      field({ name: 'reason', label: 'conversion.appealReason', control: reason }),
      h('div', { class: 'actions' }, submit), where));
  });
  return h('div', {}, open, slot);
}

// noteCell is the decision's note, and what became of an appeal or an
// objection, in plain words.
function noteCell(c, opts) {
  const parts = [];
  if (c.note) parts.push(h('span', { text: c.note }));
  if (c.appeal) {
    const key = { upheld: 'conversion.appealUpheld', dismissed: 'conversion.appealDismissed' }[c.appeal.resolution] || 'conversion.appealPending';
    parts.push(h('span', { class: 'sub appeal-outcome', t: key, targs: { note: c.appeal.note || '', reason: c.appeal.reason } }));
  }
  if ((c.objections || []).some((o) => !o.resolution)) parts.push(h('span', { class: 'sub', t: 'conversion.objected' }));
  if (!opts.shared && opts.onChanged && canAppeal(c)) parts.push(appealForm(c, opts.onChanged));
  return parts.length ? h('div', {}, parts) : '—';
}

function outcomesTable(outcomes, issuers, framework) {
  if (!outcomes.length) return h('p', { class: 'empty', t: 'record.noOutcomes' });
  const sorted = [...outcomes].sort((a, b) => b.completedOn.localeCompare(a.completedOn));
  return table([
    { key: 'outcome.title', cell: (o) => h('span', {}, h('strong', { text: o.title }),
      o.courseCode ? h('span', { class: 'sub', text: o.courseCode }) : null) },
    { key: 'outcome.issuer', cell: (o) => issuers.get(o.issuerId)?.name || tx('record.unknownIssuer') },
    { key: 'outcome.category', cell: (o) => tx(`cat.${o.category}`) },
    { key: 'outcome.hours', class: 'n', cell: (o) => num(o.hours) },
    { key: 'outcome.credits', class: 'n', cell: (o) => num(o.credits) },
    { key: 'outcome.level', cell: (o) => levelCell(o, framework) },
    { key: 'outcome.result', cell: resultCell },
    { key: 'outcome.completedOn', cell: (o) => date(o.completedOn) },
    { key: 'outcome.status', cell: statusCell },
  ], sorted, 'record.outcomes');
}

function conversionsTable(conversions, opts) {
  const rows = [...conversions].sort((a, b) => String(b.appliedAt).localeCompare(String(a.appliedAt)));
  return h('div', { id: 'conversions' }, table([
    { key: 'conversion.rule', cell: (c) => h('span', {}, h('strong', { text: c.ruleName || c.ruleCode }),
      h('span', { class: 'sub' }, h('code', { text: c.ruleCode }), ' ', tx('conversion.versionValue', { v: c.ruleVersion }))) },
    { key: 'conversion.purpose', cell: (c) => tx(`purpose.${c.purpose}`) },
    { key: 'conversion.credits', class: 'n', cell: (c) => num(c.evaluation?.awardedCredits || 0) },
    { key: 'conversion.appliedAt', cell: (c) => date(c.appliedAt, true) },
    { key: 'conversion.status', cell: (c) => h('span', { class: 'status-cell', data: { status: c.status } }, badge(`conv.${c.status}`, c.status),
      c.decidedAt ? h('span', { class: 'sub' }, date(c.decidedAt, true)) : null,
      c.status === 'in_notice' && c.noticeEndsAt ? h('span', { class: 'sub notice-until' }, tx('conversion.noticeUntil'), ' ', date(c.noticeEndsAt, true)) : null) },
    { key: 'conversion.note', cell: (c) => noteCell(c, opts) },
  ], rows, 'record.conversions'));
}

// ledgerWhat says in plain words what an entry belongs to: the outcome
// banked or revoked, the conversion that held, used or returned credits.
function ledgerWhat(e, outcomes, conversions) {
  const o = e.outcomeId ? outcomes.get(e.outcomeId) : null;
  const c = e.conversionId ? conversions.get(e.conversionId) : null;
  return h('span', { class: 'ledger-what', t: `ledger.what.${e.kind}`,
    targs: { title: o?.title || '', rule: c ? (c.ruleName || c.ruleCode) : '' } });
}

function ledgerTable(ledger, rec) {
  const rows = [...ledger].sort((a, b) => b.seq - a.seq);
  const outcomes = new Map((rec.outcomes || []).map((o) => [o.id, o]));
  const conversions = new Map((rec.conversions || []).map((c) => [c.id, c]));
  return [
    table([
      { key: 'ledger.at', cell: (e) => date(e.at, true) },
      { key: 'ledger.kind', cell: (e) => tx(`ledger.${e.kind}`) },
      { key: 'ledger.what', cell: (e) => ledgerWhat(e, outcomes, conversions) },
      { key: 'ledger.credits', class: 'n', cell: (e) => h('span', { class: e.credits < 0 ? 'neg' : 'pos' }, num(e.credits, { signed: true })) },
      { key: 'ledger.balanceAfter', class: 'n', cell: (e) => num(e.balanceAfter) },
    ], rows, 'record.ledger'),
    // The chain of hashes is what makes the ledger checkable; few readers
    // need it, so it waits behind "technical details".
    h('details', { class: 'tech-details', id: 'ledger-tech' },
      h('summary', { t: 'tech.details' }),
      h('p', { class: 'hint', t: 'ledger.techIntro' }),
      table([
        { key: 'ledger.seq', class: 'n', cell: (e) => String(e.seq) },
        { key: 'ledger.hash', cell: (e) => h('code', { class: 'hash', text: e.hash }) },
      ], rows, 'ledger.hash')),
  ];
}

// renderRecord draws a record; opts.shared is someone else's record seen by
// the centre, so the learner's own actions (applying to convert) are left out.
export function renderRecord(view, rec, issuers, opts = {}) {
  const a = rec.account;
  const b = rec.balance;
  const byCategory = Object.entries(b.byCategory || {})
    .filter(([, v]) => v > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([c, v]) => ({ labelKey: `cat.${c}`, value: v }));
  const byYear = Object.entries(b.byYear || {})
    .sort((x, y) => x[0].localeCompare(y[0]))
    .map(([y, v]) => ({ label: y, value: v }));

  // Native append would print "null" for the absent optional sections.
  view.append(...[
    h('div', { class: 'page-header record-header' },
      h('div', {},
        h('p', { class: 'eyebrow', t: 'record.title' }),
        h('h1', { id: 'learner-name', tabindex: '-1', text: a.name }),
        h('p', { class: 'identity' },
          h('span', { class: 'nowrap' }, h('span', { t: 'record.nationalId' }), ' ',
            h('span', { id: 'learner-id', class: 'masked', text: a.nationalId })),
          a.phone ? [' · ', h('span', { class: 'nowrap' }, h('span', { t: 'record.phone' }), ' ',
            h('span', { class: 'masked', text: a.phone }))] : null))),
    balanceCards(b),
    h('div', { class: 'two-col' },
      section('record.byCategory', bars(byCategory, 'record.byCategory')),
      section('record.byYear', bars(byYear, 'record.byYear'))),
    section('record.outcomes', outcomesTable(rec.outcomes || [], issuers, opts.framework)),
    section('record.conversions',
      (rec.conversions || []).length ? conversionsTable(rec.conversions, opts) : null,
      (rec.conversions || []).length || !opts.shared ? null : h('p', { class: 'empty', t: 'record.noConversions' }),
      opts.shared ? null : h('p', { class: 'actions' }, h('a', { href: '#/convert', class: 'btn btn-secondary', t: 'conversion.toConvert' }))),
    section('record.ledger',
      h('p', { class: rec.ledgerValid ? 'verified ok' : 'verified bad', id: 'ledger-status', role: 'status' },
        h('span', { class: 'verified-icon', 'aria-hidden': 'true', text: rec.ledgerValid ? '✓' : '✗' }), ' ',
        tx(rec.ledgerValid ? 'record.ledgerValid' : 'record.ledgerInvalid')),
      h('details', { class: 'ledger' },
        h('summary', { t: 'record.showLedger', targs: { n: (rec.ledger || []).length } }),
        ledgerTable(rec.ledger || [], rec))),
  ].filter(Boolean));
}

// alertsBadge links the dashboard to Next steps with the count of new alerts.
function alertsBadge(n) {
  return h('p', { class: 'alerts-link' },
    h('a', { href: '#/next', id: 'alerts-link', class: 'btn btn-secondary' },
      h('span', { class: ['count-badge', n ? 'count-badge-on' : null], 'aria-hidden': 'true', text: String(n) }), ' ',
      h('span', { t: 'record.alerts', targs: { n } })));
}

export default {
  path: 'record',
  nav: 'nav.record',
  allowed: (me) => me?.role === 'learner',
  async render(view, ctx) {
    view.append(loading());
    const [rec, insts, alerts, framework] = await Promise.all([
      api.get('/api/v1/learners/me/record'),
      institutions().catch(() => []),
      // The dashboard's alert badge is a pointer, not the record: without
      // it the record still shows.
      api.get('/api/v1/learners/me/alerts').catch(() => null),
      api.get('/api/v1/framework').catch(() => null),
    ]);
    view.replaceChildren();
    const onChanged = async (flashKey) => {
      await this.render(view, ctx);
      view.prepend(h('p', { class: 'alert alert-success', role: 'status', id: 'record-flash', t: flashKey }));
    };
    renderRecord(view, rec, byId(insts), { framework, onChanged });
    if (alerts) view.querySelector('.record-header')?.append(alertsBadge(alerts.unseen || 0));
  },
};
