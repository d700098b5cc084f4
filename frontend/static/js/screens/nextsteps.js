// Learner: "下一步 / Next steps" — alerts first (expiring certificates,
// conversions to look at, sharing that ends soon), then one pathway per
// conversion rule: ready to apply, or what is missing and the catalogue
// courses that would close the gap.

import { h, tx, num, date, section, badge } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, loading } from '../ui.js';
import { institutions, byId } from '../lookups.js';
import { targetText } from './convert.js';
import { shortfallView } from '../evaluation.js';
import { contactView } from './courses.js';

// alertLine words one alert; the institution name comes from the directory.
function alertLine(a, names) {
  const inst = names.get(a.institutionId)?.name || '';
  const args = { title: a.title || '', days: a.daysLeft ?? 0, institution: inst };
  let link = null;
  if (a.kind === 'grant_ending') link = h('a', { href: '#/sharing', t: 'next.toSharing' });
  else if (a.kind.startsWith('conversion_') || a.kind.startsWith('outcome_')) link = h('a', { href: '#/record', t: 'next.toRecord' });
  const instant = a.kind.startsWith('conversion_') || a.kind.startsWith('outcome_');
  return h('li', { class: ['alert-item', a.new ? 'alert-new' : null], data: { kind: a.kind } },
    a.new ? h('span', { class: 'badge badge-pending', t: 'next.new' }) : null, ' ',
    tx(`alert.${a.kind}`, args),
    a.status ? [' ', badge(`conv.${a.status}`, a.status)] : null,
    ' ', h('span', { class: 'sub-inline' }, date(a.at, instant)),
    link ? [' ', link] : null,
    a.note ? h('p', { class: 'alert-reason', t: 'alert.reason', targs: { note: a.note } }) : null);
}

// historyView lists every notice the learner has had, seen or not, folded
// away under its count so that the page leads with what is new.
function historyView(items, names) {
  return h('section', { class: 'card', id: 'notice-history', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title', t: 'history.title' }),
    h('p', { class: 'hint', t: 'history.intro' }),
    items.length
      ? h('details', { class: 'history' },
        h('summary', { t: 'history.open', targs: { n: items.length } }),
        h('ul', { id: 'history-list', class: 'alert-list' }, items.map((a) => alertLine(a, names))))
      : h('p', { class: 'empty', t: 'history.none' }));
}

function courseLine(c, names) {
  const where = c.online ? tx('course.online') : h('span', { text: c.place || '' });
  const inst = names.get(c.institutionId);
  const credits = c.credits || c.bankCredits;
  return h('li', { class: 'course-item', data: { courseCode: c.code } },
    h('strong', { text: c.title }), ' ', h('code', { text: c.code }),
    credits ? [' ', h('span', { class: 'course-credits', t: 'next.courseCredits', targs: { n: { num: credits } } })] : null,
    h('span', { class: 'sub' },
      inst?.name || '', ' · ', tx(`cat.${c.category}`), ' · ',
      num(c.hours), ' ', tx('unit.hours'), ' · ', where,
      c.nextStart ? [' · ', tx('course.startsOn'), ' ', date(c.nextStart)] : null,
      c.capacityNote ? [' · ', h('span', { text: c.capacityNote })] : null),
    h('span', { class: 'sub enrol' }, h('span', { t: 'next.enrol' }), ' ', contactView(inst) || h('span', { t: 'contact.none' })));
}

function suggestionView(s, i, names) {
  return h('li', { class: 'suggestion', data: { rank: String(i + 1) } },
    h('p', { class: 'suggestion-head' },
      h('strong', { t: 'next.option', targs: { n: i + 1 } }), ' ',
      h('span', { class: 'sub-inline' }, num(s.totalHours), ' ', tx('unit.hours'), ' · ', num(s.credits), ' ', tx('unit.credits'),
        s.startsOn ? [' · ', tx('course.startsOn'), ' ', date(s.startsOn)] : null)),
    h('ul', { class: 'course-list' }, s.courses.map((c) => courseLine(c, names))));
}

function pathwayCard(p, names) {
  const r = p.rule;
  const titleId = `pathway-${r.id}`;
  const ready = p.status === 'ready';
  return h('article', { class: 'card pathway', 'aria-labelledby': titleId, data: { ruleCode: r.code, status: p.status } },
    h('h3', { id: titleId, text: r.name }),
    h('p', { class: 'tags' },
      badge(ready ? 'next.ready' : 'next.short', ready ? 'approved' : 'pending'), ' ',
      h('span', { class: 'badge badge-neutral', t: `purpose.${r.purpose}` }), ' ',
      h('span', { class: 'sub-inline', text: names.get(r.institutionId)?.name || '' }), ' · ', targetText(r.target)),
    ready
      ? h('p', {}, tx('next.readyText'), ' ', h('a', { href: '#/convert', t: 'next.toConvert' }))
      : [
        p.shortfall ? shortfallView(p.shortfall) : null,
        p.suggestions.length
          ? [h('h4', { t: 'next.suggested' }), h('ol', { class: 'suggestion-list' }, p.suggestions.map((s, i) => suggestionView(s, i, names)))]
          : h('p', { class: 'empty', t: 'next.noCourses' }),
      ]);
}

// markSeen tells the bank the learner has seen the alerts as listed; a
// failure only means they show as new once more, so it is not reported.
function markSeen(alerts) {
  if (!alerts.unseen) return;
  api.post('/api/v1/learners/me/alerts/seen', { seenAt: alerts.asOf }).catch(() => {});
}

export default {
  path: 'next',
  nav: 'nav.next',
  allowed: (me) => me?.role === 'learner',
  async render(view) {
    view.append(loading());
    const [alerts, pathways, insts, history] = await Promise.all([
      api.get('/api/v1/learners/me/alerts'),
      api.get('/api/v1/learners/me/pathways'),
      institutions().catch(() => []),
      api.get('/api/v1/learners/me/alerts/history'),
    ]);
    const names = byId(insts);
    const items = alerts.items || [];
    const ps = pathways.items || [];
    const ready = ps.filter((p) => p.status === 'ready');
    const short = ps.filter((p) => p.status !== 'ready');
    view.replaceChildren(
      pageHeader('next.title', 'next.intro'),
      section('next.alerts',
        h('p', { id: 'alert-count' }, h('span', { class: 'count-badge', text: String(alerts.unseen || 0) }), ' ', tx('next.unseen')),
        items.length ? h('ul', { id: 'alert-list', class: 'alert-list' }, items.map((a) => alertLine(a, names)))
          : h('p', { class: 'empty', t: 'next.noAlerts' })),
      historyView(history.items || [], names),
      section('next.readyTitle', ready.length
        ? h('div', { id: 'pathways-ready' }, ready.map((p) => pathwayCard(p, names)))
        : h('p', { class: 'empty', t: 'next.noneReady' })),
      section('next.pathways', short.length
        ? h('div', { id: 'pathways' }, short.map((p) => pathwayCard(p, names)))
        : h('p', { class: 'empty', t: 'next.nonePathways' })));
    markSeen(alerts);
  },
};
