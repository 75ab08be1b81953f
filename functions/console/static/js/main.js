// Start: sign-in from the URL or the form, the skip link, then the first screen.

setupToken();
document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  const heading = document.querySelector('#view h1');
  (heading || document.getElementById('view')).focus();
});
window.addEventListener('hashchange', () => route(true));
if (!location.hash) history.replaceState(null, '', `${location.pathname}${location.search}#/online`);
route();
