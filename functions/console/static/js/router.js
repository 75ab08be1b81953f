// Router: hash routes (#/online, #/customers, #/customers/<id>, #/config) to the screen functions.

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
