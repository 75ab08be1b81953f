// The API client (same origin, bearer token) and how its answers are shown: message boxes,
// the flash banner carried to the next screen, and 422 details next to their fields.

function errorText(status, data) {
  const error = data && data.error;
  if (error && error.message) return error.message;
  if (status === 401) return 'Unauthorized: the token is missing, expired or invalid. Paste a token in the Bearer token field.';
  if (status === 403 && data && data.message) return 'Forbidden: the token does not hold the permission (scope) this action needs.';
  if (status === 404 && data && data.message) return 'Not Found: the API has no such route (not deployed yet?).';
  if (data && data.message) return `${data.message} (HTTP ${status})`;
  return `The API answered HTTP ${status}.`;
}

/** fetch on the page's own origin with the bearer token: {ok, status, data, etag, message}. */
async function api(method, path, {query, body, headers = {}} = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== '' && value !== null && value !== undefined) url.searchParams.set(name, value);
  }
  const init = {method, headers: {Accept: 'application/json', ...headers}, cache: 'no-store'};
  const token = getToken();
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    return {ok: false, status: 0, data: null, etag: null, message: 'The API cannot be reached (network error).'};
  }
  let data = null;
  if ((response.headers.get('content-type') || '').includes('json')) {
    try { data = await response.json(); } catch { data = null; }
  }
  const result = {ok: response.ok, status: response.status, data, etag: response.headers.get('etag')};
  if (!response.ok) result.message = errorText(response.status, data);
  if (response.status === 401) showTokenStatus('The API refused the token (401): paste a valid one.');
  return result;
}

function messageBox(kind, title, lines = [], details = [], actions = []) {
  const box = h('div', {class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status'});
  box.append(h('p', {}, h('strong', {}, title)));
  for (const line of lines.filter(Boolean)) box.append(h('p', {}, line));
  if (details.length) box.append(h('ul', {}, details.map((d) => h('li', {}, d))));
  if (actions.length) box.append(h('p', {class: 'actions'}, actions));
  return box;
}

function detailLines(res) {
  const details = (res.data && res.data.error && res.data.error.details) || [];
  return details.map((d) => `${d.field}: ${d.reason}`);
}

function apiErrorBox(title, res, actions = []) {
  return messageBox('error', title, [res.message], detailLines(res), actions);
}

/** Show an action's outcome in area: the banners of earlier actions go (see clearBanners). */
function say(area, box) {
  clearBanners(area);
  area.replaceChildren(box);
  return box;
}

/**
 * Empty the flash and every message area of the screen but `keep`: once a later action has answered,
 * an earlier success or refusal must not stay above it. (A new screen starts with new areas.)
 */
function clearBanners(keep = null) {
  for (const area of document.querySelectorAll('#flash, .messages')) if (area !== keep) area.replaceChildren();
}

let pendingFlash = null;
function flashNext(kind, text) { pendingFlash = [kind, text]; }
function showFlash() {
  const area = document.getElementById('flash');
  area.replaceChildren();
  if (pendingFlash) area.append(messageBox(pendingFlash[0], pendingFlash[1]));
  pendingFlash = null;
}

/** Show 422 details next to their fields; returns the details no field matched. */
function showFieldErrors(controls, res) {
  clearFieldErrors(controls);
  const details = (res.data && res.data.error && res.data.error.details) || [];
  const byField = new Map();
  const unmatched = [];
  for (const d of details) {
    const parts = String(d.field || '').split('.');
    const name = parts[0] === 'body' ? parts[1] : parts[0];
    if (!name || !controls[name]) { unmatched.push(d); continue; }
    if (!byField.has(name)) byField.set(name, []);
    byField.get(name).push({branch: parts.slice(2).join('.'), reason: d.reason});
  }
  let first = null;
  for (const [name, found] of byField) {
    // A field that takes "a number or blank" fails both branches; the number's reason is the useful one.
    const numeric = found.filter((f) => /int/.test(f.branch));
    const reasons = (numeric.length ? numeric : found).map((f) => f.reason);
    const control = controls[name];
    control.setAttribute('aria-invalid', 'true');
    const errorEl = document.getElementById(`${control.id}-error`);
    if (errorEl) errorEl.textContent = [...new Set(reasons)].join('; ');
    first = first || control;
  }
  if (first) first.focus();
  return unmatched;
}

function clearFieldErrors(controls) {
  for (const control of Object.values(controls)) {
    control.removeAttribute('aria-invalid');
    const errorEl = document.getElementById(`${control.id}-error`);
    if (errorEl) errorEl.textContent = '';
  }
}
