// Public: search every institution's course catalogue (课程目录). Chinese
// text matches anywhere in a title, so 书法 finds 硬笔书法入门.

import { h, tx, num, date, field, table } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, button, onSubmit, formAlert, onLoadMore } from '../ui.js';
import { CATEGORIES, institutions, byId } from '../lookups.js';

// contactView is how to reach an institution to enrol: its address, a
// telephone number to call and its web site, whichever it has given.
export function contactView(inst, cls = 'contact') {
  if (!inst || !(inst.address || inst.phone || inst.website)) return null;
  return h('span', { class: ['contact', cls] },
    inst.address ? h('span', { class: 'contact-address' }, h('span', { t: 'contact.address' }), ' ', h('span', { text: inst.address })) : null,
    inst.phone ? [' ', h('span', { class: 'contact-phone' }, h('span', { t: 'contact.phone' }), ' ',
      h('a', { href: `tel:${inst.phone.replace(/[^0-9+]/g, '')}`, text: inst.phone }))] : null,
    inst.website && /^https?:\/\//.test(inst.website) ? [' ', h('a', { class: 'contact-website', href: inst.website, rel: 'noopener', target: '_blank', t: 'contact.website' })] : null);
}

const PAGE = 20;

export function whereCell(c) {
  return c.online ? h('span', {}, tx('course.online'), c.place ? [' · ', h('span', { text: c.place })] : null)
    : h('span', { text: c.place || '—' });
}

// courseColumns are the columns every course table shows; afterTitle go
// between the title and the rest.
export function courseColumns(afterTitle = []) {
  return [
    { key: 'course.title', own: true, cell: (c) => h('span', {}, h('strong', { text: c.title }), h('span', { class: 'sub', text: c.code })) },
    ...afterTitle,
    { key: 'course.category', cell: (c) => tx(`cat.${c.category}`) },
    { key: 'course.hours', class: 'n', cell: (c) => num(c.hours) },
    // Stated credits, else what the bank's policy gives for the hours.
    { key: 'course.credits', class: 'n', cell: (c) => (c.credits || c.bankCredits ? num(c.credits || c.bankCredits) : '—') },
    { key: 'course.nextStart', cell: (c) => date(c.nextStart) },
    { key: 'course.where', own: true, cell: whereCell },
    { key: 'course.capacity', own: true, cell: (c) => c.capacityNote || '—' },
  ];
}

function resultsTable(items, names) {
  return table(courseColumns([
    { key: 'course.institution', own: true, cell: (c) => h('span', {}, names.get(c.institutionId)?.name || '—',
      contactView(names.get(c.institutionId), 'sub')) },
  ]), items, 'courses.results');
}

export default {
  path: 'courses',
  nav: 'nav.courses',
  allowed: () => true,
  async render(view) {
    const insts = await institutions().catch(() => []);
    const names = byId(insts);
    const issuing = insts.filter((i) => (i.capabilities || []).includes('issue'));
    const q = h('input', { type: 'search', name: 'q', maxlength: '50', tattr: { placeholder: 'courses.qHint' } });
    const cat = h('select', { name: 'category' }, h('option', { value: '', t: 'courses.anyCategory' }),
      CATEGORIES.map((c) => h('option', { value: c, t: `cat.${c}` })));
    const inst = h('select', { name: 'institution' }, h('option', { value: '', t: 'courses.anyInstitution' }),
      issuing.map((i) => h('option', { value: i.id, text: i.name })));
    const listSlot = h('div', { id: 'course-results', 'aria-live': 'polite' });
    const moreSlot = h('div', { class: 'actions' });
    const errSlot = h('div', {});
    const more = button('common.more', { kind: 'secondary' });
    let items = [];
    let cursor = '';
    let query = '';
    const draw = () => {
      listSlot.replaceChildren(items.length ? resultsTable(items, names) : h('p', { class: 'empty', t: 'courses.none' }));
      moreSlot.replaceChildren();
      if (cursor) moreSlot.append(more);
    };
    const load = async () => {
      const page = await api.get(`/api/v1/courses?${query}&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...(page.items || []));
      cursor = page.nextCursor || '';
      draw();
    };
    onLoadMore(more, load, errSlot);
    const form = h('form', { class: 'form form-inline', id: 'course-search', role: 'search' },
      formAlert(),
      field({ name: 'q', label: 'courses.q', control: q }),
      field({ name: 'category', label: 'course.category', control: cat }),
      field({ name: 'institution', label: 'course.institution', control: inst }),
      h('div', { class: 'actions' }, button('courses.search', { type: 'submit' })));
    onSubmit(form, async (data) => {
      const p = new URLSearchParams();
      for (const k of ['q', 'category', 'institution']) {
        const v = String(data.get(k) || '').trim();
        if (v) p.set(k, v);
      }
      query = p.toString();
      items = [];
      cursor = '';
      await load();
    });
    view.append(pageHeader('courses.title', 'courses.intro'), h('div', { class: 'card' }, form), h('div', { class: 'card' }, listSlot, moreSlot, errSlot));
    await load();
  },
};
