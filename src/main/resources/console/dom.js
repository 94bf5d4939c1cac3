// Small DOM helpers: elements are built, never parsed from strings, so no value from the API can inject markup.

/** h('button', {class: 'x', onclick: f}, 'text', child...): an element with attributes, handlers and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** A table of rows: columns are [heading, row => cell content, 'num'?]. */
export function table(columns, rows, { caption, rowAttributes } = {}) {
  return h('div', { class: 'table' },
    h('table', {},
      caption ? h('caption', { class: 'muted' }, caption) : null,
      h('thead', {}, h('tr', {}, columns.map(([heading]) => h('th', { scope: 'col' }, heading)))),
      h('tbody', {}, rows.map(row => h('tr', rowAttributes ? rowAttributes(row) : {},
        columns.map(([, cell, kind]) => h('td', { class: kind }, cell(row))))))));
}

export function status(text) {
  return h('span', { class: `status ${text}` }, text ?? '');
}

/** An RFC 3339 time as the reader's local time, with the exact value in the title. */
export function time(value) {
  if (!value) return '';
  const date = new Date(value);
  return h('time', { datetime: value, title: value }, date.toLocaleString());
}

export function json(value) {
  return h('pre', {}, JSON.stringify(value, null, 2));
}

/** Replaces the page's content and moves the focus there, for keyboard and screen-reader users. */
export function show(view, ...children) {
  view.replaceChildren(...children.flat().filter(Boolean));
}

/** The confirmation dialog (index.html): resolves true when the operator confirms. */
export function confirmAction(text) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  return new Promise(resolve => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = 'cancel';
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

/** A line saying what happened, announced to screen readers. */
export function message(text, kind = 'notice') {
  return h('p', { class: kind === 'error' ? 'error' : 'notice', role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Calls load every ms while the page shows, but not while the operator's focus is inside it (a redraw would
 * move it); answers the function that stops it. */
export function every(ms, view, load) {
  const timer = setInterval(() => {
    const focus = document.activeElement;
    if (focus && focus !== view && focus !== document.body && view.contains(focus)) return;
    load().catch(() => {});
  }, ms);
  return () => clearInterval(timer);
}

/** An RFC 3339 time as a datetime-local input's value (the reader's local time), '' for none. */
export function localInput(value) {
  if (!value) return '';
  const date = new Date(value);
  const pad = n => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local input's value as RFC 3339 (UTC), or undefined when empty. */
export function instant(localValue) {
  return localValue ? new Date(localValue).toISOString() : undefined;
}
