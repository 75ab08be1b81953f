// Formatting shared by every screen: times, links, group and gender names, customer names and links.

const GROUPS = [[0, 'NOT LOGGED IN'], [1, 'General'], [2, 'Wholesale'], [3, 'Retailer']];
const GENDERS = [['', 'Not set'], ['male', 'Male'], ['female', 'Female'], ['not_specified', 'Not Specified']];

const pad = (n) => String(n).padStart(2, '0');

function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function timeEl(iso) {
  return iso ? h('time', {datetime: iso, title: `${iso} (UTC)`}, formatTime(iso)) : '';
}

function urlEl(url) {
  if (!url) return '';
  let web = false;
  try { web = ['http:', 'https:'].includes(new URL(url).protocol); } catch { web = false; }
  const shown = String(url).replace(/^https?:\/\//, '');
  return web ? h('a', {href: url, target: '_blank', rel: 'noopener noreferrer', title: url}, shown) : String(url);
}

function groupName(id) {
  const found = GROUPS.find(([value]) => value === id);
  return found ? found[1] : (id === null || id === undefined ? '' : `Group ${id}`);
}

function genderName(value) {
  const found = GENDERS.find(([v]) => v === value);
  return value && found ? found[1] : '';
}

function fullName(c) {
  return [c.prefix, c.first_name, c.middle_name, c.last_name, c.suffix].filter(Boolean).join(' ');
}

/** An email as text with line-break chances before the @ and after each dot (a narrow column wraps it there). */
function emailText(email) {
  if (!email) return '';
  return String(email).split(/(?=@)|(?<=\.)/).flatMap((part, i) => (i ? [h('wbr'), part] : [part]));
}

const customerHref = (id) => `#/customers/${enc(id)}`;
