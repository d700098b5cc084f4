// Change my own password: learners, staff and admins. It is reached from
// the header rather than the navigation, because it concerns the person
// signed in, not their work.

import { h, field } from '../dom.js';
import * as api from '../api.js';
import { ApiError } from '../api.js';
import { onSubmit, formAlert, pageHeader, button, setFieldError } from '../ui.js';

// API clients hold a secret, not a password; they never sign in here anyway.
export const canChangePassword = (me) => !!me && me.role !== 'client';

export default {
  path: 'password',
  allowed: canChangePassword,
  render(view, ctx) {
    const done = h('div', { id: 'password-done' });
    const form = h('form', { class: 'form', id: 'password-form' },
      formAlert(),
      field({ name: 'currentPassword', label: 'password.current', type: 'password', required: true,
        attrs: { autocomplete: 'current-password' } }),
      field({ name: 'newPassword', label: 'password.new', hint: 'password.newHint', type: 'password', required: true,
        attrs: { autocomplete: 'new-password', maxlength: '128' } }),
      field({ name: 'newPassword2', label: 'password.new2', type: 'password', required: true,
        attrs: { autocomplete: 'new-password', maxlength: '128' } }),
      h('div', { class: 'actions' }, button('password.submit', { type: 'submit' })),
    );
    onSubmit(form, async (data) => {
      done.replaceChildren();
      const next = String(data.get('newPassword'));
      // A typo in a password nobody can see would lock the user out, so the
      // repeat is checked before anything is sent.
      if (next !== String(data.get('newPassword2'))) {
        setFieldError(form, 'newPassword2', '', 'register.mismatch');
        throw new ApiError(422, 'invalid', '', []);
      }
      await api.changePassword(String(data.get('currentPassword')), next);
      form.reset();
      done.append(h('div', { class: 'alert alert-success', role: 'status' },
        h('p', { class: 'alert-title', t: 'password.done' }),
        h('p', { t: 'password.doneDetail' }),
        h('p', {}, h('a', { href: `#/${ctx.home()}`, t: 'password.back' }))));
    }, 'password');
    view.append(h('div', { class: 'card narrow' },
      pageHeader('password.title', 'password.intro'), form, done));
  },
};
