// Replays: stored events sent again, in order and with their original ids, to one consumer (a webhook endpoint, a
// Kafka topic or a RabbitMQ consumer). The list refreshes while the page shows (status, sent, position); start one
// or cancel a running one, each after a confirmation. A refusal shows the API's problem (title and detail).
import { h, show, table, status, time, message, confirmAction, every, instant, localInput } from './dom.js';
import { get, post, del } from './api.js';

const TARGETS = [
  ['webhook_endpoint', 'Webhook endpoint'],
  ['kafka_topic', 'Kafka topic'],
  ['rabbitmq_consumer', 'RabbitMQ consumer'],
];

/** The problem+json of a refusal as one line: its title, its detail, and each schema error (pointer: detail). */
function problem(error) {
  const { title, detail, errors } = error.problem ?? {};
  const line = title && detail && title !== detail ? `${title}: ${detail}` : error.message;
  const each = Array.isArray(errors) ? errors.map(e => `${e.pointer || '/'}: ${e.detail}`) : [];
  return each.length ? `${line}: ${each.join('; ')}` : line;
}

function targetText([kind, value], endpoints) {
  const name = TARGETS.find(([k]) => k === kind)?.[1] ?? kind;
  const url = kind === 'webhook_endpoint' ? endpoints.find(e => e.id === value)?.url : null;
  return `${name} ${url ?? value}`;
}

export async function render(view) {
  const endpoints = await get('/api/webhooks/endpoints', { limit: 1000 });
  const list = h('div', { id: 'replay-list' });
  const notice = h('div', { id: 'replay-notice' });

  // one input per kind of target; only the chosen kind's shows
  const targetInputs = {
    webhook_endpoint: h('select', { name: 'webhook_endpoint', id: 'replay-endpoint' },
      endpoints.map(e => h('option', { value: e.id }, e.url))),
    kafka_topic: h('input', { name: 'kafka_topic', id: 'replay-topic', placeholder: 'e.g. orders-replayed' }),
    rabbitmq_consumer: h('input', { name: 'rabbitmq_consumer', id: 'replay-consumer',
      placeholder: 'a consumer of bridges/rabbitmq.yaml' }),
  };
  const targetFields = Object.fromEntries(TARGETS.map(([kind, label]) =>
    [kind, h('label', { 'data-target': kind }, label, targetInputs[kind])]));
  const kind = h('select', { name: 'kind', id: 'replay-kind', onchange: () => chooseTarget() },
    TARGETS.map(([value, label]) => h('option', { value, selected: value === (endpoints.length ? 'webhook_endpoint' : 'kafka_topic') }, label)));
  function chooseTarget() {
    for (const [name, field] of Object.entries(targetFields)) {
      field.hidden = name !== kind.value;
      targetInputs[name].required = name === kind.value;
    }
  }
  chooseTarget();

  const dayAgo = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const form = h('form', { class: 'card filters', id: 'replay-form', onsubmit: event => {
    event.preventDefault();
    start(new FormData(event.target));
  } },
    h('label', {}, 'Send to', kind),
    Object.values(targetFields),
    h('label', {}, 'Events since', h('input', { name: 'since', type: 'datetime-local', required: true, value: localInput(dayAgo) })),
    h('label', {}, 'Until (optional)', h('input', { name: 'until', type: 'datetime-local' })),
    h('label', {}, 'Types (optional)', h('input', { name: 'types', id: 'replay-types', placeholder: 'e.g. order.*, customer.created' })),
    h('label', {}, 'Aggregate id (optional)', h('input', { name: 'aggregate_id', id: 'replay-aggregate' })),
    h('button', { type: 'submit', id: 'replay-start' }, 'Start replay'));

  async function start(values) {
    const target = { [kind.value]: values.get(kind.value).trim() };
    const types = values.get('types').split(',').map(t => t.trim()).filter(Boolean);
    const request = { target, since: instant(values.get('since')), until: instant(values.get('until')),
      types: types.length ? types : undefined, aggregate_id: values.get('aggregate_id').trim() || undefined };
    const what = [`the events since ${new Date(request.since).toLocaleString()}`,
      request.until ? ` until ${new Date(request.until).toLocaleString()}` : '',
      types.length ? ` of types ${types.join(', ')}` : '', request.aggregate_id ? ` of aggregate ${request.aggregate_id}` : ''].join('');
    if (!(await confirmAction(`Send ${what} again to ${targetText(Object.entries(target)[0], endpoints)}? `
      + 'They keep their ids and are marked as a replay; the consumer gets them again.'))) return;
    try {
      const replay = await post('/api/replays', undefined, request);
      show(notice, message(`Replay ${replay.id} started.`));
    } catch (error) {
      show(notice, message(`The replay was not started: ${problem(error)}`, 'error'));
    }
    await load();
  }

  async function cancel(replay) {
    if (!(await confirmAction(`Cancel replay ${replay.id}? It stops before its next page; what was sent stays sent.`))) return;
    try {
      const cancelled = await del(`/api/replays/${replay.id}`);
      show(notice, message(`Replay ${replay.id} is ${cancelled.status} after ${cancelled.sent} event(s).`));
    } catch (error) {
      show(notice, message(`Replay ${replay.id}: ${problem(error)}`, 'error'));
    }
    await load();
  }

  async function load() {
    const replays = await get('/api/replays', { limit: 100 });
    show(list, replays.length ? table([
      ['Target', r => targetText(Object.entries(r.target)[0], endpoints)],
      ['Status', r => status(r.status)],
      ['Sent', r => r.sent, 'num'],
      ['Position', r => r.position, 'num'],
      ['Since', r => time(r.since)],
      ['Until', r => time(r.until)],
      ['Types', r => (r.types.length ? r.types.join(', ') : 'all')],
      ['Aggregate', r => r.aggregate_id ?? ''],
      ['Error', r => r.error ?? ''],
      ['Created', r => time(r.created_at)],
      ['Finished', r => time(r.finished_at)],
      ['', r => (r.status === 'running' ? h('button', { type: 'button', class: 'danger', 'aria-label': `Cancel replay ${r.id}`,
        onclick: () => cancel(r) }, 'Cancel') : null)],
    ], replays, { caption: 'The newest 100, refreshed every 2 s.', rowAttributes: r => ({ 'data-replay': r.id }) })
      : h('p', { class: 'muted', id: 'no-replays' }, 'No replay yet.'));
  }

  show(view, h('h2', {}, 'Replays'), form, notice, h('h3', {}, 'Replays'), list);
  await load();
  return every(2000, list, load);
}
