// Admin: the institution register. A new institution's API client secret
// is returned once only, so it is shown with a warning and never again.

import { h, field, table, badge, section, select, checkboxGroup, checkedValues, tx } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, loading, runAction } from '../ui.js';
import { institutions, CATEGORIES, KINDS, PERMS, CAPABILITIES } from '../lookups.js';
import { staffList } from './stafflist.js';

// staffForm adds a staff account; with fixedInstitution the institution is
// implied (an institution manager adding colleagues).
export function staffForm(insts, fixedInstitution) {
  const done = h('div', {});
  const instSelect = h('select', { name: 'institutionId' },
    insts.map((i) => h('option', { value: i.id, text: i.name })));
  const form = h('form', { class: 'form', id: 'staff-form' },
    formAlert(),
    fixedInstitution ? null : field({ name: 'institutionId', label: 'staff.institution', control: instSelect, required: true }),
    h('div', { class: 'grid-2' },
      field({ name: 'username', label: 'staff.username', hint: 'staff.usernameHint', required: true,
        attrs: { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' } }),
      field({ name: 'password', label: 'staff.password', hint: 'register.passwordHint', type: 'password', required: true,
        attrs: { autocomplete: 'new-password' } })),
    checkboxGroup({ name: 'perms', legend: 'staff.perms', options: PERMS.map((p) => [p, `perm.${p}`]), checked: ['issue'] }),
    h('div', { class: 'actions' }, button('staff.submit', { type: 'submit' })),
  );
  onSubmit(form, async (data) => {
    done.replaceChildren();
    const id = fixedInstitution || String(data.get('institutionId'));
    const u = await api.post(`/api/v1/institutions/${encodeURIComponent(id)}/staff`, {
      username: String(data.get('username')).trim(),
      password: String(data.get('password')),
      perms: checkedValues(form, 'perms'),
    });
    form.reset();
    done.append(h('p', { class: 'alert alert-success', role: 'status', t: 'staff.done', targs: { username: u.username } }));
  });
  return h('div', {}, form, done);
}

function credentialsPanel(inst) {
  return h('div', { class: 'alert alert-warning credentials', role: 'alert', id: 'client-credentials' },
    h('p', { class: 'alert-title', t: 'inst.created', targs: { name: inst.name } }),
    h('p', { t: 'inst.secretWarning' }),
    h('dl', { class: 'kv' },
      h('dt', { t: 'inst.clientId' }), h('dd', {}, h('code', { text: inst.clientId })),
      h('dt', { t: 'inst.clientSecret' }), h('dd', {}, h('code', { class: 'secret', text: inst.clientSecret }))));
}

function registerForm(onCreated) {
  const form = h('form', { class: 'form', id: 'institution-form' },
    formAlert(),
    h('div', { class: 'grid-2' },
      field({ name: 'name', label: 'inst.name', required: true, attrs: { maxlength: '100' } }),
      field({ name: 'kind', label: 'inst.kind', required: true, control: select('kind', KINDS.map((k) => [k, `kind.${k}`])) }),
      field({ name: 'region', label: 'inst.region', attrs: { maxlength: '100' } })),
    // The public contact, shown to learners with the institution's courses.
    h('div', { class: 'grid-2' },
      field({ name: 'address', label: 'inst.address', hint: 'inst.contactHint', attrs: { maxlength: '200' } }),
      field({ name: 'phone', label: 'inst.phone', type: 'tel', attrs: { maxlength: '30' } }),
      field({ name: 'website', label: 'inst.website', type: 'url', attrs: { maxlength: '200', placeholder: 'https://' } })),
    checkboxGroup({ name: 'capabilities', legend: 'inst.capabilities', options: CAPABILITIES.map((c) => [c, `cap.${c}`]), checked: ['issue'] }),
    checkboxGroup({ name: 'categories', legend: 'inst.categories', options: CATEGORIES.map((c) => [c, `cat.${c}`]) }),
    h('div', { class: 'actions' }, button('inst.submit', { type: 'submit' })),
  );
  onSubmit(form, async (data) => {
    const created = await api.post('/api/v1/institutions', {
      name: String(data.get('name')).trim(),
      kind: String(data.get('kind')),
      region: String(data.get('region')).trim(),
      address: String(data.get('address')).trim(),
      phone: String(data.get('phone')).trim(),
      website: String(data.get('website')).trim(),
      capabilities: checkedValues(form, 'capabilities'),
      categories: checkedValues(form, 'categories'),
    });
    form.reset();
    await onCreated(created);
  });
  return form;
}

// suspendDialog confirms a suspension, saying what stops working: the
// institution's staff and API client are signed out at their next request
// and cannot sign in, so nothing more is issued, imported, reviewed or read;
// what it already issued stays valid.
function suspendDialog(inst, onSuspended) {
  const titleId = `suspend-title-${inst.id}`;
  const form = h('form', { class: 'form', id: 'suspend-form' },
    h('h2', { id: titleId, t: 'inst.suspendTitle', targs: { name: inst.name } }),
    h('p', { t: 'inst.suspendLead' }),
    h('ul', { class: 'ticks', id: 'suspend-effects' },
      h('li', { t: 'inst.suspendStaff' }),
      h('li', { t: 'inst.suspendClient' }),
      (inst.capabilities || []).includes('issue') ? h('li', { t: 'inst.suspendIssue' }) : null,
      (inst.capabilities || []).includes('convert') ? h('li', { t: 'inst.suspendConvert' }) : null,
      h('li', { t: 'inst.suspendShared' })),
    h('p', { t: 'inst.suspendKept' }),
    formAlert(),
    h('div', { class: 'actions' },
      button('inst.suspendConfirm', { type: 'submit', kind: 'danger' }),
      button('common.cancel', { kind: 'ghost', on: { click: () => dlg.close() } })));
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId }, form);
  dlg.addEventListener('close', () => dlg.remove());
  onSubmit(form, async () => {
    await api.post(`/api/v1/institutions/${encodeURIComponent(inst.id)}/status`, { status: 'suspended' });
    dlg.close();
    await onSuspended();
  });
  document.body.append(dlg);
  dlg.showModal();
}

function listTable(insts, reload) {
  return table([
    { key: 'inst.name', cell: (i) => h('strong', { text: i.name }) },
    { key: 'inst.kind', cell: (i) => tx(`kind.${i.kind}`) },
    { key: 'inst.region', cell: (i) => i.region || '—' },
    { key: 'inst.capabilities', cell: (i) => h('span', { class: 'tags' }, i.capabilities.map((c) => badge(`cap.${c}`, 'neutral'))) },
    { key: 'inst.categories', cell: (i) => h('span', { class: 'tags' }, i.categories.map((c) => badge(`cat.${c}`, 'neutral'))) },
    { key: 'inst.status', cell: (i) => badge(`status.${i.status}`, i.status === 'active' ? 'active' : 'revoked') },
    { key: 'common.actions', cell: (i) => {
      const where = h('div', { class: 'inline-alert' });
      const next = i.status === 'active' ? 'suspended' : 'active';
      const btn = button(next === 'suspended' ? 'inst.suspend' : 'inst.reactivate', { kind: next === 'suspended' ? 'danger-ghost' : 'secondary' });
      btn.addEventListener('click', () => {
        if (next === 'suspended') {
          suspendDialog(i, reload);
          return;
        }
        runAction(btn, where, async () => {
          await api.post(`/api/v1/institutions/${encodeURIComponent(i.id)}/status`, { status: next });
          await reload();
        });
      });
      return h('span', {}, btn, where);
    } },
  ], insts, 'inst.listTitle');
}

export default {
  path: 'institutions',
  nav: 'nav.institutions',
  allowed: (me) => me?.role === 'admin',
  async render(view) {
    view.append(loading());
    const listSlot = h('div', {});
    const staffSlot = h('div', {});
    const createdSlot = h('div', {});
    // The staff of one institution, chosen from a list, with suspension.
    const staffOfSlot = h('div', {});
    const staffOf = h('select', { name: 'staffOf', id: 'staff-of' });
    staffOf.addEventListener('change', () => staffOfSlot.replaceChildren(staffOf.value ? staffList(staffOf.value) : ''));
    const reload = async () => {
      const insts = await institutions(true);
      listSlot.replaceChildren(listTable(insts, reload));
      staffSlot.replaceChildren(insts.length ? staffForm(insts) : h('p', { class: 'empty', t: 'inst.none' }));
      const chosen = staffOf.value;
      staffOf.replaceChildren(h('option', { value: '', t: 'staffList.choose' }),
        ...insts.map((i) => h('option', { value: i.id, text: i.name })));
      staffOf.value = chosen;
    };
    await reload();
    view.replaceChildren(
      pageHeader('inst.title', 'inst.intro'),
      section('inst.listTitle', listSlot),
      section('inst.newTitle', createdSlot, registerForm(async (created) => {
        createdSlot.replaceChildren(credentialsPanel(created));
        createdSlot.scrollIntoView({ block: 'nearest' });
        await reload();
      })),
      section('staff.title', staffSlot),
      section('staffList.title', field({ name: 'staffOf', label: 'staff.institution', control: staffOf }), staffOfSlot),
    );
  },
};
