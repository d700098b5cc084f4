// Sign in: staff and admins by user name, learners by national ID.

import { h, field } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button } from '../ui.js';
import { signedOutNote } from '../returnto.js';

export default {
  path: 'signin',
  allowed: (me) => !me,
  render(view, ctx) {
    const form = h('form', { class: 'form', id: 'signin-form' },
      formAlert(),
      field({ name: 'username', label: 'signin.username', hint: 'signin.usernameHint', required: true,
        attrs: { autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' } }),
      field({ name: 'password', label: 'signin.password', type: 'password', required: true,
        attrs: { autocomplete: 'current-password' } }),
      h('div', { class: 'actions' }, button('signin.submit', { type: 'submit' })),
    );
    onSubmit(form, async (data) => {
      await api.signIn(String(data.get('username')).trim(), String(data.get('password')));
      await ctx.signedIn();
    }, 'signin');
    view.append(
      h('div', { class: 'auth-layout' },
        h('div', { class: 'card auth-card' },
          pageHeader('signin.title', 'signin.intro'),
          signedOutNote() ? h('div', { class: 'alert alert-warning', role: 'alert', id: 'signin-why' },
            h('p', { class: 'alert-title', t: 'signin.expired' }),
            h('p', { t: signedOutNote().back ? 'signin.expiredWhyBack' : 'signin.expiredWhy' })) : null,
          form,
          h('p', { class: 'aside' }, h('span', { t: 'signin.noAccount' }), ' ',
            h('a', { href: '#/register', t: 'signin.toRegister' }))),
        h('aside', { class: 'card auth-info' },
          h('h2', { t: 'signin.aboutTitle' }),
          h('ul', { class: 'ticks' },
            h('li', { t: 'signin.about1' }),
            h('li', { t: 'signin.about2' }),
            h('li', { t: 'signin.about3' })))),
    );
  },
};
