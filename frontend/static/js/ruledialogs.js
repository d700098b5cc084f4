// Confirmations for the steps that change what learners may apply under —
// publishing, retiring, returning a submitted draft — shared by the rule
// editor and the admin's queue of submitted drafts.

import { h, field } from './dom.js';
import * as api from './api.js';
import { onSubmit, formAlert, button } from './ui.js';

// askFirst opens a modal that names the rule and what the step does; the
// step runs only on its confirm button. With noteKey the admin writes a
// note, which is required.
export function askFirst(rule, { id, titleKey, leadKeys, confirmKey, danger, noteKey, run }) {
  const titleId = `${id}-title`;
  const note = noteKey ? h('textarea', { name: 'note', rows: '3', maxlength: '1000' }) : null;
  const form = h('form', { class: 'form', id: `${id}-form` },
    h('h2', { id: titleId, t: titleKey, targs: { code: rule.code, v: rule.version } }),
    leadKeys.map((k) => h('p', { t: k })),
    note ? field({ name: 'note', label: noteKey, control: note, required: true }) : null,
    formAlert(),
    h('div', { class: 'actions' },
      button(confirmKey, { type: 'submit', kind: danger ? 'danger' : undefined }),
      button('common.cancel', { kind: 'ghost', on: { click: () => dlg.close() } })));
  const dlg = h('dialog', { class: 'dialog', id, 'aria-labelledby': titleId }, form);
  dlg.addEventListener('close', () => dlg.remove());
  onSubmit(form, async (data) => {
    await run(String(data.get('note') || '').trim());
    dlg.close();
  });
  document.body.append(dlg);
  dlg.showModal();
}

const rulePath = (rule, step) => `/api/v1/rules/${encodeURIComponent(rule.id)}/${step}`;

export function confirmPublish(rule, done) {
  askFirst(rule, {
    id: 'publish-dialog', titleKey: 'ruleDlg.publishTitle', confirmKey: 'ruleDlg.publishConfirm',
    leadKeys: ['ruleDlg.publishLead', 'ruleDlg.publishOlder'],
    run: async () => done(await api.post(rulePath(rule, 'publish'))),
  });
}

export function confirmRetire(rule, done) {
  askFirst(rule, {
    id: 'retire-dialog', titleKey: 'ruleDlg.retireTitle', confirmKey: 'ruleDlg.retireConfirm', danger: true,
    leadKeys: ['ruleDlg.retireLead', 'ruleDlg.retireKept'],
    run: async () => done(await api.post(rulePath(rule, 'retire'))),
  });
}

export function confirmReturn(rule, done) {
  askFirst(rule, {
    id: 'return-dialog', titleKey: 'ruleDlg.returnTitle', confirmKey: 'ruleDlg.returnConfirm', noteKey: 'ruleDlg.returnNote',
    leadKeys: ['ruleDlg.returnLead'],
    run: async (note) => done(await api.post(rulePath(rule, 'return'), { note })),
  });
}
