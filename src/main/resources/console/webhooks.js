// Webhook endpoints: health (success rate since the hub started, last error, disabled state), deliveries and their
// attempts with the receiver's answer; enable, disable, rotate the secret, replay since a time.
import { h, show, table, status, time, json, message, confirmAction, instant } from './dom.js';
import { get, post, patch } from './api.js';
import { parsePrometheus } from './metrics.js';

/** Attempts by outcome per endpoint, from herald_webhooks_deliveries_total (counted since the hub started). */
async function outcomes() {
  const response = await fetch('/observe/metrics');
  const byEndpoint = {};
  for (const { name, labels, value } of parsePrometheus(await response.text())) {
    if (name !== 'herald_webhooks_deliveries_total') continue;
    const counts = byEndpoint[labels.endpoint] ??= { success: 0, failure: 0, dead: 0 };
    counts[labels.outcome] = (counts[labels.outcome] ?? 0) + value;
  }
  return byEndpoint;
}

function successRate(counts) {
  const total = counts ? counts.success + counts.failure + counts.dead : 0;
  return total ? `${Math.round((100 * counts.success) / total)}% of ${total}` : '–';
}

export async function render(view, params) {
  let selected = params.get('endpoint');
  let delivery = params.get('delivery');
  let notice = null;

  async function act(endpoint, action, detail) {
    const texts = {
      disable: `Disable ${endpoint.url}? Its deliveries wait until it is enabled again.`,
      enable: `Enable ${endpoint.url}? What waited gets a fresh retry schedule.`,
      rotate: `Rotate the signing secret of ${endpoint.url}? The old one keeps signing for a while; the new one is shown once.`,
      replay: `Replay to ${endpoint.url} every event since ${detail}?`,
      retry: `Send delivery ${detail} to ${endpoint.url} again now?`,
    };
    if (!(await confirmAction(texts[action]))) return;
    const path = `/api/webhooks/endpoints/${endpoint.id}`;
    try {
      if (action === 'disable' || action === 'enable') {
        await patch(path, { enabled: action === 'enable' });
        notice = message(`${endpoint.url} ${action}d.`);
      } else if (action === 'rotate') {
        const rotated = await post(`${path}/secret/rotate`);
        notice = h('div', { class: 'notice', role: 'status' },
          h('p', {}, 'New secret (shown only now): ', h('code', { id: 'new-secret' }, rotated.secret)),
          h('p', {}, 'The previous secret stays valid until ', time(rotated.previous_secret_valid_until), '.'));
      } else if (action === 'replay') {
        const { replayed } = await post(`${path}/replay`, { since: detail });
        notice = message(`${replayed} event(s) queued again for ${endpoint.url}.`);
      } else {
        await post(`${path}/deliveries/${detail}/retry`);
        notice = message(`Delivery ${detail} queued again.`);
      }
    } catch (error) {
      notice = message(`${endpoint.url}: ${error.message}`, 'error');
    }
    await load();
  }

  function endpointDetail(endpoint, newest, attempts) {
    const lastError = newest.find(d => d.last_error || (d.last_status && d.last_status >= 300));
    return h('section', { class: 'card', id: 'endpoint-detail', 'aria-labelledby': 'endpoint-title' },
      h('h3', { id: 'endpoint-title', tabindex: '-1' }, endpoint.url),
      h('p', {}, endpoint.enabled ? status('enabled') : status('disabled'), ' ',
        endpoint.disabled_reason ?? '', endpoint.failing_since ? h('span', {}, ' failing since ', time(endpoint.failing_since)) : null),
      h('p', {}, 'Last error: ', lastError ? `${lastError.last_status ?? ''} ${lastError.last_error ?? ''}` : 'none'),
      h('p', {}, `Of the newest ${newest.length} deliveries: `, ['succeeded', 'pending', 'dead'].map(state =>
        `${newest.filter(d => d.status === state).length} ${state}`).join(', '), '.'),
      h('div', { class: 'actions' },
        endpoint.enabled
          ? h('button', { type: 'button', class: 'danger', id: 'endpoint-disable', onclick: () => act(endpoint, 'disable') }, 'Disable')
          : h('button', { type: 'button', id: 'endpoint-enable', onclick: () => act(endpoint, 'enable') }, 'Enable'),
        h('button', { type: 'button', class: 'secondary', id: 'endpoint-rotate', onclick: () => act(endpoint, 'rotate') }, 'Rotate secret')),
      h('form', { class: 'filters', onsubmit: event => {
        event.preventDefault();
        const since = instant(new FormData(event.target).get('since'));
        if (since) act(endpoint, 'replay', since);
      } },
        h('label', {}, 'Replay since', h('input', { type: 'datetime-local', name: 'since', required: true })),
        h('button', { type: 'submit' }, 'Replay')),
      h('h3', {}, `Deliveries (newest first, ${newest.length} shown)`),
      newest.length ? table([
        ['Id', d => d.id, 'num'],
        ['Event', d => h('a', { href: `#/lookup?id=${d.event_id}` }, d.event_type)],
        ['Aggregate', d => d.aggregate_id],
        ['Status', d => status(d.status)],
        ['Attempts', d => d.attempts, 'num'],
        ['Last answer', d => `${d.last_status ?? ''} ${d.last_error ?? ''}`],
        ['Queued', d => time(d.created_at)],
        ['Finished', d => time(d.finished_at)],
        ['', d => h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'secondary', 'aria-label': `Attempts of delivery ${d.id}`,
            onclick: () => { delivery = String(d.id); load(); } }, 'Attempts'),
          d.status === 'dead' ? h('button', { type: 'button', onclick: () => act(endpoint, 'retry', d.id) }, 'Retry') : null)],
      ], newest, { rowAttributes: d => ({ 'data-delivery': d.id, 'data-aggregate': d.aggregate_id,
        class: String(d.id) === delivery ? 'selected' : null }) })
        : h('p', { class: 'muted' }, 'No delivery yet.'),
      attempts ? h('section', { id: 'attempts' },
        h('h3', {}, `Attempts of delivery ${delivery}`),
        table([
          ['At', a => time(a.attempted_at)],
          ['Status', a => a.response_status ?? ''],
          ['Duration', a => `${a.duration_ms} ms`, 'num'],
          ['Error', a => a.error ?? ''],
          ['Response excerpt', a => h('code', {}, a.response_excerpt ?? '')],
          ['Request headers', a => h('details', {}, h('summary', {}, 'headers'), json(a.request_headers))],
        ], attempts)) : null);
  }

  async function load() {
    const [endpoints, counts] = await Promise.all([get('/api/webhooks/endpoints', { limit: 1000 }), outcomes().catch(() => ({}))]);
    const endpoint = endpoints.find(e => e.id === selected);
    const deliveries = endpoint ? await get(`/api/webhooks/endpoints/${endpoint.id}/deliveries/newest`, { limit: 100 }) : [];
    const attempts = endpoint && delivery
      ? await get(`/api/webhooks/endpoints/${endpoint.id}/deliveries/${delivery}/attempts`).catch(() => null) : null;
    show(view,
      h('h2', {}, 'Webhook endpoints'),
      notice,
      endpoints.length ? table([
        ['Endpoint', e => h('a', { href: `#/webhooks?endpoint=${e.id}` }, e.url)],
        ['State', e => h('span', {}, status(e.enabled ? 'enabled' : 'disabled'), ' ', e.disabled_reason ?? '')],
        ['Success rate', e => successRate(counts[e.id])],
        ['Pending', e => e.pending, 'num'],
        ['Failing since', e => time(e.failing_since)],
        ['Event types', e => (e.event_types.length ? e.event_types.join(', ') : 'all')],
      ], endpoints, { rowAttributes: e => ({ 'data-endpoint': e.id, class: e.id === selected ? 'selected' : null }) })
        : h('p', { class: 'muted' }, 'No webhook endpoint is declared (POST /api/webhooks/endpoints).'),
      h('p', { class: 'muted' }, 'Success rate: attempts that succeeded, since the hub started.'),
      endpoint ? endpointDetail(endpoint, deliveries, attempts) : null);
  }

  await load();
}
