// Shared grid pieces: filters, sort and page kept in the URL, sortable column headers, the cursor
// pager, and read-only tables.

const PAGE_SIZES = [['20', '20'], ['50', '50'], ['100', '100'], ['200', '200']];

/**
 * A grid keeps its filters, sort and page in its route's query (#/customers?q=ada&sort=email&cursor=…),
 * so a reload or a copied link shows the same rows. `filters` maps each state field to {initial, allowed}
 * (allowed: the values a choice may take; anything else falls back to initial). A route without a query
 * keeps the state of the grid's last visit (the main menu's links carry none).
 */
function stateFromUrl(state, filters) {
  const params = hashQuery();
  if (!params.toString()) return;
  for (const [name, {initial, allowed}] of Object.entries(filters)) {
    const value = (params.get(name) ?? initial).trim();
    state[name] = allowed && !allowed.includes(value) ? initial : value;
  }
  // one cursor per page after the first: the trail Previous walks back along
  state.cursors = [null, ...params.getAll('cursor').filter(Boolean)];
  state.page = state.cursors.length - 1;
  state.nextCursor = null;
}

/** Write the grid's state (what differs from the initial values, and the page's cursor trail) to the URL. */
function stateToUrl(state, filters, screen) {
  if (parseHash().name !== screen) return;  // the admin has moved on
  const params = new URLSearchParams();
  for (const [name, {initial}] of Object.entries(filters)) if (state[name] !== initial) params.set(name, state[name]);
  for (const cursor of state.cursors.slice(1, state.page + 1)) params.append('cursor', cursor);
  replaceHashQuery(params);
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
