// Institution console: the course catalogue (课程目录) this institution
// publishes — add, edit and withdraw courses. Staff with the issue or manage
// permission of an issuing institution keep it.

import { h, tx, field, select, table } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, button, loading, onSubmit, formAlert, onLoadMore, runAction } from '../ui.js';
import { courseColumns } from './courses.js';

const PAGE = 50;

export const canEditCatalogue = (me) => me?.role === 'staff' && (me.capabilities || []).includes('issue') &&
  ((me.perms || []).includes('issue') || (me.perms || []).includes('manage'));

function optionalNumber(data, name) {
  const raw = String(data.get(name) || '').trim();
  return raw === '' ? undefined : Number(raw);
}

// courseForm edits one course (or a new one when course is null); onSaved
// receives the stored course.
function courseForm(categories, course, onSaved, onCancel) {
  const online = h('input', { type: 'checkbox', name: 'online', checked: Boolean(course?.online) });
  const form = h('form', { class: 'form form-wide', id: 'course-form' },
    h('h2', { t: course ? 'catalogue.edit' : 'catalogue.add', tabindex: '-1' }),
    formAlert(),
    h('div', { class: 'grid-2' },
      field({ name: 'code', label: 'course.code', hint: 'catalogue.codeHint', required: true, attrs: { maxlength: '64', spellcheck: 'false' } }),
      field({ name: 'title', label: 'course.title', required: true, attrs: { maxlength: '200' } }),
      field({ name: 'category', label: 'course.category', required: true, control: select('category', categories.map((c) => [c, `cat.${c}`])) }),
      field({ name: 'hours', label: 'course.hours', required: true, type: 'number', attrs: { min: '0.5', max: '2000', step: '0.5', inputmode: 'decimal' } }),
      field({ name: 'credits', label: 'course.credits', hint: 'catalogue.creditsHint', type: 'number', attrs: { min: '0.5', max: '60', step: '0.5', inputmode: 'decimal' } }),
      field({ name: 'level', label: 'issue.level', hint: 'issue.levelHint', type: 'number', attrs: { min: '0', max: '10', step: '1', inputmode: 'numeric' } }),
      field({ name: 'nextStart', label: 'course.nextStart', type: 'date' }),
      field({ name: 'place', label: 'course.place', hint: 'catalogue.placeHint', attrs: { maxlength: '100' } }),
      field({ name: 'capacityNote', label: 'course.capacity', hint: 'catalogue.capacityHint', attrs: { maxlength: '100' } }),
      h('div', { class: 'field check' }, online, ' ', h('label', { t: 'course.onlineLabel', for: null }))),
    h('div', { class: 'actions' },
      button(course ? 'catalogue.save' : 'catalogue.create', { type: 'submit' }),
      course ? button('common.cancel', { kind: 'ghost', on: { click: onCancel } }) : null));
  // The checkbox label is linked by id so that it can be clicked and read.
  online.id = `online-${course?.id || 'new'}`;
  form.querySelector('.check label').htmlFor = online.id;
  if (course) {
    for (const k of ['code', 'title', 'category', 'hours', 'credits', 'level', 'nextStart', 'place', 'capacityNote']) {
      const el = form.querySelector(`[name="${k}"]`);
      if (el && course[k] !== undefined && course[k] !== null) el.value = String(course[k]);
    }
  }
  onSubmit(form, async (data) => {
    const body = {
      code: String(data.get('code')).trim(),
      title: String(data.get('title')).trim(),
      category: String(data.get('category') || ''),
      hours: optionalNumber(data, 'hours') ?? 0,
      level: optionalNumber(data, 'level') ?? 0,
      online: online.checked,
      place: String(data.get('place')).trim(),
      capacityNote: String(data.get('capacityNote')).trim(),
    };
    const credits = optionalNumber(data, 'credits');
    if (credits !== undefined) body.credits = credits;
    if (data.get('nextStart')) body.nextStart = String(data.get('nextStart'));
    let saved;
    if (course) {
      body.version = course.version;
      saved = await api.put(`/api/v1/courses/${encodeURIComponent(course.id)}`, body);
    } else {
      saved = await api.post('/api/v1/institutions/me/courses', body);
      form.reset();
    }
    onSaved(saved);
  }, 'catalogue');
  return form;
}

function rowsTable(items, onEdit, onDelete) {
  return table([
    ...courseColumns(),
    { key: 'common.actions', cell: (c) => h('span', { class: 'row-actions' },
      button('catalogue.editAction', { kind: 'ghost', on: { click: () => onEdit(c) }, attrs: { 'aria-label': null, data: { action: 'edit' } } }), ' ',
      deleteButton(c, onDelete)) },
  ], items, 'catalogue.title');
}

// deleteButton asks once more before withdrawing a course: the first press
// turns it into a confirmation, which works from the keyboard as well.
function deleteButton(course, onDelete) {
  const where = h('span', { class: 'row-error' });
  const btn = button('catalogue.deleteAction', { kind: 'danger-ghost', attrs: { data: { action: 'delete' } } });
  btn.addEventListener('click', () => {
    if (btn.dataset.armed !== '1') {
      btn.dataset.armed = '1';
      btn.dataset.i18n = 'catalogue.deleteConfirm';
      btn.textContent = tx('catalogue.deleteConfirm').textContent;
      return;
    }
    runAction(btn, where, async () => {
      await api.del(`/api/v1/courses/${encodeURIComponent(course.id)}?version=${course.version}`);
      onDelete(course);
    });
  });
  return h('span', {}, btn, where);
}

export default {
  path: 'catalogue',
  nav: 'nav.catalogue',
  allowed: canEditCatalogue,
  async render(view, ctx) {
    view.append(loading());
    const inst = await api.get(`/api/v1/institutions/${encodeURIComponent(ctx.me.institutionId)}`);
    const categories = inst.categories || [];
    const items = [];
    let cursor = '';
    const listSlot = h('div', { id: 'catalogue-list' });
    const formSlot = h('div', { class: 'card' });
    const moreSlot = h('div', { class: 'actions' });
    const errSlot = h('div', {});
    const more = button('common.more', { kind: 'secondary' });
    const status = h('p', { class: 'sr-only', role: 'status' });

    const showNew = () => formSlot.replaceChildren(courseForm(categories, null, (c) => {
      items.unshift(c);
      status.textContent = tx('catalogue.created', { title: c.title }).textContent;
      draw();
    }));
    const showEdit = (course) => {
      formSlot.replaceChildren(courseForm(categories, course, (saved) => {
        const i = items.findIndex((x) => x.id === saved.id);
        if (i >= 0) items[i] = saved;
        status.textContent = tx('catalogue.saved', { title: saved.title }).textContent;
        draw();
        showNew();
      }, showNew));
      formSlot.querySelector('h2').focus();
    };
    const draw = () => {
      listSlot.replaceChildren(items.length
        ? rowsTable(items, showEdit, (gone) => {
          items.splice(items.findIndex((x) => x.id === gone.id), 1);
          status.textContent = tx('catalogue.deleted', { title: gone.title }).textContent;
          draw();
        })
        : h('p', { class: 'empty', t: 'catalogue.none' }));
      moreSlot.replaceChildren();
      if (cursor) moreSlot.append(more);
    };
    const load = async () => {
      const page = await api.get(`/api/v1/institutions/me/courses?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      items.push(...(page.items || []));
      cursor = page.nextCursor || '';
      draw();
    };
    onLoadMore(more, load, errSlot);
    await load();
    showNew();
    view.replaceChildren(
      pageHeader('catalogue.title', 'catalogue.intro'),
      h('p', { class: 'issuer-line' }, tx('issue.as'), ' ', h('strong', { text: inst.name })),
      status,
      formSlot,
      h('div', { class: 'card' }, listSlot, moreSlot, errSlot));
  },
};
