// Issue one outcome (staff with the issue permission). The credits shown
// afterwards are the bank's, computed from the hours by the credit policy
// unless the institution stated them.

import { h, field, num, select, tx } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, loading } from '../ui.js';

export const canIssue = (me) => (me?.role === 'staff' || me?.role === 'client') && (me.perms || []).includes('issue');

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// resultFields shows only the input for the chosen kind of result.
function resultFields() {
  const kind = select('resultKind', [['score', 'result.score'], ['grade', 'result.grade'], ['passed', 'result.passed']]);
  const score = field({ name: 'result.score', label: 'issue.score', hint: 'issue.scoreHint', type: 'number',
    attrs: { min: '0', max: '100', step: '0.5', inputmode: 'decimal' } });
  const grade = field({ name: 'result.grade', label: 'issue.gradeValue',
    control: select('grade', [['A', 'grade.A'], ['B', 'grade.B'], ['C', 'grade.C'], ['D', 'grade.D'], ['E', 'grade.E'], ['F', 'grade.F']]) });
  const passed = h('p', { class: 'hint', t: 'issue.passedNote' });
  const show = () => {
    score.hidden = kind.value !== 'score';
    grade.hidden = kind.value !== 'grade';
    passed.hidden = kind.value !== 'passed';
  };
  kind.addEventListener('change', show);
  show();
  return h('fieldset', { class: 'field-group' },
    h('legend', { t: 'issue.result' }),
    field({ name: 'result', label: 'issue.resultKind', control: kind }),
    score, grade, passed);
}

function readResult(data) {
  switch (data.get('resultKind')) {
    case 'score': {
      // An empty score is sent as no result at all, so the server reports it
      // together with every other problem of the form.
      const raw = String(data.get('result.score') || '').trim();
      return raw === '' ? {} : { score: Number(raw) };
    }
    case 'grade':
      return { grade: String(data.get('grade')) };
    default:
      return { passed: true };
  }
}

function optionalNumber(data, name) {
  const raw = String(data.get(name) || '').trim();
  return raw === '' ? undefined : Number(raw);
}

function issuedPanel(o) {
  return h('div', { class: 'alert alert-success issued-result', id: 'issue-result', role: 'status' },
    h('p', { class: 'alert-title', t: 'issue.done', targs: { title: o.title } }),
    h('p', { class: 'big-credits' }, tx('issue.creditsBanked'), ' ',
      h('strong', { id: 'issued-credits' }, num(o.credits)), ' ', tx('unit.credits')),
    h('p', { t: o.creditsStated ? 'issue.creditsStated' : 'issue.creditsComputed', targs: { hours: o.hours } }),
    o.accountCreated ? h('p', { t: 'issue.accountCreated' }) : null,
    h('p', {}, h('a', { href: '#/issued', t: 'issue.seeList' })));
}

// coursePicker lets the issuer name a course of the institution's catalogue:
// choosing one fills title, category, code and hours (the bank refuses an
// outcome that contradicts its course, so they stay editable only within it).
function coursePicker(courses) {
  const pick = h('select', { name: 'courseId' }, h('option', { value: '', t: 'issue.noCatalogueCourse' }),
    courses.map((c) => h('option', { value: c.id, text: `${c.title}（${c.code}）` })));
  pick.addEventListener('change', () => {
    const c = courses.find((x) => x.id === pick.value);
    if (!c) return;
    const form = pick.form;
    const set = (name, v) => {
      const el = form.querySelector(`[name="${name}"]`);
      if (el) el.value = v === undefined || v === null ? '' : String(v);
    };
    set('title', c.title);
    set('category', c.category);
    set('courseCode', c.code);
    set('hours', c.hours);
    set('credits', c.credits);
    set('level', c.level || '');
  });
  return field({ name: 'courseId', label: 'issue.catalogueCourse', hint: 'issue.catalogueCourseHint', control: pick });
}

export default {
  path: 'issue',
  nav: 'nav.issue',
  allowed: canIssue,
  async render(view, ctx) {
    view.append(loading());
    const [inst, courses] = await Promise.all([
      api.get(`/api/v1/institutions/${encodeURIComponent(ctx.me.institutionId)}`),
      // The catalogue only helps fill the form; without it the form works.
      api.getAll('/api/v1/institutions/me/courses').catch(() => []),
    ]);
    const categories = inst.categories || [];
    const result = h('div', {});
    const form = h('form', { class: 'form form-wide', id: 'issue-form' },
      formAlert(),
      h('fieldset', { class: 'field-group' },
        h('legend', { t: 'issue.learner' }),
        h('div', { class: 'grid-2' },
          field({ name: 'learner.nationalId', label: 'issue.nationalId', hint: 'register.nationalIdHint', required: true,
            attrs: { autocomplete: 'off', maxlength: '18', spellcheck: 'false' } }),
          field({ name: 'learner.name', label: 'issue.name', required: true, attrs: { autocomplete: 'off' } }))),
      h('fieldset', { class: 'field-group' },
        h('legend', { t: 'issue.course' }),
        courses.length ? coursePicker(courses) : null,
        h('div', { class: 'grid-2' },
          field({ name: 'category', label: 'issue.category', required: true,
            control: select('category', categories.map((c) => [c, `cat.${c}`])) }),
          field({ name: 'title', label: 'issue.courseTitle', required: true, attrs: { maxlength: '200' } }),
          field({ name: 'courseCode', label: 'issue.courseCode', attrs: { maxlength: '64', spellcheck: 'false' } }),
          field({ name: 'level', label: 'issue.level', hint: 'issue.levelHint', type: 'number',
            attrs: { min: '0', max: '10', step: '1', inputmode: 'numeric' } }),
          field({ name: 'hours', label: 'issue.hours', required: true, type: 'number',
            attrs: { min: '0.5', max: '2000', step: '0.5', inputmode: 'decimal' } }),
          field({ name: 'credits', label: 'issue.credits', hint: 'issue.creditsHint', type: 'number',
            attrs: { min: '0.5', max: '60', step: '0.5', inputmode: 'decimal' } }),
          field({ name: 'completedOn', label: 'issue.completedOn', required: true, type: 'date', attrs: { max: today() } }),
          field({ name: 'expiresOn', label: 'issue.expiresOn', hint: 'issue.expiresHint', type: 'date' }))),
      resultFields(),
      h('div', { class: 'actions' }, button('issue.submit', { type: 'submit' })),
    );
    onSubmit(form, async (data) => {
      result.replaceChildren();
      const body = {
        learner: {
          nationalId: String(data.get('learner.nationalId')).trim().toUpperCase(),
          name: String(data.get('learner.name')).trim(),
        },
        category: String(data.get('category') || ''),
        title: String(data.get('title')).trim(),
        courseCode: String(data.get('courseCode')).trim(),
        hours: optionalNumber(data, 'hours') ?? 0,
        result: readResult(data),
        completedOn: String(data.get('completedOn')),
      };
      const credits = optionalNumber(data, 'credits');
      if (credits !== undefined) body.credits = credits;
      if (data.get('courseId')) body.courseId = String(data.get('courseId'));
      const level = optionalNumber(data, 'level');
      if (level !== undefined) body.level = level;
      if (data.get('expiresOn')) body.expiresOn = String(data.get('expiresOn'));
      const o = await api.post('/api/v1/outcomes', body);
      result.replaceChildren(issuedPanel(o));
      // Keep the learner and course for the next certificate of the same
      // class; clear what differs per learner.
      form.querySelector('[name="learner.nationalId"]').value = '';
      form.querySelector('[name="learner.name"]').value = '';
      result.querySelector('h2, .alert-title')?.setAttribute('tabindex', '-1');
      result.querySelector('.alert-title')?.focus();
    }, 'issue');
    view.replaceChildren(
      pageHeader('issue.title', 'issue.intro'),
      h('p', { class: 'issuer-line' }, tx('issue.as'), ' ', h('strong', { text: inst.name })),
      result,
      h('div', { class: 'card' }, form));
  },
};
