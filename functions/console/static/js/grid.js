// Shared grid pieces: sortable column headers, the cursor pager, and read-only tables.

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
