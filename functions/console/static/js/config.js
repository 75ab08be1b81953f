// Screen: Online Customers Options (#/config).

const CONFIG_DEFAULTS = {online_minutes_interval: 15, customer_data_lifetime: 60};

function viewConfig(view) {
  const msgs = h('div', {class: 'messages'});
  const interval = h('input', {id: 'online_minutes_interval', name: 'online_minutes_interval', type: 'text', inputmode: 'numeric',
    placeholder: String(CONFIG_DEFAULTS.online_minutes_interval), autocomplete: 'off'});
  const lifetime = h('input', {id: 'customer_data_lifetime', name: 'customer_data_lifetime', type: 'text', inputmode: 'numeric',
    placeholder: String(CONFIG_DEFAULTS.customer_data_lifetime), autocomplete: 'off'});
  const controls = {online_minutes_interval: interval, customer_data_lifetime: lifetime};
  const save = h('button', {type: 'submit', class: 'primary', id: 'config-save', disabled: true}, 'Save Config');
  const form = h('form', {id: 'config-form', novalidate: true},
    h('fieldset', {}, h('legend', {}, 'Online Customers Options'),
      h('div', {class: 'stacked'}, field('Online Minutes Interval', interval, {
        hint: `Minutes a session stays visible as online in Now Online. Whole number, 1 to 1440. Leave empty for the default (${CONFIG_DEFAULTS.online_minutes_interval}).`})),
      h('div', {class: 'stacked'}, field('Customer Data Lifetime', lifetime, {
        hint: `Minutes before unsaved data a visitor entered (guest cart, checkout draft) expires. Whole number, 1 to 10080. Leave empty for the default (${CONFIG_DEFAULTS.customer_data_lifetime}).`}))),
    h('div', {class: 'form-buttons'}, save));

  const asSent = (text) => {
    const value = text.trim();
    if (value === '') return null;  // blank: the default
    return /^-?\d+$/.test(value) ? Number(value) : value;  // anything else goes as typed: the API names the problem
  };
  const fill = (config) => {
    interval.value = config.online_minutes_interval ?? '';
    lifetime.value = config.customer_data_lifetime ?? '';
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(controls);
    save.disabled = true;
    const res = await api('PUT', '/config/online-customers', {
      body: {online_minutes_interval: asSent(interval.value), customer_data_lifetime: asSent(lifetime.value)}});
    save.disabled = false;
    if (res.ok) {
      fill(res.data);
      say(msgs, messageBox('ok', 'You saved the configuration.',
        [`Online Minutes Interval: ${res.data.online_minutes_interval} min; Customer Data Lifetime: ${res.data.customer_data_lifetime} min. It applies to the next reads.`]));
    } else if (res.status === 422) {
      const rest = showFieldErrors(controls, res);
      say(msgs, messageBox('error', 'The configuration was not saved: check the highlighted fields.', [],
        rest.map((d) => `${d.field}: ${d.reason}`)));
    } else {
      say(msgs, apiErrorBox('The configuration was not saved', res));
    }
  });

  view.append(...pageHeading('Online Customers Options', 'Stores › Configuration › Customers › Customer Configuration'), msgs, form);
  (async () => {
    const res = await api('GET', '/config/online-customers');
    if (res.ok) { fill(res.data); save.disabled = false; } else { say(msgs, apiErrorBox('The configuration could not be loaded', res)); save.disabled = !getToken(); }
  })();
  return null;
}
