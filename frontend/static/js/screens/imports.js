// Staff with the issue permission: bank many outcomes from a CSV saved
// from Excel, follow the job's progress and read the rows that failed.

import { h, tx, num, field, table, section } from '../dom.js';
import * as api from '../api.js';
import { onSubmit, formAlert, pageHeader, button, alertFor } from '../ui.js';
import { ApiError } from '../api.js';
import { has } from '../i18n.js';
import { canIssue } from './issue.js';

// pollEvery is how long to wait between progress reads: quick enough that
// a small file looks instant, slow enough not to load the server.
const pollEvery = 700;

function counts(job) {
  const cells = [
    ['ok', 'import.ok', job.ok],
    ['duplicates', 'import.duplicates', job.duplicates],
    ['failed', 'import.failed', job.failed],
    ['created', 'import.created', job.created],
  ];
  return h('dl', { class: 'figures' }, cells.map(([key, label, value]) =>
    h('div', { class: ['figure', `figure-${key}`], data: { count: key } },
      h('dt', { t: label }), h('dd', {}, num(value || 0)))));
}

function errorsTable(errors) {
  return table([
    { key: 'import.line', class: 'n', cell: (e) => (e.line ? String(e.line) : '—') },
    { key: 'import.column', cell: (e) => e.column || '—' },
    { key: 'import.reason', cell: (e) => reasonCell(e.reason) },
  ], errors, 'import.errors');
}

// reasonCell translates the reasons the dictionary knows and shows any
// other in the server's words.
function reasonCell(reason) {
  return has(`reason.${reason}`) ? h('span', { t: `reason.${reason}` }) : h('span', { text: reason });
}

// progressView draws one reading of the job.
function progressView(job) {
  const finished = job.state === 'done' || job.state === 'failed';
  const bar = h('progress', { max: String(Math.max(job.total, 1)), value: String(job.done), id: 'import-progress-bar' });
  const out = [
    h('p', { class: 'import-state', id: 'import-state', data: { state: job.state } },
      h('span', { class: ['badge', finished ? (job.state === 'done' ? 'badge-approved' : 'badge-rejected') : 'badge-pending'], t: `import.state.${job.state}` }),
      ' ', tx('import.rows', { done: job.done, total: job.total })),
    h('label', { for: 'import-progress-bar', class: 'sr-only', t: 'import.progress' }),
    bar,
  ];
  if (finished) {
    out.push(counts(job));
    const errors = job.errors || [];
    out.push(errors.length
      ? h('div', { id: 'import-errors' }, h('h3', { t: 'import.errors' }), errorsTable(errors))
      : h('p', { class: 'verified ok', id: 'import-errors-none' }, tx('import.noErrors')));
  }
  return out;
}

export default {
  path: 'import',
  nav: 'nav.import',
  allowed: canIssue,
  render(view) {
    const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
    const file = h('input', { type: 'file', accept: '.csv,text/csv', name: 'file' });
    const form = h('form', { class: 'form', id: 'import-form' },
      formAlert(),
      field({ name: 'file', label: 'import.file', control: file, required: true }),
      h('div', { class: 'actions' }, button('import.submit', { type: 'submit' })));
    let polling = 0;

    const follow = async (job, token) => {
      result.replaceChildren(section('import.progress', ...progressView(job)));
      while (job.state !== 'done' && job.state !== 'failed') {
        await new Promise((r) => setTimeout(r, pollEvery));
        // A newer upload or leaving the page stops this loop.
        if (token !== polling || !result.isConnected) return;
        job = await api.get(`/api/v1/imports/${encodeURIComponent(job.id)}`);
        if (token !== polling) return;
        result.replaceChildren(section('import.progress', ...progressView(job)));
      }
    };

    onSubmit(form, async () => {
      const f = file.files && file.files[0];
      if (!f) throw new ApiError(422, 'invalid', '', [{ field: 'file', reason: 'choose a CSV file' }]);
      // The bytes go up untouched: the server decodes UTF-8 or GBK itself.
      const bytes = await f.arrayBuffer();
      const job = await api.post('/api/v1/outcomes/import', new api.Raw(bytes, 'text/csv'));
      polling += 1;
      const token = polling;
      follow(job, token).catch((err) => {
        if (token === polling) result.append(alertFor(err));
      });
    });

    view.append(
      pageHeader('import.title', 'import.intro'),
      h('div', { class: 'card' },
        h('p', {}, h('a', { href: '/template-outcomes.csv', download: 'template-outcomes.csv', class: 'btn btn-secondary', id: 'import-template', t: 'import.template' })),
        h('p', { class: 'hint', t: 'import.templateHint' }),
        h('p', { class: 'hint', t: 'import.categoryHint' }),
        h('p', { class: 'hint', t: 'import.catalogueHint' }),
        form),
      result);
  },
};
