// A refusal is confirmed in a modal dialog that names the learner and the
// rule and asks for the reason, which the learner is shown: on the
// conversion and in their notices. The bank refuses an empty reason too
// (422 on note), and the dialog shows that beside the field.

import { h, field } from './dom.js';
import * as api from './api.js';
import { button, onSubmit, formAlert } from './ui.js';

export function rejectDialog(conv, draft, onDecided) {
  const note = h('textarea', { rows: '3', maxlength: '500' });
  note.value = draft || '';
  const titleId = `reject-title-${conv.id}`;
  const form = h('form', { class: 'form', id: 'reject-form' },
    h('h2', { id: titleId, t: 'reject.title' }),
    h('p', { id: 'reject-what', t: 'reject.confirm', targs: { rule: conv.ruleName || conv.ruleCode || '', learner: conv.learnerName || '' } }),
    formAlert(),
    field({ name: 'note', label: 'reject.reason', hint: 'reject.reasonHint', control: note, required: true }),
    h('div', { class: 'actions' },
      button('reject.submit', { type: 'submit', kind: 'danger' }),
      button('common.cancel', { kind: 'ghost', on: { click: () => dlg.close() } })));
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId }, form);
  dlg.addEventListener('close', () => dlg.remove());
  onSubmit(form, async (data) => {
    const decided = await api.post(`/api/v1/conversions/${encodeURIComponent(conv.id)}/reject`, { note: String(data.get('note')).trim() });
    dlg.close();
    onDecided(decided);
  });
  document.body.append(dlg);
  dlg.showModal();
  note.focus();
}
