// A small time-series chart as inline SVG: the last 15 minutes, from zero to the highest value shown.
import { h } from './dom.js';
import { windowMs } from './metrics.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 300, HEIGHT = 60;

function svg(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

function format(value, unit) {
  if (value === undefined) return '–';
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded.toLocaleString()}${unit ? ` ${unit}` : ''}`;
}

/** A card: title, the newest value, the line of [{t, v}]; alarm(v) marks a newest value that needs attention. */
export function chart(title, points, { unit = '', alarm = () => false, id } = {}) {
  const now = Date.now();
  const newest = points.at(-1)?.v;
  const peak = Math.max(0, ...points.map(p => p.v));
  const max = Math.max(peak, 1e-9);
  const x = t => ((t - (now - windowMs)) / windowMs) * WIDTH;
  const y = v => HEIGHT - 2 - (v / max) * (HEIGHT - 4);
  const line = points.map(p => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const picture = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', role: 'img',
    'aria-label': `${title}: ${format(newest, unit)} now, at most ${format(peak, unit)} in the last 15 minutes` });
  if (points.length > 1) {
    picture.append(svg('polygon', { class: 'area',
      points: `${x(points[0].t)},${HEIGHT} ${line} ${x(points.at(-1).t)},${HEIGHT}` }));
    picture.append(svg('polyline', { class: 'line', points: line }));
  }
  return h('figure', { class: `card chart${newest !== undefined && alarm(newest) ? ' alarm' : ''}`, id },
    h('h3', {}, title),
    h('div', { class: 'value' }, format(newest, unit)),
    picture,
    h('figcaption', { class: 'muted' }, `peak ${format(peak, unit)} · 15 min`));
}
