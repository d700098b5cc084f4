// Certification units (认证单元): the public catalogue of what the bank
// certifies, each with its framework level, credits and how it is assessed.

import { h, num, table, tx, select } from '../dom.js';
import * as api from '../api.js';
import { getLang } from '../i18n.js';
import { pageHeader, loading } from '../ui.js';
import { CATEGORIES } from '../lookups.js';
import { levelName } from './framework.js';

export default {
  path: 'units',
  nav: 'nav.units',
  allowed: () => true,
  async render(view) {
    view.append(loading());
    const [units, framework] = await Promise.all([
      api.getAll('/api/v1/units?status=active'),
      api.get('/api/v1/framework').catch(() => null),
    ]);
    const levels = new Map((framework?.levels || []).map((l) => [l.level, l]));
    const filter = select('category', [['', 'units.allCategories'], ...CATEGORIES.map((c) => [c, `cat.${c}`])], { id: 'units-category' });
    const body = h('div', { id: 'units' });
    const draw = () => {
      const rows = units.filter((u) => !filter.value || u.category === filter.value);
      body.replaceChildren(rows.length ? table([
        { key: 'units.title', cell: (u) => h('span', {}, h('strong', { text: getLang() === 'en' ? u.titleEn : u.titleZh }),
          h('span', { class: 'sub', text: u.code })) },
        { key: 'outcome.level', cell: (u) => h('span', { class: 'level', data: { level: String(u.level) } }, tx('level.value', { n: u.level }),
          levels.get(u.level) ? h('span', { class: 'sub', text: levelName(levels.get(u.level)) }) : null) },
        { key: 'outcome.category', cell: (u) => tx(`cat.${u.category}`) },
        { key: 'outcome.credits', class: 'n', cell: (u) => num(u.credits) },
        { key: 'outcome.hours', class: 'n', cell: (u) => num(u.hours) },
        { key: 'units.assessment', cell: (u) => tx(`assess.${u.assessment}`) },
        { key: 'units.outcomes', own: true, cell: (u) => h('span', { text: u.learningOutcomes }) },
      ], rows, 'units.title') : h('p', { class: 'empty', t: 'units.none' }));
    };
    filter.addEventListener('change', draw);
    draw();
    view.replaceChildren(pageHeader('units.pageTitle', 'units.intro'),
      h('div', { class: 'card' }, h('label', { for: 'units-category', t: 'units.filter' }), ' ', filter), body);
  },
};
