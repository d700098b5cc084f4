// Admin: district statistics — headline figures, credits by category and
// month, institutions and regions, conversions, learners' ages and the
// course catalogues. Every table can be downloaded as CSV for Excel.

import { h, num, table, uid, tx, section } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, loading, runAction } from '../ui.js';
import { bars } from '../charts.js';
import { CATEGORIES } from '../lookups.js';

const HEADLINES = [
  ['accounts', 'stats.accounts', (s) => s.accounts],
  ['claimed', 'stats.claimed', (s) => s.claimedAccounts],
  ['active', 'stats.active', (s) => s.activeLearners],
  ['outcomes', 'stats.outcomes', (s) => s.outcomes],
  ['credits', 'stats.credits', (s) => s.credits],
  ['revoked', 'stats.revoked', (s) => s.revokedOutcomes],
  ['converted', 'stats.converted', (s) => s.convertedCredits],
  ['courses', 'stats.courses', (s) => Object.values(s.coursesByCategory || {}).reduce((a, n) => a + n, 0)],
];

const STATUSES = ['pending', 'approved', 'rejected', 'needs_review', 'in_notice', 'final', 'appealed'];

// fairness lists how public notices, objections and appeals ended and how
// long decisions take.
function fairness(st) {
  const figure = (key, label, value, args) => h('div', { class: 'figure', data: { stat: key } },
    h('dt', { t: label, targs: args }), h('dd', {}, num(value || 0)));
  return h('dl', { class: 'figures', id: 'stats-fairness' },
    figure('notices-open', 'stats.noticesOpen', st.notices?.open),
    figure('notices-final', 'stats.noticesFinal', st.notices?.final),
    ['upheld', 'dismissed', 'open'].map((r) => figure(`objections-${r}`, `stats.objections.${r}`, st.objections?.[r])),
    ['upheld', 'dismissed', 'open'].map((r) => figure(`appeals-${r}`, `stats.appeals.${r}`, st.appeals?.[r])),
    figure('decision-days', 'stats.meanDecisionDays', st.meanDecisionDays),
    figure('appeal-days', 'stats.meanAppealDays', st.meanAppealDays));
}
const AGE_BANDS = ['<18', '18-34', '35-59', '60+'];

function headlines(st) {
  return h('dl', { class: 'figures figures-big', id: 'stats-headlines' }, HEADLINES.map(([key, label, pick]) =>
    h('div', { class: ['figure', `figure-${key}`], data: { stat: key } },
      h('dt', { t: label }), h('dd', {}, num(pick(st) || 0)))));
}

// csvButton downloads one statistics table (GET /api/v1/stats/{table}.csv).
// labelledBy names it together with its table's heading for screen readers,
// so the buttons are told apart.
function csvButton(tableName, textKey, labelledBy) {
  const id = `stats-csv-${tableName}`;
  const btn = h('button', {
    type: 'button', id, class: ['btn', 'btn-secondary', 'btn-small', 'stats-csv'], t: textKey,
    data: { table: tableName }, 'aria-labelledby': labelledBy ? `${id} ${labelledBy}` : undefined,
  });
  const where = h('div', { class: 'stats-csv-error' });
  btn.addEventListener('click', () => runAction(btn, where, () =>
    api.downloadFile(`/api/v1/stats/${tableName}.csv`, `creditbank-stats-${tableName}.csv`)));
  return [btn, where];
}

// card is a statistics section with its CSV download next to the heading.
function card(titleKey, tableName, ...children) {
  const titleId = uid('s');
  const [btn, where] = csvButton(tableName, 'stats.csv', titleId);
  return h('section', { class: 'card', 'aria-labelledby': titleId, data: { statsTable: tableName } },
    h('div', { class: 'card-head' }, h('h2', { id: titleId, t: titleKey }), btn),
    where,
    ...children);
}

function tallyTable(rows, firstKey, first, caption) {
  if (!rows.length) return h('p', { class: 'empty', t: 'chart.empty' });
  return table([
    { key: firstKey, cell: first },
    { key: 'stats.count', class: 'n', cell: (r) => num(r.outcomes) },
    { key: 'stats.sum', class: 'n', cell: (r) => num(r.credits) },
  ], rows, caption);
}

export default {
  path: 'stats',
  nav: 'nav.stats',
  allowed: (me) => me?.role === 'admin',
  async render(view) {
    view.append(loading());
    const st = await api.get('/api/v1/stats');
    const byCat = CATEGORIES.filter((c) => st.byCategory?.[c]?.credits > 0)
      .map((c) => ({ labelKey: `cat.${c}`, value: st.byCategory[c].credits }))
      .sort((a, b) => b.value - a.value);
    const byMonth = (st.byMonth || []).map((m) => ({ label: m.month, value: m.credits }));
    const regions = Object.entries(st.byRegion || {}).map(([region, t]) => ({ region, ...t }))
      .sort((a, b) => b.credits - a.credits);
    const conv = STATUSES.map((s) => ({ labelKey: `conv.${s}`, value: st.conversions?.[s] || 0 }));
    const ages = AGE_BANDS.map((b) => ({ labelKey: `age.${b}`, value: st.learnersByAgeBand?.[b] || 0 }));
    const courses = CATEGORIES.filter((c) => st.coursesByCategory?.[c] > 0)
      .map((c) => ({ labelKey: `cat.${c}`, value: st.coursesByCategory[c] }))
      .sort((a, b) => b.value - a.value);
    const [summaryCsv, summaryWhere] = csvButton('summary', 'stats.csvSummary');

    view.replaceChildren(
      pageHeader('stats.title', 'stats.intro'),
      headlines(st),
      h('div', { class: 'actions stats-csv-row' }, summaryCsv),
      summaryWhere,
      h('div', { class: 'two-col' },
        card('stats.byCategory', 'byCategory', bars(byCat, 'stats.byCategory')),
        card('stats.conversions', 'conversions', bars(conv, 'stats.conversions'))),
      card('stats.byMonth', 'byMonth', h('div', { class: 'chart-months' }, bars(byMonth, 'stats.byMonth'))),
      card('stats.byInstitution', 'byInstitution', tallyTable(st.byInstitution || [], 'stats.institution', (r) => r.name || r.institutionId, 'stats.byInstitution')),
      h('div', { class: 'two-col' },
        card('stats.byRegion', 'byRegion', tallyTable(regions, 'stats.region', (r) => r.region, 'stats.byRegion')),
        card('stats.age', 'learnersByAgeBand', h('p', { class: 'hint', t: 'stats.ageHint' }), bars(ages, 'stats.age'))),
      card('stats.coursesByCategory', 'coursesByCategory', h('p', { class: 'hint', t: 'stats.coursesHint' }),
        bars(courses, 'stats.coursesByCategory')),
      h('div', { class: 'two-col' },
        section('stats.byLevel', tallyTable(st.byLevel || [], 'outcome.level', (r) => tx('level.value', { n: r.level }), 'stats.byLevel')),
        section('stats.byUnit', tallyTable(st.byUnit || [], 'stats.unit', (r) => r.unitCode, 'stats.byUnit'))),
      section('stats.fairness', fairness(st)));
  },
};
