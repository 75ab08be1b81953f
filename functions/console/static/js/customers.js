// Screen: All Customers (#/customers): the customer grid with its filters and the quick edit in a row.

const GRID_SORTS = [['-created_at', 'Customer since, newest first'], ['created_at', 'Customer since, oldest first'],
  ['last_name', 'Last name, A to Z'], ['-last_name', 'Last name, Z to A'], ['email', 'Email, A to Z'], ['-email', 'Email, Z to A']];
const GRID_COLUMNS = [['ID'], ['Name', 'last_name'], ['Email', 'email'], ['Website'], ['Group'], ['Tax/VAT Number'], ['Gender'],
  ['Customer Since', 'created_at'], ['Actions']];
const GRID_FILTERS = {q: {initial: ''}, website_id: {initial: ''},
  group_id: {initial: '', allowed: ['', ...GROUPS.map(([value]) => String(value))]},
  sort: {initial: '-created_at', allowed: GRID_SORTS.map(([value]) => value)},
  limit: {initial: '20', allowed: PAGE_SIZES.map(([value]) => value)}};
const gridState = {q: '', website_id: '', group_id: '', sort: '-created_at', limit: '20', cursors: [null], page: 0, nextCursor: null};

function viewCustomers(view) {
  const s = gridState;
  stateFromUrl(s, GRID_FILTERS);
  const msgs = h('div', {class: 'messages', id: 'grid-messages'});
  const q = h('input', {id: 'grid-q', type: 'search', value: s.q, maxlength: 100});
  const website = h('input', {id: 'grid-website', type: 'text', value: s.website_id, maxlength: 64});
  const group = select('grid-group', [['', 'All groups'], ...GROUPS], s.group_id);
  const sort = select('grid-sort', GRID_SORTS, s.sort);
  const limit = select('grid-limit', PAGE_SIZES, s.limit);
  const filters = h('form', {class: 'filters', role: 'search', 'aria-label': 'Search customers', novalidate: true},
    field('Name or email starts with', q), field('Website', website), field('Group', group), field('Sort by', sort),
    field('Rows per page', limit),
    h('div', {class: 'buttons'}, h('button', {type: 'submit', class: 'primary'}, 'Search'),
      h('button', {type: 'button', id: 'grid-reset', onclick: () => {
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
    stateToUrl(s, GRID_FILTERS, 'customers');
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
  tr.append(idCell(c), td(fullName(c), 'text'), td(emailText(c.email), 'text'), td(c.website_id), td(groupName(c.group_id)), td(c.taxvat),
    td(genderName(c.gender)), td(timeEl(c.created_at), 'nowrap'),
    td([quick, h('a', {href: customerHref(c.id), class: 'edit-link', 'aria-label': `Edit ${c.email}`}, 'Edit')], 'actions-cell'));
  return tr;
}

/** The id opens the customer; a long one is cut short on screen (CSS), whole in its title and text. */
function idCell(c) {
  return td(h('a', {href: customerHref(c.id), class: 'id-link', title: c.id}, c.id), 'id');
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
    idCell(c), td(fullName(c), 'text'), cell('Email', email), cell('Website', website), cell('Group', group), cell('Tax/VAT Number', taxvat),
    cell('Gender', gender), td(timeEl(c.created_at), 'nowrap'), td([save, cancel], 'actions-cell'));
  const note = h('td', {colspan: GRID_COLUMNS.length});
  const noteRow = h('tr', {class: 'row-message', hidden: true}, note);
  const showNote = (box) => { clearBanners(); note.replaceChildren(box); noteRow.hidden = false; };

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
      else { clearBanners(); noteRow.hidden = true; }
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
