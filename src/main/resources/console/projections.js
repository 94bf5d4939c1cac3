// Projections: status, position, lag, last error; retry a failed one, rebuild one (with a confirmation).
import { h, show, table, status, time, message, confirmAction, every } from './dom.js';
import { get, post } from './api.js';

export async function render(view) {
  async function load(notice) {
    const { items } = await get('/api/projections');
    show(view,
      h('h2', {}, 'Projections'),
      notice,
      items.length ? table([
        ['Name', p => p.name],
        ['Status', p => status(p.status)],
        ['Position', p => p.position, 'num'],
        ['Lag', p => p.lag, 'num'],
        ['Applied', p => p.applied, 'num'],
        ['Last error', p => p.last_error ?? ''],
        ['Updated', p => time(p.updated_at)],
        ['', p => h('div', { class: 'actions' },
          p.status === 'failed' ? h('button', { type: 'button', onclick: () => act(p, 'retry') }, 'Retry') : null,
          p.rebuildable ? h('button', { type: 'button', class: 'secondary', onclick: () => act(p, 'rebuild') }, 'Rebuild') : null)],
      ], items) : h('p', { class: 'muted' }, 'No projection is declared.'));
  }

  async function act(projection, action) {
    const text = action === 'rebuild'
      ? `Rebuild ${projection.name}? It replays the whole event store in one transaction; readers see the old read model until it commits.`
      : `Retry ${projection.name} at the event it stopped at?`;
    if (!(await confirmAction(text))) return;
    try {
      await post(`/api/projections/${encodeURIComponent(projection.name)}/${action}`);
      await load(message(`${projection.name}: ${action} started.`));
    } catch (error) {
      await load(message(`${projection.name}: ${error.message}`, 'error'));
    }
  }

  await load();
  return every(5000, view, load);
}
