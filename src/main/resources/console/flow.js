// Flow: commands and publications per second, the relay's backlog, Kafka and shedding, each bridge's rate and lag.
import { h, show, message } from './dom.js';
import { chart } from './chart.js';
import { samples, subscribe, levels, rates, keysOf } from './metrics.js';
import { get } from './api.js';

export function render(view) {
  let endpoints = {};
  get('/api/webhooks/endpoints').then(list => {
    endpoints = Object.fromEntries(list.map(e => [e.id, e.url]));
    draw(samples(), null);
  }).catch(() => {});

  function draw(history, error) {
    const hub = [
      chart('Commands / s', rates('commands'), { id: 'chart-commands' }),
      chart('Published / s', rates('published'), { id: 'chart-published' }),
      chart('Relay backlog', levels('backlog'), { unit: 'events', alarm: v => v > 0, id: 'chart-backlog' }),
      chart('Oldest unpublished', levels('oldest'), { unit: 's', alarm: v => v > 5, id: 'chart-oldest' }),
      chart('Kafka unreachable', levels('unreachable'), { unit: 's', alarm: v => v > 0, id: 'chart-kafka' }),
      chart('Shedding', levels('shedding'), { alarm: v => v > 0, id: 'chart-shedding' }),
    ];
    const rabbit = keysOf('rabbitmq.sent.').flatMap(consumer => [
      chart(`RabbitMQ ${consumer}: sent / s`, rates(`rabbitmq.sent.${consumer}`)),
      chart(`RabbitMQ ${consumer}: queue depth`, levels(`rabbitmq.depth.${consumer}`), { unit: 'msgs' }),
    ]);
    if (keysOf('rabbitmq.lag').length) rabbit.push(chart('RabbitMQ bridge: Kafka lag', levels('rabbitmq.lag'), { unit: 'events' }));
    const webhooks = keysOf('webhook.depth.').flatMap(endpoint => [
      chart(`Webhook ${endpoints[endpoint] ?? endpoint}: attempts / s`, rates(`webhook.sent.${endpoint}`)),
      chart(`Webhook ${endpoints[endpoint] ?? endpoint}: pending`, levels(`webhook.depth.${endpoint}`),
        { unit: 'deliveries', alarm: v => v > 100 }),
    ]);
    show(view,
      h('h2', {}, 'Flow'),
      h('p', { class: 'muted' }, `From /observe/metrics every 5 s while the console is open (${history.length} samples kept, last 15 minutes).`),
      error ? message(`The hub's metrics did not answer: ${error.message}`, 'error') : null,
      h('section', { 'aria-labelledby': 'flow-hub' }, h('h3', { id: 'flow-hub' }, 'Hub'), h('div', { class: 'charts' }, hub)),
      h('section', { 'aria-labelledby': 'flow-bridges' }, h('h3', { id: 'flow-bridges' }, 'Bridges'),
        rabbit.length + webhooks.length ? h('div', { class: 'charts' }, rabbit, webhooks)
          : h('p', { class: 'muted' }, 'No bridge has reported yet.')));
  }

  draw(samples(), null);
  return subscribe(draw);
}
