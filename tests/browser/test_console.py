"""The admin console in a real browser, against the local stack: one test per admin flow."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.usefixtures("browser")

MARKUP_NAME = "<img src=x onerror=document.title='owned'>"  # must show as text, never become an element


def online_row(page, session_id: str):
    return page.locator(f'#online-grid tr[data-session="{session_id}"]')


def test_now_online_rows_appear_on_refresh_and_leave_on_logout(open_console, api, send_events, storefront,
                                                                refresh_until, shoot):
    page = open_console("#/online")
    expect(page.locator("h1")).to_have_text("Now Online")
    expect(page.locator("#online-summary")).to_contain_text("online")
    assert "token=" not in page.url, "the token stays out of the address bar and the history"
    expect(page.locator("#online-grid tbody tr[data-session]").first).to_be_visible()  # the demo data
    shoot(page, "now-online")

    shop = storefront(customer_id=f"c-browser-{uuid.uuid4().hex[:10]}")
    email = f"{shop.customer_id}@example.com"
    send_events([
        shop.event("customer_registered", {"email": email, "first_name": "Erin", "last_name": MARKUP_NAME,
                                           "company": "Browser & Co"}, "/customer/account/create"),
        shop.event("customer_logged_in", path="/customer/account/login"),
        shop.event("cart_item_added", {"sku": "MH01", "qty": 1, "price": "52.00"}, "/mh01.html"),
    ])
    row = online_row(page, shop.session_id)
    refresh_until(lambda: row.count() == 1, "the new customer's row")
    assert page.url.endswith("#/online"), "Refresh reloads the data, not the page"

    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(shop.customer_id)
    expect(cells.nth(1)).to_have_text("Erin")
    expect(cells.nth(2)).to_have_text(MARKUP_NAME)  # escaped: the literal text, no <img>
    expect(cells.nth(3)).to_have_text(email)
    expect(cells.nth(5)).to_have_text("Customer")
    expect(cells.nth(6)).to_have_text("shop.example/mh01.html")
    expect(cells.nth(7)).to_have_text("Browser & Co")
    expect(cells.nth(8)).to_have_text("base")
    assert row.locator("img").count() == 0 and page.title() != "owned"
    expect(row.locator("a", has_text=shop.customer_id)).to_have_attribute("href", f"#/customers/{shop.customer_id}")
    customers = int(page.locator('[data-count="customer"] strong').inner_text())
    assert customers >= 1

    # filters: text + type; header sort sets aria-sort
    page.fill("#online-q", email)
    page.select_option("#online-type", "customer")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("#online-grid tbody tr")).to_have_count(1)
    expect(online_row(page, shop.session_id)).to_be_visible()
    page.click('#online-grid th button[data-sort="email"]')
    expect(page.locator("#online-grid th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("#online-sort")).to_have_value("email")
    page.click("#online-reset")
    expect(page.locator("#online-q")).to_have_value("")
    expect(page.locator("#online-grid")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator("#online-grid tbody tr")).not_to_have_count(1)  # everyone again, not just the filtered row
    shoot(page, "now-online-filtered-then-reset")

    send_events([shop.event("customer_logged_out", path="/customer/account/logout")])
    refresh_until(lambda: row.count() == 0, "the row leaving after logout")


def test_config_shows_defaults_and_the_apis_422_next_to_the_field(open_console, api, shoot):
    page = open_console("#/config")
    interval, lifetime = page.locator("#online_minutes_interval"), page.locator("#customer_data_lifetime")
    expect(interval).to_have_value("15")
    expect(lifetime).to_have_value("60")
    expect(interval).to_have_attribute("placeholder", "15")
    expect(page.locator("#online_minutes_interval-hint")).to_contain_text("default (15)")

    interval.fill("0")
    lifetime.fill("soon")
    page.click("#config-save")
    expect(page.locator("#online_minutes_interval-error")).to_have_text("must be 1 or more")
    expect(page.locator("#customer_data_lifetime-error")).to_contain_text("must be a whole number")
    expect(interval).to_have_attribute("aria-invalid", "true")
    expect(interval).to_be_focused()
    shoot(page, "config-422")
    assert api.get("/config/online-customers").json() == {"online_minutes_interval": 15, "customer_data_lifetime": 60}

    interval.fill("20")
    lifetime.fill("")  # blank: the default
    page.click("#config-save")
    expect(page.get_by_role("status").filter(has_text="You saved the configuration")).to_be_visible()
    expect(lifetime).to_have_value("60")
    expect(interval).not_to_have_attribute("aria-invalid", "true")
    assert api.get("/config/online-customers").json() == {"online_minutes_interval": 20, "customer_data_lifetime": 60}

    interval.fill("")
    page.click("#config-save")
    expect(interval).to_have_value("15")
    shoot(page, "config")


def test_quick_edit_in_the_grid_and_its_conflict(open_console, api, new_customer, shoot):
    customer = new_customer()
    page = open_console("#/customers")
    page.fill("#grid-q", customer["email"])
    page.press("#grid-q", "Enter")
    row = page.locator(f'#customers-grid tr[data-customer="{customer["id"]}"]')
    expect(page.locator("#customers-grid tbody tr")).to_have_count(1)
    expect(row).to_contain_text(customer["email"])

    row.get_by_role("button", name=f"Quick edit {customer['email']}").click()
    base = f"#qe-{customer['id']}"
    expect(page.locator(f"{base}-email")).to_be_focused()
    page.fill(f"{base}-taxvat", "FR-QUICK-1")
    page.select_option(f"{base}-gender", "female")
    page.select_option(f"{base}-group_id", "2")
    shoot(page, "customers-quick-edit")
    row.get_by_role("button", name="Save").click()
    expect(row.locator("td").nth(5)).to_have_text("FR-QUICK-1")
    expect(row.locator("td").nth(4)).to_have_text("Wholesale")
    expect(row.locator("td").nth(6)).to_have_text("Female")
    expect(row.locator(".quick-edit")).to_be_focused()
    saved = api.get(f"/customers/{customer['id']}")
    assert saved.headers["ETag"] == '"2"'
    assert {k: saved.json()["customer"][k] for k in ("taxvat", "gender", "group_id")} == \
        {"taxvat": "FR-QUICK-1", "gender": "female", "group_id": 2}

    # someone else saves in between: the grid's version is stale -> 409, nothing changed, Reload row
    row.get_by_role("button", name="Quick edit").click()
    page.fill(f"{base}-taxvat", "FR-MINE")
    other = api.request("PATCH", f"/customers/{customer['id']}", headers={"If-Match": '"2"'},
                        json={"taxvat": "FR-THEIRS"})
    assert other.status_code == 200, other.text
    row.get_by_role("button", name="Save").click()
    note = page.locator("tr.row-message")
    expect(note).to_contain_text("changed by someone else")
    assert api.get(f"/customers/{customer['id']}").json()["customer"]["taxvat"] == "FR-THEIRS"
    note.get_by_role("button", name="Reload row").click()
    expect(page.locator(f"{base}-taxvat")).to_have_value("FR-THEIRS")
    page.press(f"{base}-taxvat", "Escape")
    expect(row.locator("td").nth(5)).to_have_text("FR-THEIRS")
    shoot(page, "customers")


def test_full_edit_conflict_then_reload_then_save(open_console, api, new_customer, shoot):
    customer = new_customer(company="Analytical Engines")
    page = open_console(f"#/customers/{customer['id']}")
    first_name = page.locator("#acc-first_name")
    expect(first_name).to_have_value("Ada")
    expect(page.locator("#customer-view")).to_contain_text(customer["email"])
    expect(page.get_by_role("tab", name="Account Information")).to_have_attribute("aria-selected", "true")
    shoot(page, "customer-information")

    # Reset brings back the last saved state
    first_name.fill("Scratch")
    page.click("#btn-reset")
    expect(first_name).to_have_value("Ada")

    # keyboard: arrows move between tabs
    page.get_by_role("tab", name="Account Information").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Addresses")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-addresses")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#panel-account")).to_be_visible()

    # a stale save: changed through the API after the page read version 1
    first_name.fill("Augusta")
    other = api.request("PATCH", f"/customers/{customer['id']}", headers={"If-Match": '"1"'},
                        json={"taxvat": "GB-OTHER"})
    assert other.status_code == 200, other.text
    page.click("#btn-save")
    alert = page.get_by_role("alert").filter(has_text="changed by someone else")
    expect(alert).to_be_visible()
    expect(page.locator("#conflict-reload")).to_be_focused()
    assert page.url.endswith(f"#/customers/{customer['id']}"), "a refused save stays on the page"
    shoot(page, "customer-conflict")
    current = api.get(f"/customers/{customer['id']}").json()["customer"]
    assert (current["first_name"], current["taxvat"], current["version"]) == ("Ada", "GB-OTHER", 2)

    page.click("#conflict-reload")
    expect(alert).to_have_count(0)
    expect(page.locator("#acc-taxvat")).to_have_value("GB-OTHER")
    expect(first_name).to_have_value("Ada")

    first_name.fill("Augusta")
    page.click("#btn-save-continue")
    expect(page.get_by_role("status").filter(has_text="You saved the customer")).to_be_visible()
    expect(page.locator("h1")).to_have_text(f"Augusta {customer['last_name']}")
    saved = api.get(f"/customers/{customer['id']}")
    assert (saved.json()["customer"]["first_name"], saved.json()["customer"]["taxvat"]) == ("Augusta", "GB-OTHER")
    assert saved.headers["ETag"] == '"3"'

    # a 422 names the field next to it
    page.fill("#acc-email", "not-an-email")
    page.click("#btn-save")
    expect(page.locator("#acc-email-error")).not_to_be_empty()
    expect(page.locator("#acc-email")).to_have_attribute("aria-invalid", "true")

    # Save Customer goes back to the grid with a confirmation
    page.fill("#acc-email", customer["email"])
    page.click("#btn-save")
    expect(page).to_have_url(f"{api.base}/console#/customers")
    expect(page.locator("#flash")).to_contain_text("You saved the customer")


def test_login_as_without_consent_shows_the_refusal(open_console, api, new_customer, has_route):
    customer = new_customer()  # allow_remote_assistance defaults to false
    page = open_console(f"#/customers/{customer['id']}")
    expect(page.locator("#acc-allow_remote_assistance")).not_to_be_checked()
    with page.expect_response(lambda r: r.url.endswith(f"/customers/{customer['id']}/login-as")) as answer:
        page.click("#btn-login-as")
    response = answer.value
    messages = page.locator("#customer-messages")
    expect(messages.get_by_role("alert")).to_contain_text("Login as Customer refused")
    if has_route("POST", "/customers/{customer_id}/login-as"):
        assert response.status == 403, response.text()
        expect(messages).to_contain_text(response.json()["error"]["message"])  # the API's own words
    else:  # the endpoint is not built yet: the button still reports what the API said
        assert response.status == 404
        expect(messages).to_contain_text("Not Found")


def test_force_sign_in_removes_the_customers_rows(open_console, api, send_events, storefront, new_customer,
                                                  has_route, refresh_until):
    shop = storefront(customer_id=None)
    customer = new_customer()
    shop.customer_id = customer["id"]
    send_events([shop.event("customer_logged_in", path="/customer/account/login"),
                 shop.event("cart_item_added", {"sku": "MH01", "qty": 1, "price": "52.00"}, "/mh01.html")])
    page = open_console("#/online")
    row = online_row(page, shop.session_id)
    refresh_until(lambda: row.count() == 1, "the signed-in customer's row")

    page.goto(f"{api.base}/console#/customers/{customer['id']}")
    expect(page.locator("#customer-online")).to_contain_text("Online")
    page.click("#btn-force-sign-in")
    dialog = page.get_by_role("dialog", name="Force Sign-In")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Force Sign-In").click()
    messages = page.locator("#customer-messages")
    assert has_route("POST", "/customers/{customer_id}/force-sign-in")
    expect(messages).to_contain_text("signed out of every session")
    expect(page.locator("#customer-online")).to_have_text("Offline")
    page.click('a[data-nav="online"]')
    refresh_until(lambda: online_row(page, shop.session_id).count() == 0, "the row leaving after Force Sign-In")


def test_narrow_screen_scrolls_the_grid_not_the_page(open_console, shoot):
    page = open_console("#/online")
    expect(page.locator("#online-grid tbody tr").first).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page_width = page.evaluate("document.documentElement.scrollWidth")
    grid_box = page.evaluate(
        "(() => { const w = document.querySelector('.table-wrap'); return [w.clientWidth, w.scrollWidth]; })()")
    assert page_width <= 390, f"the page itself scrolls sideways ({page_width} px)"
    assert grid_box[1] > grid_box[0], "the grid scrolls inside its own box"
    shoot(page, "now-online-390px")


def test_without_a_token_the_page_asks_for_one_and_uses_the_pasted_one(open_console, admin_token):
    page = open_console("#/online", token=None)
    expect(page.get_by_role("alert").first).to_contain_text("Unauthorized")
    expect(page.locator("#token-status")).to_contain_text("paste")
    page.fill("#token", admin_token)
    page.get_by_role("button", name="Use token").click()
    expect(page.locator("#online-grid tbody tr").first).to_be_visible()
    expect(page.locator("#token-status")).to_contain_text("Signed in as dev-admin")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_manage_cart_create_order_and_adjust_balances(open_console, api, new_customer, has_route, shoot):
    needed = [("PUT", "/customers/{customer_id}/cart/items/{sku}"), ("POST", "/customers/{customer_id}/orders"),
              ("POST", "/customers/{customer_id}/store-credit/adjustments"),
              ("PUT", "/customers/{customer_id}/newsletter")]
    assert not [f"{m} {p}" for m, p in needed if not has_route(m, p)]
    customer = new_customer()
    page = open_console(f"#/customers/{customer['id']}")
    expect(page.locator("#acc-first_name")).to_have_value("Ada")
    page.fill("#acc-company", "Unsaved Co")  # an unsaved edit survives the actions below

    page.click("#btn-manage-cart")
    expect(page.get_by_role("tab", name="Shopping Cart")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#cart-add-sku")).to_be_focused()
    page.fill("#cart-add-sku", "MH01")
    page.fill("#cart-add-qty", "2")
    page.fill("#cart-add-name", "Chaz Kangeroo Hoodie")
    page.fill("#cart-add-price", "52.00")
    page.get_by_role("button", name="Add to Cart").click()
    item = page.locator('#cart-grid tr[data-sku="MH01"]')
    expect(item.locator("input")).to_have_value("2")
    item.locator("input").fill("3")
    item.get_by_role("button", name="Update quantity of MH01").click()
    expect(page.locator("#customer-view")).to_contain_text("3 × Chaz Kangeroo Hoodie")
    assert api.get(f"/customers/{customer['id']}/cart").json()["items"][0]["qty"] == 3

    page.click("#btn-create-order")
    dialog = page.get_by_role("dialog", name="Create Order")
    expect(dialog.locator("#order-from-cart")).to_be_checked()
    dialog.get_by_role("button", name="Create Order").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#customer-messages")).to_contain_text("created")
    page.get_by_role("tab", name="Orders").click()
    expect(page.locator("#panel-orders tbody tr")).to_have_count(1)
    expect(page.locator("#panel-orders")).to_contain_text("156.00")
    orders = api.get(f"/customers/{customer['id']}/orders").json()["items"]
    assert [o["total"] for o in orders] == ["156.00"]

    page.get_by_role("tab", name="Store Credit").click()
    page.fill("#storecredit-amount", "12.50")
    page.fill("#storecredit-reason", "Goodwill")
    page.get_by_role("button", name="Adjust Store Credit").click()
    expect(page.locator("#storecredit-balance")).to_have_text("Balance: 12.50")
    expect(page.locator("#side-store-credit")).to_have_text("12.50")
    page.fill("#storecredit-amount", "-20.00")
    page.fill("#storecredit-reason", "Too much")
    page.get_by_role("button", name="Adjust Store Credit").click()
    expect(page.locator("#panel-storecredit").get_by_role("alert")).to_contain_text("Not adjusted")
    expect(page.locator("#storecredit-balance")).to_have_text("Balance: 12.50")

    page.get_by_role("tab", name="Newsletter").click()
    page.get_by_role("button", name="Subscribe to the newsletter of base").click()
    expect(page.locator("#newsletter-grid")).to_contain_text("Subscribed")
    expect(page.locator("#customer-view")).to_contain_text("Subscribed (base)")
    shoot(page, "customer-newsletter")

    page.get_by_role("tab", name="Account Information").click()
    expect(page.locator("#acc-company")).to_have_value("Unsaved Co")


def test_delete_customer_asks_first(open_console, api, new_customer, has_route):
    customer = new_customer()
    page = open_console(f"#/customers/{customer['id']}")
    expect(page.locator("#acc-first_name")).to_have_value("Ada")
    page.click("#btn-delete")
    dialog = page.get_by_role("dialog", name="Delete Customer")
    expect(dialog).to_contain_text(customer["email"])
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#btn-delete")).to_be_focused()
    assert api.get(f"/customers/{customer['id']}").status_code == 200

    page.click("#btn-delete")
    page.get_by_role("dialog", name="Delete Customer").get_by_role("button", name="Delete Customer").click()
    assert has_route("DELETE", "/customers/{customer_id}")
    expect(page).to_have_url(f"{api.base}/console#/customers")
    expect(page.locator("#flash")).to_contain_text("You deleted the customer")
    assert api.get(f"/customers/{customer['id']}").status_code == 404


def test_login_as_with_consent_and_reset_password_report_the_apis_answer(open_console, new_customer, has_route):
    for method, path in [("POST", "/customers/{customer_id}/login-as"),
                         ("POST", "/customers/{customer_id}/password-reset")]:
        assert has_route(method, path), f"{method} {path}"
    customer = new_customer(allow_remote_assistance=True)
    page = open_console(f"#/customers/{customer['id']}")
    expect(page.locator("#acc-allow_remote_assistance")).to_be_checked()
    messages = page.locator("#customer-messages")
    page.click("#btn-login-as")
    expect(messages).to_contain_text("the assisted session is ready")
    expect(page.locator("#login-as-secret")).not_to_be_empty()

    page.click("#btn-reset-password")
    expect(messages).to_contain_text("Password reset requested")
    with page.expect_response(lambda r: r.url.endswith("/password-reset")) as answer:
        page.click("#btn-reset-password")  # within the rate limit window: refused
    assert answer.value.status == 429, answer.value.text()
    expect(messages.get_by_role("alert")).to_contain_text("Password reset refused")
    expect(messages).to_contain_text(answer.value.json()["error"]["message"])


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => el.type !== 'hidden')
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 120))"""


def test_every_control_has_a_label_on_every_screen(open_console, page, new_customer):
    customer = new_customer()
    for hash_route, ready in [("#/online", "#online-grid tbody tr"), ("#/config", "#online_minutes_interval"),
                              ("#/customers", "#customers-grid tbody tr .quick-edit"),
                              (f"#/customers/{customer['id']}", "#acc-first_name")]:
        open_console(hash_route)
        expect(page.locator(ready).first).to_be_visible()
        if hash_route == "#/customers":
            page.locator(".quick-edit").first.click()  # the inline editor's controls too
        if hash_route.startswith("#/customers/"):
            page.get_by_role("tab", name="Addresses").click()
            page.click("#address-add")  # the address form's controls too
        assert page.evaluate(UNLABELLED) == [], hash_route
        assert page.locator("h1").count() == 1, hash_route


def test_address_book_add_default_and_delete(open_console, api, new_customer):
    customer = new_customer()
    page = open_console(f"#/customers/{customer['id']}")
    page.get_by_role("tab", name="Addresses").click()
    page.click("#address-add")
    expect(page.locator("#addr-first_name")).to_be_focused()
    page.fill("#addr-first_name", "Ada")
    page.fill("#addr-last_name", "Lovelace")
    page.fill("#addr-street", "12 St James's Square")
    page.fill("#addr-city", "London")
    page.fill("#addr-country_id", "gbr")  # three letters: the API's 422 shows next to the field
    page.check("#addr-default_billing")
    page.get_by_role("button", name="Save Address").click()
    expect(page.locator("#addr-country_id-error")).not_to_be_empty()
    page.fill("#addr-country_id", "gb")
    page.get_by_role("button", name="Save Address").click()
    item = page.locator("#panel-addresses li[data-address]")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Default Billing Address")
    expect(page.locator("#customer-view")).to_contain_text("12 St James's Square")
    item.get_by_role("button", name="Set as default shipping: Ada Lovelace London").click()
    expect(page.locator("#panel-addresses li[data-address]")).to_contain_text("Default Shipping Address")
    assert api.get(f"/customers/{customer['id']}").json()["default_shipping"]["country_id"] == "GB"
    page.locator("#panel-addresses li[data-address]").get_by_role("button", name="Delete: Ada Lovelace London").click()
    page.get_by_role("dialog", name="Delete address").get_by_role("button", name="Delete").click()
    expect(page.locator("#panel-addresses")).to_contain_text("The address book is empty.")
    assert api.get(f"/customers/{customer['id']}/addresses").json()["items"] == []
