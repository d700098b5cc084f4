// An institution's staff accounts with suspend and reactivate. Suspending
// asks first, naming the person and what stops working for them.

import { h, table, badge } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, button, runAction, alertFor } from '../ui.js';

function suspendStaffDialog(instId, user, onDone) {
  const titleId = `staff-suspend-${user.id}`;
  const perms = user.perms || [];
  const form = h('form', { class: 'form', id: 'staff-suspend-form' },
    h('h2', { id: titleId, t: 'staffList.suspendTitle', targs: { username: user.username } }),
    h('p', { t: 'inst.suspendLead' }),
    h('ul', { class: 'ticks', id: 'staff-suspend-effects' },
      h('li', { t: 'staffList.suspendSignIn' }),
      perms.includes('issue') ? h('li', { t: 'staffList.suspendIssue' }) : null,
      perms.includes('review') ? h('li', { t: 'staffList.suspendReview' }) : null,
      perms.includes('manage') ? h('li', { t: 'staffList.suspendManage' }) : null),
    h('p', { t: 'staffList.suspendKept' }),
    formAlert(),
    h('div', { class: 'actions' },
      button('inst.suspendConfirm', { type: 'submit', kind: 'danger' }),
      button('common.cancel', { kind: 'ghost', on: { click: () => dlg.close() } })));
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId }, form);
  dlg.addEventListener('close', () => dlg.remove());
  onSubmit(form, async () => {
    await api.post(`/api/v1/institutions/${encodeURIComponent(instId)}/staff/${encodeURIComponent(user.id)}/status`, { status: 'suspended' });
    dlg.close();
    await onDone();
  });
  document.body.append(dlg);
  dlg.showModal();
}

// staffList draws the staff of one institution into a new element and
// keeps it up to date after each change.
export function staffList(instId, me) {
  const slot = h('div', { id: 'staff-list' });
  const reload = async () => {
    const page = await api.get(`/api/v1/institutions/${encodeURIComponent(instId)}/staff`);
    const users = page.items || [];
    slot.replaceChildren(users.length ? table([
      { key: 'staff.username', own: true, cell: (u) => h('strong', { text: u.username }) },
      { key: 'staff.perms', cell: (u) => h('span', { class: 'tags' }, (u.perms || []).map((p) => badge(`perm.${p}`, 'neutral'))) },
      { key: 'inst.status', cell: (u) => badge(`status.${u.status}`, u.status === 'active' ? 'active' : 'revoked') },
      { key: 'common.actions', cell: (u) => {
        if (me && u.id === me.id) return '';
        const where = h('div', { class: 'inline-alert' });
        const suspend = u.status === 'active';
        const btn = button(suspend ? 'inst.suspend' : 'inst.reactivate', { kind: suspend ? 'danger-ghost' : 'secondary' });
        btn.addEventListener('click', () => {
          if (suspend) {
            suspendStaffDialog(instId, u, reload);
            return;
          }
          runAction(btn, where, async () => {
            await api.post(`/api/v1/institutions/${encodeURIComponent(instId)}/staff/${encodeURIComponent(u.id)}/status`, { status: 'active' });
            await reload();
          });
        });
        return h('span', {}, btn, where);
      } },
    ], users, 'staffList.title') : h('p', { class: 'empty', t: 'staffList.none' }));
  };
  reload().catch((err) => slot.replaceChildren(alertFor(err)));
  return slot;
}
