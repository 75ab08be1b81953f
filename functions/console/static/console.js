// Shop admin console: hash-routed screens over the HTTP API of the page's own origin.
// Every value that comes from the API reaches the page as text (DOM nodes, textContent),
// never as markup. Screens: #/online, #/config, #/customers, #/customers/<id>.

const TOKEN_KEY = 'shopadmin.console.token';
const AUTO_REFRESH_SECONDS = 30;
const GROUPS = [[0, 'NOT LOGGED IN'], [1, 'General'], [2, 'Wholesale'], [3, 'Retailer']];
const GENDERS = [['', 'Not set'], ['male', 'Male'], ['female', 'Female'], ['not_specified', 'Not Specified']];
const CONFIG_DEFAULTS = {online_minutes_interval: 15, customer_data_lifetime: 60};

// ---------------------------------------------------------------- DOM helpers
const PROPERTIES = new Set(['value', 'checked']);

/** h('tag', {attr: value, onclick: fn}, ...children): children are nodes or text (never parsed as HTML). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (PROPERTIES.has(name)) el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  appendAll(el, children);
  return el;
}

function appendAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const td = (content, cls) => h('td', {class: cls}, content ?? '');
const enc = encodeURIComponent;
const pad = (n) => String(n).padStart(2, '0');

function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function timeEl(iso) {
  return iso ? h('time', {datetime: iso, title: `${iso} (UTC)`}, formatTime(iso)) : '';
}

function urlEl(url) {
  if (!url) return '';
  let web = false;
  try { web = ['http:', 'https:'].includes(new URL(url).protocol); } catch { web = false; }
  const shown = String(url).replace(/^https?:\/\//, '');
  return web ? h('a', {href: url, target: '_blank', rel: 'noopener noreferrer', title: url}, shown) : String(url);
}

function select(id, options, value, attrs = {}) {
  const el = h('select', {id, ...attrs}, options.map(([v, label]) => h('option', {value: String(v)}, label)));
  const wanted = value === null || value === undefined ? '' : String(value);
  if (![...el.options].some((o) => o.value === wanted)) el.append(h('option', {value: wanted}, wanted));
  el.value = wanted;
  return el;
}

function groupName(id) {
  const found = GROUPS.find(([value]) => value === id);
  return found ? found[1] : (id === null || id === undefined ? '' : `Group ${id}`);
}

function genderName(value) {
  const found = GENDERS.find(([v]) => v === value);
  return value && found ? found[1] : '';
}

function fullName(c) {
  return [c.prefix, c.first_name, c.middle_name, c.last_name, c.suffix].filter(Boolean).join(' ');
}

const customerHref = (id) => `#/customers/${enc(id)}`;

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** A labelled control with its hint and error line, wired with aria-describedby. */
function field(labelText, control, {hint, cls = 'field', required = false} = {}) {
  const described = [];
  const hintEl = hint ? h('p', {class: 'hint', id: `${control.id}-hint`}, hint) : null;
  if (hintEl) described.push(hintEl.id);
  const errorEl = h('p', {class: 'field-error', id: `${control.id}-error`});
  described.push(errorEl.id);
  control.setAttribute('aria-describedby', described.join(' '));
  if (required) control.setAttribute('aria-required', 'true');
  const label = h('label', {for: control.id}, labelText, required ? h('span', {'aria-hidden': 'true'}, ' *') : null);
  if (control.type === 'checkbox') {
    return h('div', {class: cls}, h('span', {class: 'check'}, control, label), hintEl, errorEl);
  }
  return h('div', {class: cls}, label, control, hintEl, errorEl);
}

// ---------------------------------------------------------------- messages
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

function say(area, box) {
  area.replaceChildren(box);
  return box;
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

// ---------------------------------------------------------------- dialogs
function openDialog({title, body = [], buttons}) {
  const opener = document.activeElement;
  const titleId = `dialog-title-${newKey()}`;
  const dialog = h('dialog', {'aria-labelledby': titleId}, h('h2', {id: titleId}, title), body);
  const row = h('div', {class: 'form-buttons'});
  for (const b of buttons) {
    row.append(h('button', {
      type: 'button', class: b.cls, id: b.id,
      onclick: async () => {
        if (b.onclick && (await b.onclick()) === false) return;  // keep the dialog open
        dialog.close(b.value);
      },
    }, b.label));
  }
  dialog.append(row);
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(dialog.returnValue);
    }, {once: true});
  });
}

async function confirmDialog(title, text, confirmLabel, cls = 'danger') {
  const answer = await openDialog({
    title, body: [h('p', {}, text)],
    buttons: [{label: confirmLabel, value: 'confirm', cls, id: 'dialog-confirm'},
      {label: 'Cancel', value: 'cancel', id: 'dialog-cancel'}],
  });
  return answer === 'confirm';
}

// ---------------------------------------------------------------- token
function getToken() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

function tokenClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')));
  } catch {
    return null;
  }
}

function showTokenStatus(problem) {
  const status = document.getElementById('token-status');
  const token = getToken();
  if (problem) { status.textContent = problem; return; }
  if (!token) { status.textContent = 'No token: paste one to use the console.'; return; }
  const claims = tokenClaims(token);
  if (!claims) { status.textContent = 'Token set.'; return; }
  const until = claims.exp ? ` until ${formatTime(new Date(claims.exp * 1000).toISOString())}` : '';
  const expired = claims.exp && claims.exp * 1000 < Date.now() ? ' (expired)' : '';
  status.textContent = `Signed in as ${claims.sub || 'unknown'}${until}${expired}`;
}

function setupToken() {
  const params = new URLSearchParams(location.search);
  if (params.has('token')) {
    const fromUrl = (params.get('token') || '').trim();
    if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');  // out of the address bar and the history
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }
  const input = document.getElementById('token');
  input.value = getToken();
  document.getElementById('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
    showTokenStatus();
    route();
  });
  document.getElementById('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    input.value = '';
    showTokenStatus();
    input.focus();
  });
  showTokenStatus();
}

// ---------------------------------------------------------------- API
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

// ---------------------------------------------------------------- router
let teardown = null;
const views = {online: viewOnline, config: viewConfig, customers: viewCustomers, customer: viewCustomer};

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'customers' && parts.length > 1) {
    try { return {name: 'customer', id: decodeURIComponent(parts.slice(1).join('/'))}; } catch { return {name: 'customers'}; }
  }
  return {name: ['online', 'config', 'customers'].includes(parts[0]) ? parts[0] : 'online'};
}

function route(moveFocus = false) {
  if (teardown) { teardown(); teardown = null; }
  const target = parseHash();
  const section = target.name === 'customer' ? 'customers' : target.name;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === section) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  const view = document.getElementById('view');
  view.replaceChildren();
  showFlash();
  teardown = views[target.name](view, target) || null;
  const heading = view.querySelector('h1');
  if (heading) {
    document.title = `${heading.textContent} · Shop admin`;
    if (moveFocus) heading.focus();
  }
}

function pageHeading(text, crumb) {
  return [crumb ? h('p', {class: 'breadcrumb'}, crumb) : null, h('h1', {tabindex: '-1'}, text)];
}

/** Sortable column header: a real button; aria-sort on the th tells the current order. */
function sortHeader(label, key, state, onSort) {
  const th = h('th', {scope: 'col'});
  if (!key) { th.textContent = label; return th; }
  const arrow = h('span', {class: 'arrow', 'aria-hidden': 'true'});
  const button = h('button', {type: 'button', class: 'sort', 'data-sort': key}, label, arrow);
  button.addEventListener('click', () => {
    const descFirst = key === 'last_activity' || key === 'created_at';
    let next;
    if (state.sort === key) next = `-${key}`;
    else if (state.sort === `-${key}`) next = key;
    else next = descFirst ? `-${key}` : key;
    onSort(next);
  });
  th.append(button);
  th.update = () => {
    const asc = state.sort === key;
    const desc = state.sort === `-${key}`;
    if (asc || desc) th.setAttribute('aria-sort', asc ? 'ascending' : 'descending'); else th.removeAttribute('aria-sort');
    arrow.textContent = asc ? '▲' : desc ? '▼' : '';
  };
  th.update();
  return th;
}

function pager(state, load, label) {
  const prev = h('button', {type: 'button', class: 'pager-prev', disabled: true}, 'Previous page');
  const next = h('button', {type: 'button', class: 'pager-next', disabled: true}, 'Next page');
  const where = h('span', {class: 'pager-where', 'aria-live': 'polite'});
  prev.addEventListener('click', () => { if (state.page > 0) { state.page -= 1; load(); } });
  next.addEventListener('click', () => {
    if (!state.nextCursor) return;
    state.cursors[state.page + 1] = state.nextCursor;
    state.page += 1;
    load();
  });
  const nav = h('nav', {class: 'pager', 'aria-label': label}, prev, where, next);
  nav.update = (count) => {
    prev.disabled = state.page === 0;
    next.disabled = !state.nextCursor;
    where.textContent = `Page ${state.page + 1} · ${count} row${count === 1 ? '' : 's'}`;
  };
  return nav;
}

function resetPaging(state) { state.cursors = [null]; state.page = 0; state.nextCursor = null; }

// ---------------------------------------------------------------- Now Online
const ONLINE_SORTS = [['-last_activity', 'Last activity, newest first'], ['last_activity', 'Last activity, oldest first'],
  ['last_name', 'Last name, A to Z'], ['-last_name', 'Last name, Z to A'], ['email', 'Email, A to Z'], ['-email', 'Email, Z to A']];
const ONLINE_COLUMNS = [['ID'], ['First Name'], ['Last Name', 'last_name'], ['Email', 'email'], ['Last Activity', 'last_activity'],
  ['Type'], ['Last URL'], ['Company'], ['Website'], ['Session Start']];
const onlineState = {type: '', website_id: '', q: '', sort: '-last_activity', limit: '50', cursors: [null], page: 0,
  nextCursor: null, auto: false};

function viewOnline(view) {
  const s = onlineState;
  const msgs = h('div', {class: 'messages'});
  const summary = h('ul', {class: 'summary', id: 'online-summary', 'aria-label': 'Online now by type and website'});
  const type = select('online-type', [['', 'All'], ['customer', 'Customer'], ['visitor', 'Visitor']], s.type);
  const website = h('input', {id: 'online-website', type: 'text', value: s.website_id, list: 'online-websites', maxlength: 64, autocomplete: 'off'});
  const websites = h('datalist', {id: 'online-websites'});
  const q = h('input', {id: 'online-q', type: 'search', value: s.q, maxlength: 100});
  const sort = select('online-sort', ONLINE_SORTS, s.sort);
  const limit = select('online-limit', [['20', '20'], ['50', '50'], ['100', '100'], ['200', '200']], s.limit);
  const filters = h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter online customers', novalidate: true},
    field('Type', type), field('Website', website), websites,
    field('Name or email starts with', q), field('Sort by', sort), field('Rows per page', limit),
    h('div', {class: 'buttons'}, h('button', {type: 'submit', class: 'primary'}, 'Search'),
      h('button', {type: 'button', id: 'online-reset', onclick: () => {
        type.value = ''; website.value = ''; q.value = ''; sort.value = '-last_activity'; limit.value = '50';
        filters.requestSubmit();
      }}, 'Reset filters')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    Object.assign(s, {type: type.value, website_id: website.value.trim(), q: q.value.trim(), sort: sort.value, limit: limit.value});
    resetPaging(s);
    load();
  });

  const refresh = h('button', {type: 'button', id: 'online-refresh', class: 'primary'}, 'Refresh');
  refresh.addEventListener('click', () => load());
  const auto = h('input', {type: 'checkbox', id: 'online-auto', checked: s.auto});
  const updated = h('span', {class: 'note', id: 'online-updated', 'aria-live': 'polite'});
  let timer = null;
  const setAuto = () => {
    s.auto = auto.checked;
    clearInterval(timer);
    timer = s.auto ? setInterval(() => { if (!document.hidden) load(); }, AUTO_REFRESH_SECONDS * 1000) : null;
  };
  auto.addEventListener('change', setAuto);

  const headers = ONLINE_COLUMNS.map(([label, key]) => sortHeader(label, key, s, (next) => {
    s.sort = next; sort.value = next; resetPaging(s); load();
  }));
  const tbody = h('tbody');
  const table = h('table', {class: 'grid', id: 'online-grid'},
    h('caption', {}, 'Customers and visitors online now (sessions active within the Online Minutes Interval)'),
    h('thead', {}, h('tr', {}, headers)), tbody);
  const nav = pager(s, () => load(), 'Online customers pages');

  view.append(...pageHeading('Now Online', 'Customers'), msgs, summary, filters,
    h('div', {class: 'toolbar'}, refresh, h('span', {class: 'check'}, auto, h('label', {for: 'online-auto'}, `Auto-refresh every ${AUTO_REFRESH_SECONDS} s`)), updated),
    h('div', {class: 'table-wrap'}, table), nav);

  let sequence = 0;
  async function load() {
    const mine = ++sequence;
    table.setAttribute('aria-busy', 'true');
    const query = {type: s.type, website_id: s.website_id, q: s.q, sort: s.sort, limit: s.limit, cursor: s.cursors[s.page]};
    const [list, counts] = await Promise.all([api('GET', '/online-customers', {query}), api('GET', '/online-customers/summary')]);
    if (mine !== sequence) return;  // a newer load is on its way
    table.removeAttribute('aria-busy');
    msgs.replaceChildren();
    for (const th of headers) if (th.update) th.update();
    if (counts.ok) renderSummary(counts.data);
    else msgs.append(apiErrorBox('The online summary could not be loaded', counts));
    if (!list.ok) {
      msgs.append(apiErrorBox('The online list could not be loaded', list));
      tbody.replaceChildren(h('tr', {}, h('td', {colspan: ONLINE_COLUMNS.length, class: 'empty'}, 'No data.')));
      s.nextCursor = null;
      nav.update(0);
      return;
    }
    const items = list.data.items || [];
    s.nextCursor = list.data.next_cursor || null;
    tbody.replaceChildren(...(items.length ? items.map(onlineRow)
      : [h('tr', {}, h('td', {colspan: ONLINE_COLUMNS.length, class: 'empty'},
        s.type || s.website_id || s.q ? 'No one online matches these filters.' : 'No one is online right now.'))]));
    nav.update(items.length);
    updated.textContent = `Updated ${formatTime(new Date().toISOString())}`;
  }

  function renderSummary(data) {
    const byType = data.by_type || {};
    const items = [
      h('li', {'data-count': 'total'}, h('strong', {}, String(data.total ?? 0)), ' online'),
      h('li', {'data-count': 'customer'}, h('strong', {}, String(byType.customer ?? 0)), ' customers'),
      h('li', {'data-count': 'visitor'}, h('strong', {}, String(byType.visitor ?? 0)), ' visitors'),
    ];
    const sites = Object.entries(data.by_website || {});
    for (const [site, count] of sites) items.push(h('li', {'data-website': site}, `${site}: `, h('strong', {}, String(count))));
    summary.replaceChildren(...items);
    websites.replaceChildren(...sites.map(([site]) => h('option', {value: site})));
  }

  setAuto();
  load();
  return () => clearInterval(timer);
}

function onlineRow(row) {
  const id = row.customer_id ? h('a', {href: customerHref(row.customer_id)}, row.customer_id) : '';
  const typeCell = [h('span', {class: `badge ${row.type === 'customer' ? 'customer' : 'visitor'}`}, row.type === 'customer' ? 'Customer' : 'Visitor'),
    row.assisted_by ? h('span', {class: 'note'}, ` assisted by ${row.assisted_by}`) : null];
  return h('tr', {'data-session': row.session_id},
    td(id, 'id'), td(row.first_name), td(row.last_name), td(row.email), td(timeEl(row.last_activity), 'nowrap'),
    td(typeCell), td(urlEl(row.last_url), 'url'), td(row.company), td(row.website_id), td(timeEl(row.session_start), 'nowrap'));
}

// ---------------------------------------------------------------- Online Customers Options
function viewConfig(view) {
  const msgs = h('div', {class: 'messages'});
  const interval = h('input', {id: 'online_minutes_interval', name: 'online_minutes_interval', type: 'text', inputmode: 'numeric',
    placeholder: String(CONFIG_DEFAULTS.online_minutes_interval), autocomplete: 'off'});
  const lifetime = h('input', {id: 'customer_data_lifetime', name: 'customer_data_lifetime', type: 'text', inputmode: 'numeric',
    placeholder: String(CONFIG_DEFAULTS.customer_data_lifetime), autocomplete: 'off'});
  const controls = {online_minutes_interval: interval, customer_data_lifetime: lifetime};
  const save = h('button', {type: 'submit', class: 'primary', id: 'config-save', disabled: true}, 'Save Config');
  const form = h('form', {id: 'config-form', novalidate: true},
    h('fieldset', {}, h('legend', {}, 'Online Customers Options'),
      h('div', {class: 'stacked'}, field('Online Minutes Interval', interval, {
        hint: `Minutes a session stays visible as online in Now Online. Whole number, 1 to 1440. Leave empty for the default (${CONFIG_DEFAULTS.online_minutes_interval}).`})),
      h('div', {class: 'stacked'}, field('Customer Data Lifetime', lifetime, {
        hint: `Minutes before unsaved data a visitor entered (guest cart, checkout draft) expires. Whole number, 1 to 10080. Leave empty for the default (${CONFIG_DEFAULTS.customer_data_lifetime}).`}))),
    h('div', {class: 'form-buttons'}, save));

  const asSent = (text) => {
    const value = text.trim();
    if (value === '') return null;  // blank: the default
    return /^-?\d+$/.test(value) ? Number(value) : value;  // anything else goes as typed: the API names the problem
  };
  const fill = (config) => {
    interval.value = config.online_minutes_interval ?? '';
    lifetime.value = config.customer_data_lifetime ?? '';
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(controls);
    save.disabled = true;
    const res = await api('PUT', '/config/online-customers', {
      body: {online_minutes_interval: asSent(interval.value), customer_data_lifetime: asSent(lifetime.value)}});
    save.disabled = false;
    if (res.ok) {
      fill(res.data);
      say(msgs, messageBox('ok', 'You saved the configuration.',
        [`Online Minutes Interval: ${res.data.online_minutes_interval} min; Customer Data Lifetime: ${res.data.customer_data_lifetime} min. It applies to the next reads.`]));
    } else if (res.status === 422) {
      const rest = showFieldErrors(controls, res);
      say(msgs, messageBox('error', 'The configuration was not saved: check the highlighted fields.', [],
        rest.map((d) => `${d.field}: ${d.reason}`)));
    } else {
      say(msgs, apiErrorBox('The configuration was not saved', res));
    }
  });

  view.append(...pageHeading('Online Customers Options', 'Stores › Configuration › Customers › Customer Configuration'), msgs, form);
  (async () => {
    const res = await api('GET', '/config/online-customers');
    if (res.ok) { fill(res.data); save.disabled = false; } else { say(msgs, apiErrorBox('The configuration could not be loaded', res)); save.disabled = !getToken(); }
  })();
  return null;
}

// ---------------------------------------------------------------- All Customers
const GRID_SORTS = [['-created_at', 'Customer since, newest first'], ['created_at', 'Customer since, oldest first'],
  ['last_name', 'Last name, A to Z'], ['-last_name', 'Last name, Z to A'], ['email', 'Email, A to Z'], ['-email', 'Email, Z to A']];
const GRID_COLUMNS = [['ID'], ['Name', 'last_name'], ['Email', 'email'], ['Website'], ['Group'], ['Tax/VAT Number'], ['Gender'],
  ['Customer Since', 'created_at'], ['Actions']];
const gridState = {q: '', website_id: '', group_id: '', sort: '-created_at', limit: '20', cursors: [null], page: 0, nextCursor: null};

function viewCustomers(view) {
  const s = gridState;
  const msgs = h('div', {class: 'messages', id: 'grid-messages'});
  const q = h('input', {id: 'grid-q', type: 'search', value: s.q, maxlength: 100});
  const website = h('input', {id: 'grid-website', type: 'text', value: s.website_id, maxlength: 64});
  const group = select('grid-group', [['', 'All groups'], ...GROUPS], s.group_id);
  const sort = select('grid-sort', GRID_SORTS, s.sort);
  const limit = select('grid-limit', [['20', '20'], ['50', '50'], ['100', '100'], ['200', '200']], s.limit);
  const filters = h('form', {class: 'filters', role: 'search', 'aria-label': 'Search customers', novalidate: true},
    field('Name or email starts with', q), field('Website', website), field('Group', group), field('Sort by', sort),
    field('Rows per page', limit),
    h('div', {class: 'buttons'}, h('button', {type: 'submit', class: 'primary'}, 'Search'),
      h('button', {type: 'button', onclick: () => {
        q.value = ''; website.value = ''; group.value = ''; sort.value = '-created_at'; limit.value = '20';
        filters.requestSubmit();
      }}, 'Reset filters')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    Object.assign(s, {q: q.value.trim(), website_id: website.value.trim(), group_id: group.value, sort: sort.value, limit: limit.value});
    resetPaging(s);
    load();
  });
  const headers = GRID_COLUMNS.map(([label, key]) => sortHeader(label, key, s, (next) => {
    s.sort = next; sort.value = next; resetPaging(s); load();
  }));
  const tbody = h('tbody');
  const table = h('table', {class: 'grid', id: 'customers-grid'},
    h('caption', {}, 'Customers. Quick edit changes email, website, group, Tax/VAT number and gender in the row.'),
    h('thead', {}, h('tr', {}, headers)), tbody);
  const nav = pager(s, () => load(), 'Customer pages');
  view.append(...pageHeading('All Customers', 'Customers'), msgs, filters, h('div', {class: 'table-wrap'}, table), nav);

  let sequence = 0;
  async function load() {
    const mine = ++sequence;
    table.setAttribute('aria-busy', 'true');
    const res = await api('GET', '/customers', {query: {q: s.q, website_id: s.website_id, group_id: s.group_id, sort: s.sort,
      limit: s.limit, cursor: s.cursors[s.page]}});
    if (mine !== sequence) return;
    table.removeAttribute('aria-busy');
    for (const th of headers) if (th.update) th.update();
    if (!res.ok) {
      say(msgs, apiErrorBox('The customers could not be loaded', res));
      tbody.replaceChildren(h('tr', {}, h('td', {colspan: GRID_COLUMNS.length, class: 'empty'}, 'No data.')));
      s.nextCursor = null;
      nav.update(0);
      return;
    }
    const items = res.data.items || [];
    s.nextCursor = res.data.next_cursor || null;
    tbody.replaceChildren(...(items.length ? items.map((c) => customerRow(c, msgs))
      : [h('tr', {}, h('td', {colspan: GRID_COLUMNS.length, class: 'empty'}, 'No customer matches.'))]));
    nav.update(items.length);
  }
  load();
  return null;
}

function customerRow(c, msgs) {
  const tr = h('tr', {'data-customer': c.id});
  const quick = h('button', {type: 'button', class: 'quick-edit', 'aria-label': `Quick edit ${c.email}`}, 'Quick edit');
  quick.addEventListener('click', () => startQuickEdit(tr, c, msgs));
  tr.append(td(c.id, 'id'), td(fullName(c)), td(c.email), td(c.website_id), td(groupName(c.group_id)), td(c.taxvat),
    td(genderName(c.gender)), td(timeEl(c.created_at), 'nowrap'),
    td([quick, h('a', {href: customerHref(c.id), class: 'edit-link', 'aria-label': `Edit ${c.email}`}, 'Edit')], 'actions-cell'));
  return tr;
}

function startQuickEdit(tr, c, msgs) {
  const base = `qe-${c.id}`;
  const email = h('input', {id: `${base}-email`, type: 'email', value: c.email || '', maxlength: 254, autocomplete: 'off'});
  const website = h('input', {id: `${base}-website_id`, type: 'text', value: c.website_id || '', maxlength: 64});
  const group = select(`${base}-group_id`, GROUPS, c.group_id);
  const taxvat = h('input', {id: `${base}-taxvat`, type: 'text', value: c.taxvat || '', maxlength: 255});
  const gender = select(`${base}-gender`, GENDERS, c.gender || '');
  const controls = {email, website_id: website, group_id: group, taxvat, gender};
  const cell = (label, control) => {
    control.setAttribute('aria-describedby', `${control.id}-error`);
    return td([h('label', {for: control.id, class: 'visually-hidden'}, `${label} of ${c.email}`), control,
      h('p', {class: 'field-error', id: `${control.id}-error`})]);
  };
  const save = h('button', {type: 'button', class: 'primary qe-save'}, 'Save');
  const cancel = h('button', {type: 'button', class: 'qe-cancel'}, 'Cancel');
  const editing = h('tr', {'data-customer': c.id, class: 'editing'},
    td(c.id), td(fullName(c)), cell('Email', email), cell('Website', website), cell('Group', group), cell('Tax/VAT Number', taxvat),
    cell('Gender', gender), td(timeEl(c.created_at), 'nowrap'), td([save, cancel], 'actions-cell'));
  const note = h('td', {colspan: GRID_COLUMNS.length});
  const noteRow = h('tr', {class: 'row-message', hidden: true}, note);
  const showNote = (box) => { note.replaceChildren(box); noteRow.hidden = false; };

  const back = (customer, focus = true) => {
    const row = customerRow(customer, msgs);
    editing.replaceWith(row);
    noteRow.remove();
    if (focus) row.querySelector('.quick-edit').focus();
    return row;
  };
  const reload = async () => {
    const res = await api('GET', `/customers/${enc(c.id)}`);
    if (!res.ok) { showNote(apiErrorBox('The customer could not be reloaded', res)); return; }
    const row = back(res.data.customer, false);
    startQuickEdit(row, res.data.customer, msgs);
    say(msgs, messageBox('ok', `Reloaded ${res.data.customer.email}: these are the saved values now.`));
  };
  const submit = async () => {
    clearFieldErrors(controls);
    const values = {email: email.value.trim(), website_id: website.value.trim(), group_id: Number(group.value),
      taxvat: taxvat.value.trim() || null, gender: gender.value || null};
    const changes = {};
    for (const [name, value] of Object.entries(values)) if (value !== (c[name] ?? null)) changes[name] = value;
    if (!Object.keys(changes).length) { back(c); say(msgs, messageBox('ok', 'Nothing changed.')); return; }
    save.disabled = true;
    const res = await api('PATCH', `/customers/${enc(c.id)}`, {body: changes, headers: {'If-Match': `"${c.version}"`}});
    save.disabled = false;
    if (res.ok) {
      back(res.data);
      say(msgs, messageBox('ok', `You saved ${res.data.email}.`));
    } else if (res.status === 409) {
      showNote(messageBox('error', 'Not saved: this customer was changed by someone else since the grid was loaded.',
        [res.message, 'Nothing was overwritten. Reload the row to see the saved values, then apply your change again.'], [],
        [h('button', {type: 'button', class: 'qe-reload', onclick: reload}, 'Reload row')]));
    } else if (res.status === 422) {
      const rest = showFieldErrors(controls, res);
      if (rest.length) showNote(messageBox('error', 'Not saved', [res.message], rest.map((d) => `${d.field}: ${d.reason}`)));
      else noteRow.hidden = true;
    } else {
      showNote(apiErrorBox('Not saved', res));
    }
  };
  save.addEventListener('click', submit);
  cancel.addEventListener('click', () => back(c));
  editing.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); back(c); }
    if (event.key === 'Enter' && event.target.tagName === 'INPUT') { event.preventDefault(); submit(); }
  });
  tr.replaceWith(editing);
  editing.after(noteRow);
  email.focus();
}

// ---------------------------------------------------------------- Customer Information
const TABS = [['account', 'Account Information'], ['addresses', 'Addresses'], ['orders', 'Orders'], ['returns', 'Returns'],
  ['cart', 'Shopping Cart'], ['wishlist', 'Wish List'], ['giftregistry', 'Gift Registry'], ['storecredit', 'Store Credit'],
  ['newsletter', 'Newsletter'], ['billing', 'Billing Agreements'], ['reviews', 'Product Reviews'], ['rewards', 'Reward Points']];
const ACCOUNT_FIELDS = [
  ['prefix', 'Name Prefix'], ['first_name', 'First Name', {required: true}], ['middle_name', 'Middle Name/Initial'],
  ['last_name', 'Last Name', {required: true}], ['suffix', 'Name Suffix'], ['email', 'Email', {required: true, type: 'email'}],
  ['dob', 'Date of Birth', {type: 'date'}], ['gender', 'Gender', {type: 'gender'}], ['taxvat', 'Tax/VAT Number'],
  ['website_id', 'Associate to Website', {required: true}], ['group_id', 'Group', {type: 'group'}], ['company', 'Company'],
  ['allow_remote_assistance', 'Allow remote shopping assistance', {type: 'checkbox'}],
];
const ADDRESS_FIELDS = [['first_name', 'First Name', true], ['last_name', 'Last Name', true], ['company', 'Company'],
  ['street', 'Street Address (one line each, up to 4)', true], ['city', 'City', true], ['region', 'State/Province'],
  ['postcode', 'Zip/Postal Code'], ['country_id', 'Country (2-letter code, e.g. FR)', true], ['telephone', 'Phone Number']];
let lastTab = 'account';

function viewCustomer(view, {id}) {
  const path = `/customers/${enc(id)}`;
  const cv = {profile: null, etag: null, pristine: '', controls: {}, orderKey: newKey()};
  const title = h('h1', {tabindex: '-1', id: 'customer-title'}, `Customer ${id}`);
  const msgs = h('div', {class: 'messages', id: 'customer-messages'});

  // ---- button bar
  const buttons = {};
  const barButton = (key, label, onclick, cls) => {
    buttons[key] = h('button', {type: 'button', id: `btn-${key}`, class: cls, disabled: key !== 'back'}, label);
    buttons[key].addEventListener('click', onclick);
    return buttons[key];
  };
  const bar = h('div', {class: 'button-bar', role: 'group', 'aria-label': 'Customer actions'},
    barButton('back', 'Back', () => { location.hash = '#/customers'; }),
    barButton('login-as', 'Login as Customer', loginAs),
    barButton('delete', 'Delete Customer', deleteCustomer, 'danger'),
    barButton('reset', 'Reset', resetForm),
    barButton('create-order', 'Create Order', createOrder),
    barButton('reset-password', 'Reset Password', resetPassword),
    barButton('force-sign-in', 'Force Sign-In', forceSignIn),
    barButton('manage-cart', 'Manage Shopping Cart', () => selectTab('cart', true)),
    h('span', {class: 'spacer'}),
    barButton('save-continue', 'Save and Continue Edit', () => saveCustomer(true)),
    barButton('save', 'Save Customer', () => saveCustomer(false), 'primary'));

  // ---- layout: Customer View on the left, tabs on the right
  const side = h('aside', {class: 'customer-view', 'aria-labelledby': 'customer-view-title', id: 'customer-view'});
  const tabButtons = {};
  const panels = {};
  const tablist = h('div', {role: 'tablist', class: 'tablist', 'aria-label': 'Customer information'});
  for (const [key, label] of TABS) {
    tabButtons[key] = h('button', {type: 'button', role: 'tab', id: `tab-${key}`, 'aria-controls': `panel-${key}`,
      'aria-selected': 'false', tabindex: '-1'}, label);
    tabButtons[key].addEventListener('click', () => selectTab(key));
    tablist.append(tabButtons[key]);
    panels[key] = h('section', {role: 'tabpanel', id: `panel-${key}`, 'aria-labelledby': `tab-${key}`, tabindex: '0', hidden: true});
  }
  tablist.addEventListener('keydown', (event) => {
    const keys = TABS.map(([key]) => key);
    const at = keys.indexOf(lastTab);
    const moves = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: keys.length - 1};
    if (!(event.key in moves)) return;
    event.preventDefault();
    selectTab(keys[(moves[event.key] + keys.length) % keys.length], false, true);
  });
  const layout = h('div', {class: 'customer-layout'}, side,
    h('div', {class: 'customer-tabs'}, tablist, TABS.map(([key]) => panels[key])));
  view.append(h('p', {class: 'breadcrumb'}, 'Customers › All Customers › Customer Information'), title, bar, msgs, layout);

  function selectTab(key, focusContent = false, focusTab = false) {
    lastTab = key;
    for (const [k] of TABS) {
      const on = k === key;
      tabButtons[k].setAttribute('aria-selected', String(on));
      tabButtons[k].tabIndex = on ? 0 : -1;
      panels[k].hidden = !on;
    }
    if (focusTab) tabButtons[key].focus();
    if (focusContent) {
      const first = panels[key].querySelector('input, select, textarea, button');
      (first || panels[key]).focus();
    }
  }

  // ---- loading
  async function load({keepMessages = false} = {}) {
    const res = await api('GET', path);
    if (!res.ok) {
      say(msgs, apiErrorBox(res.status === 404 ? 'No such customer' : 'The customer could not be loaded', res,
        [h('a', {href: '#/customers'}, 'Back to All Customers')]));
      return false;
    }
    if (!keepMessages) msgs.replaceChildren();
    cv.profile = res.data;
    cv.etag = res.etag || `"${res.data.customer.version}"`;
    const name = fullName(res.data.customer) || res.data.customer.email;
    title.textContent = name;
    document.title = `${name} · Shop admin`;
    renderAccount(res.data.customer);
    renderRest();
    for (const button of Object.values(buttons)) button.disabled = false;
    return true;
  }

  /** After an action: fresh data everywhere, but unsaved edits in the account form stay (with their ETag). */
  async function refresh() {
    const dirty = accountDirty();
    const res = await api('GET', path);
    if (!res.ok) { msgs.append(apiErrorBox('The customer could not be reloaded', res)); return; }
    const keep = {customer: cv.profile.customer, etag: cv.etag};
    cv.profile = res.data;
    if (dirty) { cv.profile.customer = keep.customer; cv.etag = keep.etag; } else {
      cv.etag = res.etag || `"${res.data.customer.version}"`;
      renderAccount(res.data.customer);
    }
    renderRest();
  }

  function renderRest() {
    renderSide(side, cv.profile);
    panels.addresses.replaceChildren(...addressesPanel());
    panels.orders.replaceChildren(...ordersPanel());
    panels.returns.replaceChildren(h('h2', {}, 'Returns'), genericTable(cv.profile.returns, 'No returns.', 'Returns'));
    panels.cart.replaceChildren(...cartPanel());
    panels.wishlist.replaceChildren(h('h2', {}, 'Wish List'), simpleTable('Wish list items', ['SKU', 'Added'],
      (cv.profile.wishlist || []).map((w) => [w.sku, timeEl(w.added_at)]), 'The wish list is empty.'));
    panels.giftregistry.replaceChildren(h('h2', {}, 'Gift Registry'), genericTable(cv.profile.gift_registries, 'No gift registries.', 'Gift registries'));
    panels.storecredit.replaceChildren(...balancePanel('storecredit'));
    panels.newsletter.replaceChildren(...newsletterPanel());
    panels.billing.replaceChildren(h('h2', {}, 'Billing Agreements'), genericTable(cv.profile.billing_agreements, 'No billing agreements.', 'Billing agreements'));
    panels.reviews.replaceChildren(h('h2', {}, 'Product Reviews'), simpleTable('Product reviews', ['ID', 'SKU', 'Rating', 'Status', 'Created'],
      (cv.profile.reviews || []).map((r) => [r.id, r.sku, r.rating ?? '', r.status, timeEl(r.created_at)]), 'No reviews.'));
    panels.rewards.replaceChildren(...balancePanel('rewards'));
    selectTab(lastTab);
  }

  // ---- Account Information
  function renderAccount(customer) {
    const controls = {};
    const grid = h('div', {class: 'form-grid'});
    for (const [name, label, opts = {}] of ACCOUNT_FIELDS) {
      const cid = `acc-${name}`;
      let control;
      if (opts.type === 'gender') control = select(cid, GENDERS, customer.gender || '');
      else if (opts.type === 'group') control = select(cid, GROUPS, customer.group_id ?? 1);
      else if (opts.type === 'checkbox') control = h('input', {id: cid, type: 'checkbox', checked: Boolean(customer[name])});
      else control = h('input', {id: cid, type: opts.type || 'text', value: customer[name] ?? '', autocomplete: 'off'});
      controls[name] = control;
      grid.append(field(label, control, {required: opts.required, cls: opts.type === 'checkbox' ? 'field wide' : 'field',
        hint: name === 'allow_remote_assistance' ? 'Lets an admin use Login as Customer for this account.' : null}));
    }
    const form = h('form', {id: 'account-form', novalidate: true, 'aria-labelledby': 'account-title'},
      h('h2', {id: 'account-title'}, 'Account Information'), grid,
      h('p', {class: 'hint'}, `Version ${customer.version} · customer since ${formatTime(customer.created_at)}. Fields marked * are required.`));
    form.addEventListener('submit', (event) => { event.preventDefault(); saveCustomer(true); });
    panels.account.replaceChildren(form);
    cv.controls = controls;
    cv.pristine = JSON.stringify(readAccount());
  }

  function readAccount() {
    const body = {};
    for (const [name, , opts = {}] of ACCOUNT_FIELDS) {
      const control = cv.controls[name];
      if (!control) continue;
      if (opts.type === 'checkbox') body[name] = control.checked;
      else if (opts.type === 'group') body[name] = Number(control.value);
      else {
        const value = control.value.trim();
        body[name] = value === '' && !opts.required ? null : value;
      }
    }
    return body;
  }

  const accountDirty = () => Boolean(cv.controls.email) && JSON.stringify(readAccount()) !== cv.pristine;

  async function saveCustomer(continueEdit) {
    if (!cv.profile) return;
    clearFieldErrors(cv.controls);
    buttons.save.disabled = buttons['save-continue'].disabled = true;
    const res = await api('PUT', path, {body: readAccount(), headers: {'If-Match': cv.etag}});
    buttons.save.disabled = buttons['save-continue'].disabled = false;
    if (res.ok) {
      if (!continueEdit) {
        flashNext('ok', `You saved the customer ${res.data.email}.`);
        location.hash = '#/customers';
        return;
      }
      await load();
      say(msgs, messageBox('ok', 'You saved the customer.', [`Now at version ${res.data.version}.`]));
    } else if (res.status === 409) {
      showConflict(res);
    } else if (res.status === 422) {
      selectTab('account');
      const rest = showFieldErrors(cv.controls, res);
      say(msgs, messageBox('error', 'Not saved: check the highlighted fields.', [rest.length ? res.message : null],
        rest.map((d) => `${d.field}: ${d.reason}`)));
    } else {
      say(msgs, apiErrorBox('Not saved', res));
    }
  }

  function showConflict(res) {
    const reload = h('button', {type: 'button', class: 'primary', id: 'conflict-reload'}, 'Reload');
    reload.addEventListener('click', async () => {
      if (await load()) {
        say(msgs, messageBox('ok', 'Reloaded: the form shows the latest saved version. Apply your changes again if they are still needed.'));
        title.focus();
      }
    });
    say(msgs, messageBox('error', 'Not saved: this customer was changed by someone else.', [
      'Another admin or the storefront saved this customer after you opened it. Nothing was saved and nothing was overwritten.',
      res.message, 'Reload to see the latest version, then apply your changes again.'], detailLines(res), [reload]));
    reload.focus();
  }

  async function resetForm() {
    if (await load()) say(msgs, messageBox('ok', 'The form shows the last saved version again.'));
  }

  // ---- actions of the button bar
  async function loginAs() {
    const res = await api('POST', `${path}/login-as`, {body: {}});
    if (!res.ok) { say(msgs, apiErrorBox('Login as Customer refused', res)); return; }
    const expires = res.data && res.data.expires_at;
    say(msgs, messageBox('ok', 'Login as Customer: the assisted session is ready.', [
      h('span', {}, 'Single-use secret for the storefront: ', h('code', {class: 'secret', id: 'login-as-secret'}, (res.data && res.data.secret) || '')),
      expires ? `It expires at ${formatTime(expires)}; the session shows in Now Online as assisted once the storefront redeems it.` : null]));
  }

  async function deleteCustomer() {
    const c = cv.profile.customer;
    const sure = await confirmDialog('Delete Customer',
      `Delete ${fullName(c) || c.email} (${c.email})? The account and its personal data are removed; orders stay, anonymized. This cannot be undone.`,
      'Delete Customer');
    if (!sure) return;
    const res = await api('DELETE', path);
    if (res.ok) {
      flashNext('ok', `You deleted the customer ${c.email}.`);
      location.hash = '#/customers';
    } else {
      say(msgs, apiErrorBox('The customer was not deleted', res));
    }
  }

  async function resetPassword() {
    const res = await api('POST', `${path}/password-reset`, {body: {}});
    if (res.ok) say(msgs, messageBox('ok', 'Password reset requested.', ['The customer gets an email with a reset link (valid 2 hours).']));
    else say(msgs, apiErrorBox('Password reset refused', res));
  }

  async function forceSignIn() {
    const sure = await confirmDialog('Force Sign-In',
      'Sign this customer out of every session? Their sessions leave Now Online and they must sign in again.', 'Force Sign-In', 'primary');
    if (!sure) return;
    const res = await api('POST', `${path}/force-sign-in`, {body: {}});
    if (!res.ok) { say(msgs, apiErrorBox('Force Sign-In failed', res)); return; }
    say(msgs, messageBox('ok', 'The customer was signed out of every session.'));
    await refresh();
  }

  async function createOrder() {
    const cartItems = (cv.profile.cart && cv.profile.cart.items) || [];
    const fromCart = h('input', {type: 'radio', name: 'order-source', id: 'order-from-cart', value: 'cart', checked: cartItems.length > 0, disabled: !cartItems.length});
    const oneItem = h('input', {type: 'radio', name: 'order-source', id: 'order-items', value: 'items', checked: !cartItems.length});
    const sku = h('input', {id: 'order-sku', type: 'text', maxlength: 64});
    const qty = h('input', {id: 'order-qty', type: 'text', inputmode: 'numeric', value: '1'});
    const name = h('input', {id: 'order-name', type: 'text'});
    const price = h('input', {id: 'order-price', type: 'text', inputmode: 'decimal', placeholder: '52.00'});
    const errors = h('div', {class: 'messages'});
    const controls = {sku, qty, name, price};
    const body = [
      h('fieldset', {}, h('legend', {}, 'Items to order'),
        h('p', {}, h('span', {class: 'check'}, fromCart, h('label', {for: 'order-from-cart'}, `The items in the shopping cart (${cartItems.length})`))),
        h('p', {}, h('span', {class: 'check'}, oneItem, h('label', {for: 'order-items'}, 'This item:'))),
        h('div', {class: 'inline-form'}, field('SKU', sku), field('Qty', qty), field('Name', name), field('Price', price))),
      errors];
    await openDialog({title: 'Create Order', body, buttons: [
      {label: 'Create Order', cls: 'primary', id: 'order-submit', value: 'created', onclick: async () => {
        clearFieldErrors(controls);
        const payload = fromCart.checked ? {from_cart: true}
          : {items: [{sku: sku.value.trim(), qty: /^\d+$/.test(qty.value.trim()) ? Number(qty.value.trim()) : qty.value,
            ...(name.value.trim() ? {name: name.value.trim()} : {}), ...(price.value.trim() ? {price: price.value.trim()} : {})}]};
        const res = await api('POST', `${path}/orders`, {body: payload, headers: {'Idempotency-Key': cv.orderKey}});
        if (!res.ok) {
          if (res.status === 422 && !fromCart.checked) showItemErrors(controls, res);
          say(errors, apiErrorBox('The order was not created', res));
          return false;  // the dialog stays open with the reason
        }
        cv.orderKey = newKey();
        say(msgs, messageBox('ok', `Order ${res.data.id} created.`, [`Total ${res.data.total}, status ${res.data.status}.`]));
        await refresh();
        return true;
      }},
      {label: 'Cancel', value: 'cancel'}]});
  }

  function showItemErrors(controls, res) {
    // details name body.items.0.sku: map them onto the one-item fields
    const copy = {data: {error: {details: ((res.data && res.data.error && res.data.error.details) || []).map((d) => ({
      ...d, field: String(d.field).replace(/^body\.items\.\d+\./, 'body.')}))}}};
    return showFieldErrors(controls, copy);
  }

  // ---- Customer View (left panel)
  function renderSide(el, p) {
    const c = p.customer;
    const a = p.activity || {};
    const stats = p.order_stats || {};
    const cartItems = (p.cart && p.cart.items) || [];
    const subs = Object.entries((p.newsletter && p.newsletter.subscriptions) || {});
    const subscribed = subs.filter(([, on]) => on).map(([site]) => site);
    el.replaceChildren(
      h('h2', {id: 'customer-view-title'}, 'Customer View'),
      h('h3', {}, 'Personal Information'),
      h('dl', {class: 'facts'},
        h('dt', {}, 'Customer ID'), h('dd', {}, c.id),
        h('dt', {}, 'Name'), h('dd', {}, fullName(c)),
        h('dt', {}, 'Email'), h('dd', {}, c.email),
        h('dt', {}, 'Account Created'), h('dd', {}, timeEl(c.created_at)),
        h('dt', {}, 'Website'), h('dd', {}, c.website_id || ''),
        h('dt', {}, 'Customer Group'), h('dd', {}, groupName(c.group_id)),
        h('dt', {}, 'Online now'), h('dd', {id: 'customer-online'}, a.online
          ? [h('span', {class: 'badge online'}, 'Online'), ` ${(a.sessions || []).length} session(s)`] : 'Offline'),
        h('dt', {}, 'Last Logged In'), h('dd', {}, a.last_login_at ? timeEl(a.last_login_at) : 'Never'),
        h('dt', {}, 'Last Logged Out'), h('dd', {}, a.last_logout_at ? timeEl(a.last_logout_at) : 'Never'),
        h('dt', {}, 'Remote assistance'), h('dd', {}, c.allow_remote_assistance ? 'Allowed' : 'Not allowed'),
        h('dt', {}, 'Reward Points Balance'), h('dd', {id: 'side-reward-points'}, String((p.reward_points && p.reward_points.balance) ?? 0)),
        h('dt', {}, 'Store Credit Balance'), h('dd', {id: 'side-store-credit'}, (p.store_credit && p.store_credit.balance) ?? '0.00')),
      h('h3', {}, 'Default Billing Address'), addressBlock(p.default_billing, 'The customer has no default billing address.'),
      h('h3', {}, 'Default Shipping Address'), addressBlock(p.default_shipping, 'The customer has no default shipping address.'),
      h('h3', {}, 'Order Statistics'),
      h('dl', {class: 'facts'},
        h('dt', {}, 'Orders'), h('dd', {}, String(stats.count ?? 0)),
        h('dt', {}, 'Lifetime Sales'), h('dd', {}, stats.lifetime_sales ?? '0.00'),
        h('dt', {}, 'Average Sale'), h('dd', {}, stats.average_sale ?? '0.00')),
      h('h3', {}, 'Recent Orders'),
      (p.orders || []).length ? h('ul', {}, (p.orders || []).slice(0, 5).map((o) => h('li', {}, `${o.id} · ${o.status} · ${o.total} · `, timeEl(o.created_at))))
        : h('p', {class: 'hint'}, 'No orders.'),
      h('h3', {}, 'Shopping Cart'),
      cartItems.length ? h('ul', {}, cartItems.map((i) => h('li', {}, `${i.qty} × ${i.name || i.sku} (${i.sku})${i.price ? ` at ${i.price}` : ''}`)))
        : h('p', {class: 'hint'}, 'The cart is empty.'),
      h('h3', {}, 'Product Reviews'), h('p', {}, `${(p.reviews || []).length} review(s)`),
      h('h3', {}, 'Newsletter'), h('p', {}, subscribed.length ? `Subscribed (${subscribed.join(', ')})` : 'Not subscribed'));
  }

  // ---- Addresses
  function addressesPanel() {
    const list = cv.profile.addresses || [];
    const formArea = h('div', {id: 'address-form-area'});
    const add = h('button', {type: 'button', id: 'address-add'}, 'Add New Address');
    add.addEventListener('click', () => addressForm(formArea, null));
    return [h('h2', {}, 'Addresses'),
      list.length ? h('ul', {class: 'address-list'}, list.map((a) => addressItem(a, formArea)))
        : h('p', {class: 'hint'}, 'The address book is empty.'),
      add, formArea];
  }

  function addressItem(a, formArea) {
    const label = [a.first_name, a.last_name, a.city].filter(Boolean).join(' ');
    const button = (text, onclick, cls) => {
      const b = h('button', {type: 'button', class: cls, 'aria-label': `${text}: ${label}`}, text);
      b.addEventListener('click', onclick);
      return b;
    };
    const setDefault = (flag) => async () => {
      const body = addressBody(a);
      body[flag] = true;
      const res = await api('PUT', `${path}/addresses/${enc(a.id)}`, {body});
      if (!res.ok) { say(msgs, apiErrorBox('The address was not changed', res)); return; }
      say(msgs, messageBox('ok', 'You saved the address.'));
      await refresh();
    };
    return h('li', {'data-address': a.id},
      a.default_billing ? h('span', {class: 'badge'}, 'Default Billing Address') : null, ' ',
      a.default_shipping ? h('span', {class: 'badge'}, 'Default Shipping Address') : null,
      addressBlock(a),
      h('div', {class: 'buttons'},
        button('Edit', () => addressForm(formArea, a)),
        button('Delete', async () => {
          if (!(await confirmDialog('Delete address', `Delete the address ${label}?`, 'Delete'))) return;
          const res = await api('DELETE', `${path}/addresses/${enc(a.id)}`);
          if (!res.ok) { say(msgs, apiErrorBox('The address was not deleted', res)); return; }
          say(msgs, messageBox('ok', 'You deleted the address.'));
          await refresh();
        }, 'danger'),
        a.default_billing ? null : button('Set as default billing', setDefault('default_billing')),
        a.default_shipping ? null : button('Set as default shipping', setDefault('default_shipping'))));
  }

  function addressBody(a) {
    const body = {};
    for (const [name] of ADDRESS_FIELDS) body[name] = a[name] ?? null;
    body.default_billing = Boolean(a.default_billing);
    body.default_shipping = Boolean(a.default_shipping);
    return body;
  }

  function addressForm(area, a) {
    const controls = {};
    const grid = h('div', {class: 'form-grid'});
    for (const [name, label, required] of ADDRESS_FIELDS) {
      const cid = `addr-${name}`;
      const value = a ? (name === 'street' ? (a.street || []).join('\n') : a[name] ?? '') : '';
      controls[name] = name === 'street' ? h('textarea', {id: cid, rows: 2}) : h('input', {id: cid, type: 'text', value});
      if (name === 'street') controls[name].value = value;
      grid.append(field(label, controls[name], {required, cls: name === 'street' ? 'field wide' : 'field'}));
    }
    for (const [name, label] of [['default_billing', 'Default Billing Address'], ['default_shipping', 'Default Shipping Address']]) {
      controls[name] = h('input', {id: `addr-${name}`, type: 'checkbox', checked: Boolean(a && a[name])});
      grid.append(field(label, controls[name]));
    }
    const errors = h('div', {class: 'messages'});
    const save = h('button', {type: 'submit', class: 'primary'}, 'Save Address');
    const cancel = h('button', {type: 'button'}, 'Cancel');
    const form = h('form', {novalidate: true, 'aria-labelledby': 'address-form-title', id: 'address-form'},
      h('h3', {id: 'address-form-title'}, a ? 'Edit Address' : 'Add New Address'), errors, grid, h('div', {class: 'form-buttons'}, save, cancel));
    cancel.addEventListener('click', () => area.replaceChildren());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(controls);
      const body = {};
      for (const [name, , required] of ADDRESS_FIELDS) {
        if (name === 'street') { body.street = controls.street.value.split('\n').map((l) => l.trim()).filter(Boolean); continue; }
        const value = controls[name].value.trim();
        body[name] = value === '' && !required ? null : (name === 'country_id' ? value.toUpperCase() : value);
      }
      body.default_billing = controls.default_billing.checked;
      body.default_shipping = controls.default_shipping.checked;
      const res = a ? await api('PUT', `${path}/addresses/${enc(a.id)}`, {body}) : await api('POST', `${path}/addresses`, {body});
      if (res.ok) {
        say(msgs, messageBox('ok', 'You saved the address.'));
        await refresh();
        return;
      }
      const rest = res.status === 422 ? showFieldErrors(controls, res) : [];
      say(errors, messageBox('error', 'The address was not saved', [res.message], rest.map((d) => `${d.field}: ${d.reason}`)));
    });
    area.replaceChildren(form);
    controls.first_name.focus();
  }

  // ---- Orders
  function ordersPanel() {
    const create = h('button', {type: 'button', id: 'orders-create'}, 'Create Order');
    create.addEventListener('click', createOrder);
    return [h('h2', {}, 'Orders'), create, simpleTable('Orders', ['Order', 'Purchased', 'Status', 'Total', 'Items', 'Placed by'],
      (cv.profile.orders || []).map((o) => [o.id, timeEl(o.created_at), o.status, o.total,
        (o.items || []).map((i) => `${i.qty} × ${i.sku}`).join(', '), o.placed_by || 'Customer']), 'No orders.')];
  }

  // ---- Shopping Cart (Manage Shopping Cart)
  function cartPanel() {
    const items = (cv.profile.cart && cv.profile.cart.items) || [];
    const errors = h('div', {class: 'messages', id: 'cart-messages'});
    const setItem = async (sku, body) => {
      const res = await api('PUT', `${path}/cart/items/${enc(sku)}`, {body});
      if (!res.ok) { say(errors, apiErrorBox('The cart was not changed', res)); return false; }
      say(msgs, messageBox('ok', `Cart updated: ${sku}.`));
      await refresh();
      return true;
    };
    const rows = items.map((item) => {
      const qty = h('input', {id: `cart-qty-${item.sku}`, type: 'text', inputmode: 'numeric', value: String(item.qty), size: 5});
      const update = h('button', {type: 'button', 'aria-label': `Update quantity of ${item.sku}`}, 'Update');
      const remove = h('button', {type: 'button', class: 'danger', 'aria-label': `Remove ${item.sku}`}, 'Remove');
      update.addEventListener('click', () => setItem(item.sku, {qty: /^\d+$/.test(qty.value.trim()) ? Number(qty.value.trim()) : qty.value,
        ...(item.name ? {name: item.name} : {}), ...(item.price ? {price: item.price} : {})}));
      remove.addEventListener('click', async () => {
        const res = await api('DELETE', `${path}/cart/items/${enc(item.sku)}`);
        if (!res.ok) { say(errors, apiErrorBox('The item was not removed', res)); return; }
        say(msgs, messageBox('ok', `Removed ${item.sku} from the cart.`));
        await refresh();
      });
      return h('tr', {'data-sku': item.sku}, td(item.sku), td(item.name), td(item.price),
        td([h('label', {for: qty.id, class: 'visually-hidden'}, `Quantity of ${item.sku}`), qty]), td([update, remove], 'actions-cell'));
    });
    const sku = h('input', {id: 'cart-add-sku', type: 'text', maxlength: 64});
    const qty = h('input', {id: 'cart-add-qty', type: 'text', inputmode: 'numeric', value: '1', size: 5});
    const name = h('input', {id: 'cart-add-name', type: 'text'});
    const price = h('input', {id: 'cart-add-price', type: 'text', inputmode: 'decimal', placeholder: '52.00', size: 8});
    const form = h('form', {class: 'inline-form', novalidate: true, 'aria-label': 'Add a product to the cart'},
      field('SKU', sku), field('Qty', qty), field('Name', name), field('Price', price),
      h('button', {type: 'submit'}, 'Add to Cart'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const code = sku.value.trim();
      if (!code) { say(errors, messageBox('error', 'Enter the SKU of the product to add.')); sku.focus(); return; }
      await setItem(code, {qty: /^\d+$/.test(qty.value.trim()) ? Number(qty.value.trim()) : qty.value,
        ...(name.value.trim() ? {name: name.value.trim()} : {}), ...(price.value.trim() ? {price: price.value.trim()} : {})});
    });
    return [h('h2', {}, 'Shopping Cart'), errors,
      h('div', {class: 'table-wrap'}, h('table', {class: 'grid', id: 'cart-grid'}, h('caption', {}, 'Items in the cart'),
        h('thead', {}, h('tr', {}, ['SKU', 'Name', 'Price', 'Qty', 'Actions'].map((x) => h('th', {scope: 'col'}, x)))),
        h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', {colspan: 5, class: 'empty'}, 'The cart is empty.'))))),
      h('h3', {}, 'Add a product'), form];
  }

  // ---- Store Credit and Reward Points
  function balancePanel(kind) {
    const credit = kind === 'storecredit';
    const data = (credit ? cv.profile.store_credit : cv.profile.reward_points) || {};
    const errors = h('div', {class: 'messages'});
    const amount = h('input', {id: `${kind}-amount`, type: 'text', inputmode: credit ? 'decimal' : 'numeric', placeholder: credit ? '10.00 or -5.00' : '100 or -50'});
    const reason = h('input', {id: `${kind}-reason`, type: 'text', maxlength: 255});
    const controls = credit ? {amount, reason} : {points: amount, reason};
    let key = newKey();  // one key per adjustment: a retried submit applies once
    const form = h('form', {class: 'inline-form', novalidate: true, 'aria-label': credit ? 'Adjust store credit' : 'Adjust reward points'},
      field(credit ? 'Amount (signed, 2 decimals)' : 'Points (signed)', amount), field('Reason', reason),
      h('button', {type: 'submit'}, credit ? 'Adjust Store Credit' : 'Adjust Reward Points'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(controls);
      const value = amount.value.trim();
      const body = credit ? {amount: value, reason: reason.value.trim()}
        : {points: /^[+-]?\d+$/.test(value) ? Number(value) : value, reason: reason.value.trim()};
      const res = await api('POST', `/customers/${enc(id)}/${credit ? 'store-credit' : 'reward-points'}/adjustments`,
        {body, headers: {'Idempotency-Key': key}});
      if (!res.ok) {
        const rest = res.status === 422 ? showFieldErrors(controls, res) : [];
        say(errors, messageBox('error', 'Not adjusted', [res.message], rest.map((d) => `${d.field}: ${d.reason}`)));
        return;
      }
      key = newKey();
      say(msgs, messageBox('ok', `${credit ? 'Store credit' : 'Reward points'} adjusted: the balance is now ${res.data.balance}.`));
      await refresh();
    });
    const entries = data.ledger || [];
    return [h('h2', {}, credit ? 'Store Credit' : 'Reward Points'),
      h('p', {class: 'balance', id: `${kind}-balance`}, `Balance: ${data.balance ?? (credit ? '0.00' : 0)}`),
      errors, form,
      h('h3', {}, 'History'),
      simpleTable(credit ? 'Store credit history' : 'Reward points history', ['When', credit ? 'Amount' : 'Points', 'Balance', 'Reason', 'By'],
        entries.map((e) => [timeEl(e.at), credit ? e.amount : e.points, e.balance, e.reason, e.actor || '']), 'No adjustments yet.')];
  }

  // ---- Newsletter
  function newsletterPanel() {
    const newsletter = cv.profile.newsletter || {};
    const subs = {...(newsletter.subscriptions || {})};
    const site = cv.profile.customer.website_id;
    if (site && !(site in subs)) subs[site] = false;
    const errors = h('div', {class: 'messages'});
    const rows = Object.entries(subs).map(([website, on]) => {
      const toggle = h('button', {type: 'button', 'data-website': website}, on ? 'Unsubscribe' : 'Subscribe');
      toggle.setAttribute('aria-label', `${on ? 'Unsubscribe from' : 'Subscribe to'} the newsletter of ${website}`);
      toggle.addEventListener('click', async () => {
        const res = await api('PUT', `${path}/newsletter`, {body: {website_id: website, subscribed: !on}});
        if (!res.ok) { say(errors, apiErrorBox('The subscription was not changed', res)); return; }
        say(msgs, messageBox('ok', `${on ? 'Unsubscribed from' : 'Subscribed to'} the newsletter of ${website}.`));
        await refresh();
      });
      return h('tr', {}, td(website), td(on ? 'Subscribed' : 'Not subscribed'), td(toggle, 'actions-cell'));
    });
    return [h('h2', {}, 'Newsletter'), errors,
      h('div', {class: 'table-wrap'}, h('table', {class: 'grid', id: 'newsletter-grid'}, h('caption', {}, 'Subscriptions by website'),
        h('thead', {}, h('tr', {}, ['Website', 'Status', 'Action'].map((x) => h('th', {scope: 'col'}, x)))), h('tbody', {}, rows))),
      h('h3', {}, 'Newsletters sent'), genericTable(newsletter.history, 'No newsletter was sent to this customer.', 'Newsletters sent')];
  }

  load();
  return null;
}

function addressBlock(a, empty = '') {
  if (!a) return h('p', {class: 'hint'}, empty);
  const lines = [[a.first_name, a.last_name].filter(Boolean).join(' '), a.company, ...(a.street || []),
    [a.city, a.region, a.postcode].filter(Boolean).join(', '), a.country_id, a.telephone ? `T: ${a.telephone}` : null].filter(Boolean);
  return h('address', {}, lines.map((line, i) => [i ? h('br') : null, line]));
}

function simpleTable(caption, columns, rows, empty) {
  return h('div', {class: 'table-wrap'}, h('table', {class: 'grid'}, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows.length ? rows.map((cells) => h('tr', {}, cells.map((cell) => td(cell))))
      : h('tr', {}, h('td', {colspan: columns.length, class: 'empty'}, empty)))));
}

/** A table of objects whose fields the API does not fix (returns, gift registries, billing agreements, newsletters sent). */
function genericTable(items, empty, caption) {
  const list = Array.isArray(items) ? items : [];
  const columns = [...new Set(list.flatMap((item) => Object.keys(item || {})))].slice(0, 8);
  const show = (value) => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  return simpleTable(caption, columns.length ? columns : ['Details'], list.map((item) => columns.map((c) => show(item[c]))), empty);
}

// ---------------------------------------------------------------- start
setupToken();
document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  const heading = document.querySelector('#view h1');
  (heading || document.getElementById('view')).focus();
});
window.addEventListener('hashchange', () => route(true));
if (!location.hash) history.replaceState(null, '', `${location.pathname}${location.search}#/online`);
route();
