// Router: hash routes (#/online, #/customers, #/customers/<id>, #/config) to the screen functions,
// and the query of a route (#/customers?q=ada&sort=email) where a screen keeps its state.

let teardown = null;
const views = {online: viewOnline, config: viewConfig, customers: viewCustomers, customer: viewCustomer};

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean);
  if (parts[0] === 'customers' && parts.length > 1) {
    try { return {name: 'customer', id: decodeURIComponent(parts.slice(1).join('/'))}; } catch { return {name: 'customers'}; }
  }
  return {name: ['online', 'config', 'customers'].includes(parts[0]) ? parts[0] : 'online'};
}

/** The query of the current hash route: #/customers?q=ada -> URLSearchParams {q: 'ada'}. */
function hashQuery() {
  const at = location.hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : location.hash.slice(at + 1));
}

/** Put params in the current hash route's query: no new history entry, no hashchange (the screen stays). */
function replaceHashQuery(params) {
  const query = params.toString();
  const hash = location.hash.split('?')[0] + (query ? `?${query}` : '');
  if (hash !== location.hash) history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
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
