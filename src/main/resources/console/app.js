// The console's shell: the login form, hash routing between the pages, the flow sampler.
import { session, call, whenUnauthorized } from './api.js';
import { startSampling, stopSampling } from './metrics.js';
import * as flow from './flow.js';
import * as deadLetters from './dead-letters.js';
import * as webhooks from './webhooks.js';
import * as lookup from './lookup.js';
import * as projections from './projections.js';
import * as sagas from './sagas.js';
import * as replays from './replays.js';

const PAGES = { flow, 'dead-letters': deadLetters, webhooks, lookup, projections, sagas, replays };
const view = document.getElementById('view');
const login = document.getElementById('login');
const nav = document.getElementById('nav');
const logout = document.getElementById('logout');
let leave = null;

function showLogin(reason) {
  leave?.();
  leave = null;
  stopSampling();
  nav.hidden = logout.hidden = true;
  document.getElementById('login-error').textContent = reason ?? '';
  view.replaceChildren(login);
  login.hidden = false;
  document.getElementById('key').focus();
}

/** The page the hash names (#/dead-letters?stage=webhook), with its parameters. */
async function route() {
  if (!session.key()) return showLogin();
  const [name, query] = location.hash.replace(/^#\/?/, '').split('?');
  const page = PAGES[name];
  if (!page) {
    location.replace('#/flow');
    return;
  }
  leave?.();
  leave = null;
  nav.hidden = logout.hidden = false;
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${nav.querySelector('[aria-current]').textContent} · Herald console`;
  // each visit draws into its own element: what a page left still running (a fetch, a poll) after the operator
  // moved on draws into a detached one, never over the next page
  const content = document.createElement('div');
  view.replaceChildren(content);
  delete view.dataset.ready;
  startSampling();
  try {
    const stop = (await page.render(content, new URLSearchParams(query ?? ''))) ?? null;
    if (content.isConnected) leave = stop;
    else stop?.();   // the operator left before the page finished drawing
  } catch (error) {
    if (session.key()) content.replaceChildren(Object.assign(document.createElement('p'),
      { className: 'error', role: 'alert', textContent: `This page could not load: ${error.message}` }));
  }
  if (content.isConnected) view.dataset.ready = name;
}

login.addEventListener('submit', async event => {
  event.preventDefault();
  const key = document.getElementById('key').value.trim();
  const error = document.getElementById('login-error');
  error.textContent = '';
  try {
    // a key of admin scope reads the dead letters; any other answers 401 or 403
    await call('GET', '/api/dead-letters', { key, params: { limit: 1 } });
    session.keep(key);
    login.hidden = true;
    document.getElementById('key').value = '';
    if (!location.hash || location.hash === '#/') location.hash = '#/flow';
    else route();
  } catch (failure) {
    error.textContent = failure.status === 401 ? 'That API key is not valid (unknown or revoked).'
      : failure.status === 403 ? 'That API key lacks the admin scope the console needs.'
        : `The hub did not accept the key: ${failure.message}`;
  }
});

logout.addEventListener('click', () => {
  session.forget();
  sessionStorage.clear();
  showLogin('Logged out.');
});

whenUnauthorized(() => {
  session.forget();
  showLogin('The API key stopped working (revoked?): log in again.');
});

// the skip link moves the focus without touching the hash, which names the page
document.querySelector('.skip').addEventListener('click', event => {
  event.preventDefault();
  view.focus();
});

window.addEventListener('hashchange', route);
route();
