// The centre's front desk (服务台): find a resident's account by national ID
// and, once the resident has been identified in person, reset their
// password so they can register again. Their banked outcomes stay.

import { h, field, badge, date, uid } from '../dom.js';
import * as api from '../api.js';
import { ApiError } from '../api.js';
import { onSubmit, formAlert, pageHeader, button, setFieldError } from '../ui.js';

// resetDialog asks the admin to confirm, in a modal dialog like revoking an
// outcome, that they checked the resident's identity document in person:
// a reset hands the account to whoever registers next with that ID and name.
function resetDialog(account, onReset) {
  const titleId = uid('reset-title');
  const check = h('input', { type: 'checkbox', name: 'identified', value: 'yes', id: uid('c') });
  const errId = `${check.id}-err`;
  check.setAttribute('aria-describedby', errId);
  const form = h('form', { class: 'form', id: 'reset-form' },
    h('h2', { id: titleId, t: 'desk.resetTitle' }),
    h('p', { t: 'desk.resetConfirm', targs: { name: account.name, id: account.nationalId } }),
    h('ul', { class: 'ticks' },
      h('li', { t: 'desk.resetStep1' }),
      h('li', { t: 'desk.resetStep2' }),
      h('li', { t: 'desk.resetStep3' })),
    formAlert(),
    h('div', { class: 'field check-field', data: { field: 'identified' } },
      h('span', { class: 'check' }, check, h('label', { for: check.id, t: 'desk.identified' })),
      h('p', { class: 'field-error', id: errId, hidden: true, data: { errorFor: 'identified' } })),
    h('div', { class: 'actions' },
      button('desk.resetSubmit', { type: 'submit', kind: 'danger' }),
      button('common.cancel', { kind: 'ghost', on: { click: () => dlg.close() } })));
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId }, form);
  dlg.addEventListener('close', () => dlg.remove());
  onSubmit(form, async (data) => {
    if (!data.get('identified')) {
      setFieldError(form, 'identified', '', 'desk.identifiedRequired');
      throw new ApiError(422, 'invalid', '', []);
    }
    const acc = await api.post(`/api/v1/learners/${encodeURIComponent(account.id)}/reset`, {});
    dlg.close();
    onReset(acc);
  });
  document.body.append(dlg);
  dlg.showModal();
  check.focus();
}

function accountCard(acc, justReset, redraw) {
  const claimed = acc.claimed === true;
  const explain = claimed
    ? h('div', { class: 'alert alert-success', id: 'lookup-claimed' },
      h('p', { class: 'alert-title', t: 'desk.claimed' }),
      h('p', { t: 'desk.claimedHelp' }))
    : h('div', { class: 'alert alert-warning', id: 'lookup-claimed' },
      h('p', { class: 'alert-title', t: justReset ? 'desk.resetDone' : 'desk.unclaimed' }),
      h('p', { t: 'desk.unclaimedHelp' }));
  return h('section', { class: 'card', 'aria-labelledby': 'lookup-name', data: { claimed: String(claimed) } },
    h('div', { class: 'card-head' },
      h('h2', { id: 'lookup-name', tabindex: '-1', text: acc.name }),
      h('span', { class: 'tags' },
        badge(claimed ? 'desk.badgeClaimed' : 'desk.badgeUnclaimed', claimed ? 'active' : 'pending'),
        acc.status === 'active' ? null : badge(`acct.${acc.status}`, 'revoked'))),
    h('dl', { class: 'kv' },
      h('dt', { t: 'record.nationalId' }), h('dd', {}, h('span', { class: 'masked', id: 'lookup-id', text: acc.nationalId })),
      acc.phone ? [h('dt', { t: 'record.phone' }), h('dd', {}, h('span', { class: 'masked', text: acc.phone }))] : null,
      h('dt', { t: 'transcript.birthYear' }), h('dd', { text: String(acc.birthYear) }),
      h('dt', { t: 'desk.opened' }), h('dd', {}, date(acc.createdAt, true))),
    explain,
    h('div', { class: 'actions' },
      h('a', { href: `#/learner?id=${encodeURIComponent(acc.id)}`, class: 'btn btn-secondary', id: 'lookup-record', t: 'desk.viewRecord' }),
      claimed ? button('desk.reset', { kind: 'danger', attrs: { id: 'lookup-reset' },
        on: { click: () => resetDialog(acc, (after) => redraw(after, true)) } }) : null));
}

export default {
  path: 'desk',
  nav: 'nav.desk',
  allowed: (me) => me?.role === 'admin',
  render(view) {
    const result = h('div', { id: 'lookup-result', 'aria-live': 'polite' });
    const draw = (acc, justReset = false) => {
      result.replaceChildren(accountCard(acc, justReset, draw));
      // The reset button that had the focus is gone after a reset; the
      // account's heading takes it so keyboard users are not left at the top.
      if (justReset) result.querySelector('#lookup-name').focus();
    };
    const form = h('form', { class: 'form', id: 'lookup-form' },
      formAlert(),
      field({ name: 'nationalId', label: 'register.nationalId', hint: 'desk.nationalIdHint', required: true,
        attrs: { autocomplete: 'off', maxlength: '18', autocapitalize: 'characters', spellcheck: 'false' } }),
      h('div', { class: 'actions' }, button('desk.find', { type: 'submit' })));
    onSubmit(form, async (data) => {
      result.replaceChildren();
      const nationalId = String(data.get('nationalId')).trim().toUpperCase();
      draw(await api.post('/api/v1/learners/lookup', { nationalId }));
    }, 'desk');
    view.append(
      pageHeader('desk.title', 'desk.intro'),
      h('div', { class: 'desk' },
        h('div', { class: 'card' }, h('h2', { t: 'desk.findTitle' }), form),
        result));
  },
};
