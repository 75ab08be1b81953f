// DOM helpers: build elements from nodes and text (never markup), labelled fields, modal dialogs.

const PROPERTIES = new Set(['value', 'checked']);

/** h('tag', {attr: value, onclick: fn}, ...children): children are nodes or text (never parsed as HTML). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (PROPERTIES.has(name)) el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  appendAll(el, children);
  return el;
}

function appendAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const td = (content, cls) => h('td', {class: cls}, content ?? '');
const enc = encodeURIComponent;

function select(id, options, value, attrs = {}) {
  const el = h('select', {id, ...attrs}, options.map(([v, label]) => h('option', {value: String(v)}, label)));
  const wanted = value === null || value === undefined ? '' : String(value);
  if (![...el.options].some((o) => o.value === wanted)) el.append(h('option', {value: wanted}, wanted));
  el.value = wanted;
  return el;
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** A labelled control with its hint and error line, wired with aria-describedby. */
function field(labelText, control, {hint, cls = 'field', required = false} = {}) {
  const described = [];
  const hintEl = hint ? h('p', {class: 'hint', id: `${control.id}-hint`}, hint) : null;
  if (hintEl) described.push(hintEl.id);
  const errorEl = h('p', {class: 'field-error', id: `${control.id}-error`});
  described.push(errorEl.id);
  control.setAttribute('aria-describedby', described.join(' '));
  if (required) control.setAttribute('aria-required', 'true');
  const label = h('label', {for: control.id}, labelText, required ? h('span', {'aria-hidden': 'true'}, ' *') : null);
  if (control.type === 'checkbox') {
    return h('div', {class: cls}, h('span', {class: 'check'}, control, label), hintEl, errorEl);
  }
  return h('div', {class: cls}, label, control, hintEl, errorEl);
}

function pageHeading(text, crumb) {
  return [crumb ? h('p', {class: 'breadcrumb'}, crumb) : null, h('h1', {tabindex: '-1'}, text)];
}


// ---------------------------------------------------------------- dialogs
function openDialog({title, body = [], buttons}) {
  const opener = document.activeElement;
  const titleId = `dialog-title-${newKey()}`;
  const dialog = h('dialog', {'aria-labelledby': titleId}, h('h2', {id: titleId}, title), body);
  const row = h('div', {class: 'form-buttons'});
  for (const b of buttons) {
    row.append(h('button', {
      type: 'button', class: b.cls, id: b.id,
      onclick: async () => {
        if (b.onclick && (await b.onclick()) === false) return;  // keep the dialog open
        dialog.close(b.value);
      },
    }, b.label));
  }
  dialog.append(row);
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(dialog.returnValue);
    }, {once: true});
  });
}

async function confirmDialog(title, text, confirmLabel, cls = 'danger') {
  const answer = await openDialog({
    title, body: [h('p', {}, text)],
    buttons: [{label: confirmLabel, value: 'confirm', cls, id: 'dialog-confirm'},
      {label: 'Cancel', value: 'cancel', id: 'dialog-cancel'}],
  });
  return answer === 'confirm';
}
