// Customer Information: the button bar's actions (Login as Customer, Delete, Reset Password, Force Sign-In,
// Create Order). `page` is the customer page's state: {id, path, cv, msgs, refresh}.

function customerActions(page) {
  const {path, cv, msgs, refresh} = page;

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

  return {loginAs, deleteCustomer, resetPassword, forceSignIn, createOrder};
}
