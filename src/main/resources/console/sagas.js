// Sagas: filter by type, status and correlation id (e.g. the order id); inspect one (each call it made: outcome,
// attempts, last status and error, the service's response, times); retry a failed one after a confirmation.
import { h, show, table, status, time, json, message, confirmAction, every } from './dom.js';
import { get, post } from './api.js';

const FILTERS = ['type', 'status', 'correlation'];
const STATUSES = ['running', 'compensating', 'completed', 'compensated', 'failed'];

export async function render(view, params) {
  const filters = Object.fromEntries(FILTERS.map(name => [name, params.get(name) ?? '']));
  let selected = params.get('id');
  let notice = null;
  // the list and the inspected saga refresh; the filter form is drawn once, so typing in it is never disturbed
  const results = h('div', { id: 'saga-results' });

  const form = h('form', { class: 'card filters', id: 'saga-filters', onsubmit: event => {
    event.preventDefault();
    const values = new FormData(event.target);
    for (const name of FILTERS) filters[name] = values.get(name).trim();
    selected = null;
    notice = null;
    load();
  } },
    h('label', {}, 'Saga type', h('input', { name: 'type', value: filters.type, placeholder: 'e.g. order-fulfilment' })),
    h('label', {}, 'Status', h('select', { name: 'status' },
      ['', ...STATUSES].map(value => h('option', { value, selected: filters.status === value }, value || 'any')))),
    h('label', {}, 'Correlation id', h('input', { name: 'correlation', value: filters.correlation, placeholder: 'e.g. the order id' })),
    h('button', { type: 'submit' }, 'Show'));

  async function retry(saga) {
    const text = `Retry saga ${saga.saga_id} (${saga.type} for ${saga.correlation_id})? It tries the call it failed at `
      + 'again, with the same Idempotency-Key, and goes on to its end; its dead letter is resolved as retried.';
    if (!(await confirmAction(text))) return;
    try {
      await post(`/api/sagas/${saga.saga_id}/retry`);
      notice = message(`Saga ${saga.saga_id} is trying again.`);
    } catch (error) {
      notice = message(`Saga ${saga.saga_id}: ${error.message}`, 'error');
    }
    await load();
  }

  function detail(saga) {
    return h('section', { class: 'card', id: 'saga-detail', 'aria-labelledby': 'saga-title' },
      h('h3', { id: 'saga-title', tabindex: '-1' }, `Saga ${saga.type} ${saga.saga_id}`),
      table([['Field', ([name]) => name], ['Value', ([, value]) => value]], [
        ['Status', status(saga.status)],
        ['Correlation', h('a', { href: `#/lookup?id=${encodeURIComponent(saga.correlation_id)}` }, saga.correlation_id)],
        ['Reason', saga.reason ?? ''],
        ['Current step', saga.current_step ?? ''],
        ['Last error', saga.last_error ?? ''],
        ['Next attempt', time(saga.next_attempt_at)],
        ['Started', time(saga.started_at)], ['Updated', time(saga.updated_at)], ['Ended', time(saga.ended_at)],
      ]),
      saga.status === 'failed' ? h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'saga-retry', onclick: () => retry(saga) }, 'Retry')) : null,
      h('h3', {}, 'Calls'),
      saga.steps.length ? table([
        ['Step', c => c.step],
        ['Phase', c => c.phase],
        ['Outcome', c => status(c.outcome)],
        ['Attempts', c => c.attempts, 'num'],
        ['Last answer', c => `${c.last_status ?? ''} ${c.last_error ?? ''}`],
        ['Response', c => (c.response == null ? '' : h('details', {}, h('summary', {}, 'response'), json(c.response)))],
        ['Started', c => time(c.started_at)],
        ['Finished', c => time(c.finished_at)],
      ], saga.steps, { rowAttributes: c => ({ 'data-step': `${c.step}.${c.phase}` }) })
        : h('p', { class: 'muted' }, 'No call made yet.'),
      h('h3', {}, 'Data'), json(saga.data));
  }

  async function load() {
    const sagas = await get('/api/sagas', filters);
    const saga = selected ? await get(`/api/sagas/${selected}`).catch(() => null) : null;
    show(results,
      notice,
      h('div', { class: 'split' },
        h('div', {},
          sagas.length ? table([
            ['', s => h('button', { type: 'button', class: 'secondary', 'aria-label': `Inspect saga ${s.saga_id}`,
              onclick: () => { selected = s.saga_id; load().then(() => document.getElementById('saga-title')?.focus()); } },
              'Inspect')],
            ['Type', s => s.type],
            ['Correlation', s => s.correlation_id],
            ['Status', s => status(s.status)],
            ['Reason', s => s.reason ?? s.last_error ?? ''],
            ['Started', s => time(s.started_at)],
            ['Ended', s => time(s.ended_at)],
          ], sagas, { caption: sagas.length === 1000 ? 'The newest 1,000: narrow the filters to see others.' : null,
            rowAttributes: s => ({ 'data-saga': s.saga_id, 'data-correlation': s.correlation_id,
              class: s.saga_id === selected ? 'selected' : null }) })
            : h('p', { class: 'muted', id: 'no-sagas' }, 'No saga matches.')),
        saga ? detail(saga) : null));
  }

  show(view, h('h2', {}, 'Sagas'), form, results);
  await load();
  return every(3000, results, load);
}
