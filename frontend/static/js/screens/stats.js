// Admin: district statistics — headline figures, credits by category and
// month, institutions and regions, conversions and learners' ages.

import { h, num, table, section } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, loading } from '../ui.js';
import { bars } from '../charts.js';
import { CATEGORIES } from '../lookups.js';

const HEADLINES = [
  ['accounts', 'stats.accounts', (s) => s.accounts],
  ['claimed', 'stats.claimed', (s) => s.claimedAccounts],
  ['outcomes', 'stats.outcomes', (s) => s.outcomes],
  ['credits', 'stats.credits', (s) => s.credits],
  ['revoked', 'stats.revoked', (s) => s.revokedOutcomes],
  ['converted', 'stats.converted', (s) => s.convertedCredits],
];

const STATUSES = ['pending', 'approved', 'rejected', 'needs_review'];
const AGE_BANDS = ['<18', '18-34', '35-59', '60+'];

function headlines(st) {
  return h('dl', { class: 'figures figures-big', id: 'stats-headlines' }, HEADLINES.map(([key, label, pick]) =>
    h('div', { class: ['figure', `figure-${key}`], data: { stat: key } },
      h('dt', { t: label }), h('dd', {}, num(pick(st) || 0)))));
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

    view.replaceChildren(
      pageHeader('stats.title', 'stats.intro'),
      headlines(st),
      h('div', { class: 'two-col' },
        section('stats.byCategory', bars(byCat, 'stats.byCategory')),
        section('stats.conversions', bars(conv, 'stats.conversions'))),
      section('stats.byMonth', h('div', { class: 'chart-months' }, bars(byMonth, 'stats.byMonth'))),
      section('stats.byInstitution', tallyTable(st.byInstitution || [], 'stats.institution', (r) => r.name || r.institutionId, 'stats.byInstitution')),
      h('div', { class: 'two-col' },
        section('stats.byRegion', tallyTable(regions, 'stats.region', (r) => r.region, 'stats.byRegion')),
        section('stats.age', bars(ages, 'stats.age'))));
  },
};
