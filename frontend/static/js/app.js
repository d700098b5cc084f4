// Entry point: the page shell (navigation, language, sign-out, busy state)
// and a small hash router over the screen modules.
//
// A screen module exports { path, nav?, allowed(me), render(main, ctx) }.
// Adding a screen (rules, conversions, imports, statistics) is one new
// module and one line in `screens` below.

import { h, clear, translateTree } from './dom.js';
import { getLang, setLang, t } from './i18n.js';
import * as api from './api.js';
import { flash, clearFlash, alertFor } from './ui.js';
import { noteSignedOut, takeReturn } from './returnto.js';

import signin from './screens/signin.js';
import register from './screens/register.js';
import record from './screens/record.js';
import sharing from './screens/sharing.js';
import issue from './screens/issue.js';
import issued from './screens/issued.js';
import team from './screens/team.js';
import institutions from './screens/institutions.js';
import policy from './screens/policy.js';
import audit from './screens/audit.js';
import convert from './screens/convert.js';
import review from './screens/review.js';
import rules from './screens/rules.js';
import rule from './screens/rule.js';
import imports from './screens/imports.js';
import stats from './screens/stats.js';
import transcript from './screens/transcript.js';
import verify from './screens/verify.js';
import desk from './screens/desk.js';
import learner from './screens/learner.js';
import shared, { sharedRecord } from './screens/shared.js';
import password, { canChangePassword } from './screens/password.js';
import helpers, { assist } from './screens/helpers.js';
import next from './screens/nextsteps.js';
import catalogue from './screens/catalogue.js';
import courses from './screens/courses.js';
import framework from './screens/framework.js';
import notices from './screens/notices.js';
import units from './screens/units.js';

// Order is the navigation's order; a user starts on the first screen they
// may see.
const screens = [signin, register, record, next, convert, transcript, sharing, helpers, assist, issue, issued, imports, review, shared,
  sharedRecord, team, catalogue, institutions, desk, learner, rules, rule, policy, framework, units, stats, audit, courses, notices, verify, password];

const state = { me: null };
let renderSeq = 0;

function defaultPath(me) {
  // Signed out, the public verify page has a menu entry too; the start is
  // still signing in.
  if (!me) return 'signin';
  const first = screens.find((s) => s.nav && s.allowed(me));
  return first ? first.path : 'signin';
}

function currentPath() {
  return location.hash.replace(/^#\/?/, '').split('?')[0];
}

function go(path) {
  if (currentPath() === path) route();
  else location.hash = `#/${path}`;
}

function renderNav() {
  const nav = document.getElementById('nav');
  clear(nav);
  const here = currentPath();
  const items = screens.filter((s) => s.nav && s.allowed(state.me));
  if (items.length) {
    nav.append(h('ul', {}, items.map((s) => h('li', {},
      h('a', { href: `#/${s.path}`, t: s.nav, 'aria-current': s.path === here ? 'page' : null })))));
  }
  document.getElementById('sign-out').hidden = !state.me;
  // Changing one's password belongs to the person, not to their work, so it
  // sits by "sign out" rather than in the navigation.
  const account = document.getElementById('account-link');
  account.hidden = !canChangePassword(state.me);
  if (here === password.path) account.setAttribute('aria-current', 'page');
  else account.removeAttribute('aria-current');
}

// loadMe also learns what the user's institution may do, because screens
// such as rule management depend on it and allowed() cannot wait.
async function loadMe() {
  const me = api.hasSession() ? await api.get('/api/v1/me') : null;
  if (me && me.institutionId) {
    const inst = await api.get(`/api/v1/institutions/${encodeURIComponent(me.institutionId)}`).catch(() => null);
    me.capabilities = inst ? inst.capabilities || [] : [];
  }
  state.me = me;
}

const ctx = {
  get me() {
    return state.me;
  },
  go,
  home() {
    return defaultPath(state.me);
  },
  async signedIn() {
    await loadMe();
    // Back to where a lapsed session left the person, if they may see it.
    const back = takeReturn();
    const path = back.replace(/^#\/?/, '').split('?')[0];
    const screen = screens.find((sc) => sc.path === path);
    if (screen && screen.allowed(state.me)) location.hash = back;
    else go(defaultPath(state.me));
  },
};

async function route() {
  const seq = ++renderSeq;
  let screen = screens.find((s) => s.path === currentPath());
  if (!screen || !screen.allowed(state.me)) {
    const target = defaultPath(state.me);
    if (currentPath() !== target) {
      location.replace(`#/${target}`);
      return;
    }
    screen = screens.find((s) => s.path === target);
  }
  ageFlash();
  renderNav();
  const main = document.getElementById('main');
  const view = h('div', { class: 'view' });
  main.replaceChildren(view);
  try {
    await screen.render(view, ctx);
  } catch (err) {
    if (seq === renderSeq) view.append(alertFor(err));
  }
  if (seq !== renderSeq) return;
  // Move focus to the new heading so screen-reader users hear the page change.
  const heading = view.querySelector('h1');
  if (heading && document.activeElement === document.body) heading.focus({ preventScroll: true });
}

function applyLang() {
  const lang = getLang();
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app.name');
  const toggle = document.getElementById('lang-toggle');
  // The toggle names the other language in that language, so a reader of
  // either can find it.
  toggle.textContent = lang === 'zh' ? 'English' : '中文';
  toggle.lang = lang === 'zh' ? 'en' : 'zh-CN';
  toggle.setAttribute('aria-label', lang === 'zh' ? 'Switch to English' : '切换到中文');
  document.getElementById('nav').setAttribute('aria-label', t('a11y.nav'));
  translateTree(document);
}

function wireShell() {
  document.getElementById('lang-toggle').addEventListener('click', () => {
    setLang(getLang() === 'zh' ? 'en' : 'zh');
    applyLang();
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    api.signOut();
    state.me = null;
    flash('signout.done');
    go('signin');
  });
  const busy = document.getElementById('busy');
  api.onBusy((on) => {
    document.body.classList.toggle('is-busy', on);
    busy.textContent = on ? t('busy.working') : '';
  });
  api.onSignedOut(() => {
    // The sign-in page says why the person is there (returnto.js), which
    // a flash would not survive when this happens while the page loads.
    if (!location.hash.startsWith('#/signin')) noteSignedOut(location.hash);
    state.me = null;
    go('signin');
  });
  window.addEventListener('hashchange', route);
}

// A flash message reports the action that led to the next page: it survives
// that one navigation and is gone on the one after.
function ageFlash() {
  const area = document.getElementById('flash');
  if (area.dataset.fresh) delete area.dataset.fresh;
  else clearFlash();
}

async function boot() {
  applyLang();
  wireShell();
  try {
    await loadMe();
  } catch {
    api.signOut();
    state.me = null;
  }
  await route();
}

boot();
