// Customer Information: the Customer View (left panel) and the tabs other than Account Information
// that change something (addresses, orders, cart, store credit, reward points, newsletter).
// `page` is the customer page's state: {id, path, cv, msgs, refresh, createOrder}.

const ADDRESS_FIELDS = [['first_name', 'First Name', true], ['last_name', 'Last Name', true], ['company', 'Company'],
  ['street', 'Street Address (one line each, up to 4)', true], ['city', 'City', true], ['region', 'State/Province'],
  ['postcode', 'Zip/Postal Code'], ['country_id', 'Country (2-letter code, e.g. FR)', true], ['telephone', 'Phone Number']];

function customerTabs(page) {
  const {id, path, cv, msgs, refresh, createOrder} = page;

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

  return {renderSide, addressesPanel, ordersPanel, cartPanel, balancePanel, newsletterPanel};
}

function addressBlock(a, empty = '') {
  if (!a) return h('p', {class: 'hint'}, empty);
  const lines = [[a.first_name, a.last_name].filter(Boolean).join(' '), a.company, ...(a.street || []),
    [a.city, a.region, a.postcode].filter(Boolean).join(', '), a.country_id, a.telephone ? `T: ${a.telephone}` : null].filter(Boolean);
  return h('address', {}, lines.map((line, i) => [i ? h('br') : null, line]));
}
