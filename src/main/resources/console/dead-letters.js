// Dead letters: filter by stage, type, aggregate, time and status; inspect one (envelope, error, attempts);
// retry or discard one, or every open one matching the filters, each after a confirmation.
import { h, show, table, status, time, json, message, confirmAction, instant, localInput } from './dom.js';
import { get, post, del } from './api.js';

const FILTERS = ['stage', 'type', 'aggregate', 'since', 'until'];

export async function render(view, params) {
  const filters = { status: params.get('status') ?? 'open' };
  for (const name of FILTERS) filters[name] = params.get(name) ?? '';
  let notice = null;
  let selected = params.get('id');
  let pages = [undefined];   // the `after` of each page seen, for going back

  function field(name, label, input) {
    return h('label', {}, label, input);
  }

  function filterForm() {
    return h('form', { class: 'card filters', id: 'dead-letter-filters', onsubmit: event => {
      event.preventDefault();
      const form = new FormData(event.target);
      for (const name of ['stage', 'type', 'aggregate', 'status']) filters[name] = form.get(name).trim();
      filters.since = instant(form.get('since')) ?? '';
      filters.until = instant(form.get('until')) ?? '';
      pages = [undefined];
      selected = null;
      notice = null;
      load();
    } },
      field('stage', 'Stage', h('input', { name: 'stage', list: 'stages', value: filters.stage, placeholder: 'any' })),
      h('datalist', { id: 'stages' }, ['kafka', 'rabbitmq', 'webhook', 'projection'].map(s => h('option', { value: s }))),
      field('type', 'Event type', h('input', { name: 'type', value: filters.type, placeholder: 'e.g. order.created' })),
      field('aggregate', 'Aggregate id', h('input', { name: 'aggregate', value: filters.aggregate })),
      field('since', 'Failed since', h('input', { name: 'since', type: 'datetime-local', value: localInput(filters.since) })),
      field('until', 'Failed until', h('input', { name: 'until', type: 'datetime-local', value: localInput(filters.until) })),
      field('status', 'Status', h('select', { name: 'status' },
        [['open', 'open'], ['retried', 'retried'], ['discarded', 'discarded'], ['', 'any']].map(([value, text]) =>
          h('option', { value, selected: filters.status === value }, text)))),
      h('button', { type: 'submit' }, 'Show'));
  }

  function matching() {
    return Object.fromEntries(FILTERS.map(name => [name, filters[name]]));
  }

  async function retryAll() {
    if (!(await confirmAction('Retry every open dead letter matching these filters? Each goes back to its stage with the same event id.'))) return;
    try {
      const { retried } = await post('/api/dead-letters/retry', matching());
      notice = message(`${retried} dead letter(s) sent back to their stage.`);
    } catch (error) {
      notice = message(`Retry failed: ${error.message}`, 'error');
    }
    await load();
  }

  // the API discards one at a time: every open match, page by page, each recorded as discarded
  async function discardAll() {
    if (!(await confirmAction('Discard every open dead letter matching these filters? They are kept on record as discarded and not sent again.'))) return;
    let discarded = 0;
    try {
      for (;;) {
        const { items } = await get('/api/dead-letters', { ...matching(), status: 'open', limit: 100 });
        if (!items.length) break;
        for (const letter of items) {
          await del(`/api/dead-letters/${letter.id}`);
          discarded++;
        }
      }
      notice = message(`${discarded} dead letter(s) discarded.`);
    } catch (error) {
      notice = message(`Stopped after ${discarded} discarded: ${error.message}`, 'error');
    }
    await load();
  }

  async function act(letter, action) {
    const what = `dead letter ${letter.id} (${letter.eventType} for ${letter.aggregateId}, stage ${letter.stage})`;
    const text = action === 'retry' ? `Retry ${what}? Its stage takes the same event again.`
      : `Discard ${what}? It stays on record as discarded and is not sent again.`;
    if (!(await confirmAction(text))) return;
    try {
      if (action === 'retry') await post(`/api/dead-letters/${letter.id}/retry`);
      else await del(`/api/dead-letters/${letter.id}`);
      notice = message(`Dead letter ${letter.id} ${action === 'retry' ? 'retried' : 'discarded'}.`);
    } catch (error) {
      notice = message(`Dead letter ${letter.id}: ${error.message}`, 'error');
    }
    await load();
  }

  function detail(letter) {
    const open = !letter.resolution;
    return h('section', { class: 'card', id: 'dead-letter-detail', 'aria-labelledby': 'dead-letter-title' },
      h('h3', { id: 'dead-letter-title' }, `Dead letter ${letter.id}`),
      table([['Field', ([name]) => name], ['Value', ([, value]) => value]], [
        ['Status', status(letter.resolution ?? 'open')],
        ['Stage', letter.stage],
        // a saga's dead letter: destination is the saga type, the aggregate its correlation id
        ['Destination', letter.stage === 'saga' ? h('a', { id: 'dead-letter-saga',
          href: `#/sagas?type=${encodeURIComponent(letter.destination)}&correlation=${encodeURIComponent(letter.aggregateId)}` },
        `saga ${letter.destination}`) : letter.destination],
        ['Event', `${letter.eventType} ${letter.eventId}`],
        ['Aggregate', h('a', { href: `#/lookup?id=${encodeURIComponent(letter.aggregateId)}` }, letter.aggregateId)],
        ['Attempts', letter.failureCount], ['Failed at', time(letter.failedAt)],
        ['Error', `${letter.errorClass}: ${letter.failureReason}`],
        ['Resolved', letter.resolvedAt ? h('span', {}, letter.resolution, ' ', time(letter.resolvedAt)) : ''],
      ]),
      open ? h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'retry-one', onclick: () => act(letter, 'retry') }, 'Retry'),
        h('button', { type: 'button', id: 'discard-one', class: 'danger', onclick: () => act(letter, 'discard') }, 'Discard'))
        : null,
      h('h3', {}, 'Envelope'), json(letter.originalEvent));
  }

  async function load() {
    const page = await get('/api/dead-letters', { ...matching(), status: filters.status, after: pages.at(-1), limit: 50 });
    const letter = selected ? await get(`/api/dead-letters/${selected}`).catch(() => null) : null;
    const next = page.next ? new URLSearchParams(page.next).get('after') : null;
    show(view,
      h('h2', {}, 'Dead letters'),
      filterForm(),
      notice,
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'retry-all', onclick: retryAll }, 'Retry all matching'),
        h('button', { type: 'button', id: 'discard-all', class: 'danger', onclick: discardAll }, 'Discard all matching'),
        h('button', { type: 'button', class: 'secondary', onclick: () => load() }, 'Refresh')),
      h('div', { class: 'split' },
        h('div', {},
          page.items.length ? table([
            ['', l => h('button', { type: 'button', class: 'secondary', 'aria-label': `Inspect dead letter ${l.id}`,
              onclick: () => { selected = l.id; load().then(() => document.getElementById('dead-letter-title')?.focus()); } },
              'Inspect')],
            ['Id', l => l.id, 'num'],
            ['Stage', l => l.stage],
            ['Event type', l => l.eventType],
            ['Aggregate', l => l.aggregateId],
            ['Failures', l => l.failureCount, 'num'],
            ['Failed at', l => time(l.failedAt)],
            ['Status', l => status(l.resolution ?? 'open')],
          ], page.items, { rowAttributes: l => ({ 'data-id': l.id, 'data-aggregate': l.aggregateId,
            class: String(l.id) === String(selected) ? 'selected' : null }) })
            : h('p', { class: 'muted', id: 'no-dead-letters' }, 'No dead letter matches.'),
          h('div', { class: 'actions' },
            pages.length > 1 ? h('button', { type: 'button', class: 'secondary', onclick: () => { pages.pop(); load(); } }, 'Previous page') : null,
            next ? h('button', { type: 'button', class: 'secondary', onclick: () => { pages.push(next); load(); } }, 'Next page') : null)),
        letter ? detail(letter) : null));
    document.getElementById('dead-letter-title')?.setAttribute('tabindex', '-1');
  }

  await load();
}
