// The flow's numbers, from the hub's Prometheus text (GET /observe/metrics), sampled every few seconds while the
// console is open and kept for 15 minutes in this tab (sessionStorage), so the charts survive a reload.

const WINDOW_MS = 15 * 60 * 1000;
const EVERY_MS = 5000;
const STORE = 'herald.console.flow';

/** Prometheus text -> [{name, labels, value}] (comments and timestamps dropped). */
export function parsePrometheus(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** What the charts need from one scrape: totals (counters, rated later) and levels (gauges), by key. */
export function reduce(samples) {
  // a counter appears at its first count: until then it is 0
  const values = { commands: 0, published: 0 };
  const add = (key, value) => { values[key] = (values[key] ?? 0) + (Number.isFinite(value) ? value : 0); };
  for (const { name, labels, value } of samples) {
    switch (name) {
      case 'herald_commands_total': add('commands', value); break;
      case 'herald_events_published_total': add('published', value); break;
      case 'herald_outbox_backlog': add('backlog', value); break;
      case 'herald_outbox_oldest_age_seconds': add('oldest', value); break;
      case 'herald_kafka_unreachable_seconds': add('unreachable', value); break;
      case 'herald_shedding': add('shedding', value); break;
      case 'herald_rabbitmq_bridged_total': add(`rabbitmq.sent.${labels.consumer}`, value); break;
      case 'herald_rabbitmq_queue_depth': add(`rabbitmq.depth.${labels.consumer}`, value); break;
      case 'herald_rabbitmq_lag': add('rabbitmq.lag', value); break;
      case 'herald_webhooks_deliveries_total': add(`webhook.sent.${labels.endpoint}`, value); break;
      case 'herald_webhooks_queue_depth': add(`webhook.depth.${labels.endpoint}`, value); break;
      default:
    }
  }
  return values;
}

let history = JSON.parse(sessionStorage.getItem(STORE) ?? '[]');
const listeners = new Set();
let timer = null;

/** [{t, values}] of the last 15 minutes, oldest first. */
export const samples = () => history;

/** Calls back after each new sample until the returned function is called. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function sample() {
  try {
    const response = await fetch('/observe/metrics', { headers: { Accept: 'text/plain' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const now = Date.now();
    history = history.filter(s => s.t > now - WINDOW_MS);
    history.push({ t: now, values: reduce(parsePrometheus(await response.text())) });
    sessionStorage.setItem(STORE, JSON.stringify(history));
    listeners.forEach(listener => listener(history, null));
  } catch (error) {
    listeners.forEach(listener => listener(history, error));
  }
}

export function startSampling() {
  if (timer) return;
  sample();
  timer = setInterval(sample, EVERY_MS);
}

export function stopSampling() {
  clearInterval(timer);
  timer = null;
}

/** One key's level over time: [{t, v}]. */
export function levels(key) {
  return history.filter(s => key in s.values).map(s => ({ t: s.t, v: s.values[key] }));
}

/** One counter's rate per second between consecutive samples (absent: not counted yet, 0; a restart's reset counts
 * as 0): [{t, v}]. */
export function rates(key) {
  const points = [];
  for (let i = 1; i < history.length; i++) {
    const before = history[i - 1], after = history[i];
    const delta = (after.values[key] ?? 0) - (before.values[key] ?? 0);
    points.push({ t: after.t, v: Math.max(0, delta) / ((after.t - before.t) / 1000) });
  }
  return points;
}

/** The keys of one family present in the newest sample, e.g. keysOf('webhook.depth.') -> endpoint ids. */
export function keysOf(prefix) {
  const newest = history.at(-1)?.values ?? {};
  return Object.keys(newest).filter(key => key.startsWith(prefix)).map(key => key.slice(prefix.length));
}

export const windowMs = WINDOW_MS;
