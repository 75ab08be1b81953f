// Sign-in: the bearer token kept in this tab's sessionStorage (from ?token= or the token form).

const TOKEN_KEY = 'shopadmin.console.token';

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
