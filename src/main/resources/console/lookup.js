// Look-up: a command id, event id, aggregate id or trace id -> each event's path: command -> event -> Kafka ->
// each webhook delivery and RabbitMQ delivery, and any dead letter on the way, with their times
// (GET /api/lookup/{id}).
import { h, show, time, status, message } from './dom.js';
import { get } from './api.js';

function step(title, when, bad, ...details) {
  return h('li', { class: bad ? 'bad' : null },
    h('strong', {}, title), ' ', when ? time(when) : null,
    details.length ? h('div', {}, details) : null);
}

function path(found) {
  const { command, event, kafka, webhooks, rabbitmq, dead_letters: deadLetters } = found;
  return h('section', { class: 'card path', 'data-event': event.id },
    h('h3', {}, `${event.type} · ${event.aggregate_type} ${event.aggregate_id} · version ${event.version}`),
    h('ol', { class: 'path' },
      command ? step('Command', command.received_at, command.status >= 300,
        `${command.type} ${command.id} answered ${command.status}`,
        command.trace_id ? h('div', { class: 'muted' }, 'trace ',
          h('a', { href: `#/lookup?id=${command.trace_id}`, title: 'every event of this trace' }, command.trace_id)) : null) : null,
      step('Event', event.occurred_at, false, `${event.id}`),
      step('Kafka', kafka.published_at, kafka.status !== 'published', status(kafka.status),
        ` topic ${kafka.topic}, ${kafka.publish_attempts} attempt(s)`, kafka.last_error ? ` · ${kafka.last_error}` : ''),
      webhooks.map(d => step('Webhook', d.finished_at ?? d.created_at, d.status !== 'succeeded',
        status(d.status), ' ', h('a', { href: `#/webhooks?endpoint=${d.endpoint_id}&delivery=${d.delivery_id}`, class: 'webhook-delivery' }, d.url),
        ` · ${d.attempts} attempt(s)`, d.last_status ? ` · last answer ${d.last_status}` : '',
        d.last_error ? ` · ${d.last_error}` : '', h('div', { class: 'muted' }, 'queued ', time(d.created_at)))),
      rabbitmq.map(r => step('RabbitMQ', r.confirmed_at, false,
        h('span', { class: 'rabbitmq-delivery' }, `confirmed by the broker on exchange ${r.exchange}`))),
      deadLetters.map(l => step(`Dead letter (${l.stage})`, l.failed_at, !l.resolution,
        status(l.resolution ?? 'open'), ' ', h('a', { href: `#/dead-letters?status=&id=${l.id}` }, `#${l.id}`),
        ' ', l.stage === 'saga' ? h('a', { href: `#/sagas?type=${encodeURIComponent(l.destination)}&correlation=${encodeURIComponent(event.aggregate_id)}` },
          `saga ${l.destination}`) : l.destination, `: ${l.failure_reason}`))));
}

export async function render(view, params) {
  const asked = params.get('id') ?? '';
  const input = h('input', { id: 'lookup-id', name: 'id', value: asked, required: true, size: 40,
    placeholder: 'command, event, aggregate or trace id' });
  const form = h('form', { class: 'card filters', id: 'lookup-form', onsubmit: event => {
    event.preventDefault();
    location.hash = `#/lookup?id=${encodeURIComponent(input.value.trim())}`;
  } }, h('label', {}, 'Id', input), h('button', { type: 'submit' }, 'Find'));
  show(view, h('h2', {}, 'Look-up'), form);
  if (!asked) {
    input.focus();
    return;
  }
  try {
    const found = await get(`/api/lookup/${encodeURIComponent(asked)}`);
    show(view, h('h2', {}, 'Look-up'), form,
      found.length ? h('div', { id: 'lookup-results' }, h('p', { class: 'muted' }, `${found.length} event(s)`), found.map(path))
        : message(`Nothing has the id ${asked}: no command, event, aggregate or trace.`, 'error'));
  } catch (error) {
    show(view, h('h2', {}, 'Look-up'), form, message(error.message, 'error'));
  }
}
