// Self-registration for learners. An account an institution already opened
// for the same national ID and name is claimed rather than duplicated.

import { h, field } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, setFieldError, flash } from '../ui.js';
import { ApiError } from '../api.js';

export default {
  path: 'register',
  allowed: (me) => !me,
  render(view, ctx) {
    const form = h('form', { class: 'form', id: 'register-form' },
      formAlert(),
      field({ name: 'nationalId', label: 'register.nationalId', hint: 'register.nationalIdHint', required: true,
        attrs: { autocomplete: 'off', inputmode: 'text', maxlength: '18', autocapitalize: 'characters', spellcheck: 'false' } }),
      field({ name: 'name', label: 'register.name', required: true, attrs: { autocomplete: 'name' } }),
      field({ name: 'phone', label: 'register.phone', hint: 'register.phoneHint', type: 'tel',
        attrs: { autocomplete: 'tel', inputmode: 'numeric' } }),
      field({ name: 'password', label: 'register.password', hint: 'register.passwordHint', type: 'password',
        required: true, attrs: { autocomplete: 'new-password' } }),
      field({ name: 'password2', label: 'register.password2', type: 'password', required: true,
        attrs: { autocomplete: 'new-password' } }),
      h('div', { class: 'actions' },
        button('register.submit', { type: 'submit' }),
        h('a', { href: '#/signin', class: 'btn btn-ghost', t: 'register.back' })),
    );
    onSubmit(form, async (data) => {
      const nationalId = String(data.get('nationalId')).trim().toUpperCase();
      const password = String(data.get('password'));
      if (password !== String(data.get('password2'))) {
        setFieldError(form, 'password2', '', 'register.mismatch');
        throw new ApiError(422, 'invalid', '', []);
      }
      await api.post('/api/v1/learners', {
        nationalId,
        name: String(data.get('name')).trim(),
        phone: String(data.get('phone')).trim(),
        password,
      });
      await api.signIn(nationalId, password);
      flash('register.done');
      await ctx.signedIn();
    }, 'register');
    view.append(h('div', { class: 'card narrow' }, pageHeader('register.title', 'register.intro'), form));
  },
};
