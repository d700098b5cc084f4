// The learning-outcomes framework (学习成果框架): anyone may read it; the
// admin edits the levels' names and descriptors, each save a new version.

import { h, field, num, tx, section } from '../dom.js';
import * as api from '../api.js';
import { getLang } from '../i18n.js';
import { onSubmit, formAlert, pageHeader, button, loading } from '../ui.js';

// levelName is a level's name in the reader's language, the other after it.
export function levelName(l) {
  return getLang() === 'en' ? l.nameEn || l.nameZh : l.nameZh || l.nameEn;
}

const DESCRIPTORS = ['knowledge', 'skills', 'competence'];

function levelView(l) {
  return h('article', { class: 'card level-card', data: { level: String(l.level) } },
    h('h3', {}, h('span', { t: 'framework.levelHeading', targs: { n: l.level } }), ' ',
      h('span', { class: 'level-name', text: levelName(l) })),
    h('dl', { class: 'kv' },
      DESCRIPTORS.map((d) => [h('dt', { t: `framework.${d}` }), h('dd', { text: l[d], data: { ownWords: '' } })]),
      h('dt', { t: 'framework.eqf' }),
      h('dd', {}, l.eqf ? tx('framework.eqfValue', { n: l.eqf }) : tx('framework.eqfNone'))));
}

function text(name, label, value, multiline) {
  const control = multiline ? h('textarea', { name, rows: 2 }, value || '') : h('input', { type: 'text', name, value: value || '' });
  return field({ name, label, control, required: true });
}

function levelFields(l, i) {
  const p = `levels[${i}]`;
  return h('fieldset', { class: 'card level-edit', data: { level: String(l.level) } },
    h('legend', { t: 'framework.levelHeading', targs: { n: l.level } }),
    h('div', { class: 'grid-2' }, text(`${p}.nameZh`, 'framework.nameZh', l.nameZh), text(`${p}.nameEn`, 'framework.nameEn', l.nameEn)),
    DESCRIPTORS.map((d) => text(`${p}.${d}`, `framework.${d}`, l[d], true)),
    field({ name: `${p}.eqf`, label: 'framework.eqf', type: 'number',
      attrs: { min: '0', max: '8', step: '1', inputmode: 'numeric', value: String(l.eqf || 0) } }));
}

export default {
  path: 'framework',
  nav: 'nav.framework',
  allowed: () => true,
  async render(view, ctx) {
    view.append(loading());
    let fw = await api.get('/api/v1/framework');
    const admin = ctx.me?.role === 'admin';
    const version = h('p', { class: 'hint', id: 'framework-version' });
    const showVersion = () => version.replaceChildren(tx('framework.version'), ' ', num(fw.version));
    showVersion();
    const head = pageHeader('framework.title', 'framework.intro');
    if (!fw.levels.length) {
      view.replaceChildren(head, h('p', { class: 'empty', t: 'framework.none' }));
      return;
    }
    const title = h('h2', { id: 'framework-name', text: getLang() === 'en' ? fw.nameEn : fw.nameZh });
    const note = fw.note ? h('p', { class: 'alert alert-warning', id: 'framework-note', text: fw.note, data: { ownWords: '' } }) : null;
    if (!admin) {
      view.replaceChildren(head, h('section', { class: 'card' }, title, note, version),
        h('div', { id: 'framework-levels' }, fw.levels.map(levelView)));
      return;
    }
    const done = h('div', {});
    const form = h('form', { class: 'form', id: 'framework-form' },
      formAlert(),
      h('p', { class: 'hint', t: 'framework.editIntro' }),
      h('div', { class: 'grid-2' }, text('nameZh', 'framework.frameworkNameZh', fw.nameZh), text('nameEn', 'framework.frameworkNameEn', fw.nameEn)),
      field({ name: 'note', label: 'framework.note', control: h('textarea', { name: 'note', rows: 3 }, fw.note || '') }),
      fw.levels.map(levelFields),
      h('div', { class: 'actions' }, button('framework.save', { type: 'submit' })));
    onSubmit(form, async (data) => {
      done.replaceChildren();
      const levels = fw.levels.map((l, i) => {
        const p = `levels[${i}]`;
        return { level: l.level, nameZh: data.get(`${p}.nameZh`), nameEn: data.get(`${p}.nameEn`),
          knowledge: data.get(`${p}.knowledge`), skills: data.get(`${p}.skills`), competence: data.get(`${p}.competence`),
          eqf: Number(data.get(`${p}.eqf`)) || 0 };
      });
      fw = await api.put('/api/v1/framework', { nameZh: data.get('nameZh'), nameEn: data.get('nameEn'), note: data.get('note'),
        levels, version: fw.version });
      showVersion();
      done.append(h('p', { class: 'alert alert-success', role: 'status', id: 'framework-saved', t: 'framework.saved' }));
    });
    view.replaceChildren(head, section('framework.title', title, note, version, form, done));
  },
};
