// The operator API, with the API key from the login form (sessionStorage: this tab only, gone when it closes).

const KEY = 'herald.console.key';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  keep: key => sessionStorage.setItem(KEY, key),
  forget: () => sessionStorage.removeItem(KEY),
};

/** A refusal of the API: its status and RFC 9457 problem (title, detail, trace_id). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let onUnauthorized = () => {};
/** What to do when the key stops working (revoked, or never valid): the app shows the login form. */
export function whenUnauthorized(callback) { onUnauthorized = callback; }

/** fetch with the key; answers the JSON body (null for none), throws ApiError for any status over 299. */
export async function call(method, path, { body, key = session.key(), params } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const content = text && (response.headers.get('Content-Type') ?? '').includes('json') ? JSON.parse(text) : text || null;
  if (!response.ok) {
    const error = new ApiError(response.status, typeof content === 'object' ? content : { detail: content });
    // the kept key stopped working (not a key being tried at the login form)
    if (response.status === 401 && key && key === session.key()) onUnauthorized(error);
    throw error;
  }
  return content;
}

export const get = (path, params) => call('GET', path, { params });
export const post = (path, params, body) => call('POST', path, { params, body });
export const patch = (path, body) => call('PATCH', path, { body });
export const del = path => call('DELETE', path);
