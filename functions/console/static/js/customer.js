// Screen: Customer Information (#/customers/<id>): the page frame, its tabs, the account form and saving.
// The button bar's actions are in customer-actions.js, the other tabs and the left panel in customer-tabs.js.

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
let lastTab = 'account';

function viewCustomer(view, {id}) {
  const path = `/customers/${enc(id)}`;
  const cv = {profile: null, etag: null, pristine: '', controls: {}, orderKey: newKey()};
  const title = h('h1', {tabindex: '-1', id: 'customer-title'}, `Customer ${id}`);
  const msgs = h('div', {class: 'messages', id: 'customer-messages'});
  const page = {id, path, cv, msgs, refresh};
  const {loginAs, deleteCustomer, resetPassword, forceSignIn, createOrder} = customerActions(page);
  const {renderSide, addressesPanel, ordersPanel, cartPanel, balancePanel, newsletterPanel} = customerTabs({...page, createOrder});

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

  load();
  return null;
}
