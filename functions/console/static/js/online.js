// Screen: Now Online (#/online): who is on the storefront now, filters, sort, auto-refresh.

const AUTO_REFRESH_SECONDS = 30;
const ONLINE_SORTS = [['-last_activity', 'Last activity, newest first'], ['last_activity', 'Last activity, oldest first'],
  ['last_name', 'Last name, A to Z'], ['-last_name', 'Last name, Z to A'], ['email', 'Email, A to Z'], ['-email', 'Email, Z to A']];
const ONLINE_COLUMNS = [['ID'], ['First Name'], ['Last Name', 'last_name'], ['Email', 'email'], ['Last Activity', 'last_activity'],
  ['Type'], ['Last URL'], ['Company'], ['Website'], ['Session Start']];
const ONLINE_FILTERS = {type: {initial: '', allowed: ['', 'customer', 'visitor']}, website_id: {initial: ''}, q: {initial: ''},
  sort: {initial: '-last_activity', allowed: ONLINE_SORTS.map(([value]) => value)},
  limit: {initial: '50', allowed: PAGE_SIZES.map(([value]) => value)}};
const onlineState = {type: '', website_id: '', q: '', sort: '-last_activity', limit: '50', cursors: [null], page: 0,
  nextCursor: null, auto: false};

function viewOnline(view) {
  const s = onlineState;
  stateFromUrl(s, ONLINE_FILTERS);
  const msgs = h('div', {class: 'messages'});
  const summary = h('ul', {class: 'summary', id: 'online-summary', 'aria-label': 'Online now by type and website'});
  const type = select('online-type', [['', 'All'], ['customer', 'Customer'], ['visitor', 'Visitor']], s.type);
  const website = h('input', {id: 'online-website', type: 'text', value: s.website_id, list: 'online-websites', maxlength: 64, autocomplete: 'off'});
  const websites = h('datalist', {id: 'online-websites'});
  const q = h('input', {id: 'online-q', type: 'search', value: s.q, maxlength: 100});
  const sort = select('online-sort', ONLINE_SORTS, s.sort);
  const limit = select('online-limit', PAGE_SIZES, s.limit);
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
    stateToUrl(s, ONLINE_FILTERS, 'online');
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
