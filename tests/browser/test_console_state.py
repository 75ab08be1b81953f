"""The console's screen state: what survives a reload, and which messages stay when the admin moves on."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Storefront

pytestmark = pytest.mark.usefixtures("browser")


def hash_query(url: str) -> dict[str, list[str]]:
    fragment = urlsplit(url).fragment
    return parse_qs(fragment.split("?", 1)[1]) if "?" in fragment else {}


def test_the_customer_grids_filters_sort_and_page_survive_a_reload(open_console, new_customer):
    run = uuid.uuid4().hex[:8]
    for i in range(21):  # one more than a page of 20
        new_customer(last_name=f"Url{run}{i:02d}", group_id=2)
    page = open_console("#/customers")
    page.fill("#grid-q", f"url{run}")
    page.select_option("#grid-group", "2")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("#customers-grid")).not_to_have_attribute("aria-busy", "true")
    page.click("#customers-grid th button[data-sort='last_name']")  # A to Z
    grid = page.locator("#customers-grid")
    expect(grid.locator("tbody tr[data-customer]")).to_have_count(20)
    expect(grid.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    page.click(".pager-next")
    expect(page.locator(".pager-where")).to_have_text("Page 2 · 1 row")
    expect(grid.locator("tbody tr[data-customer] td").nth(1)).to_contain_text(f"Url{run}20")
    state = hash_query(page.url)
    assert state["q"] == [f"url{run}"] and state["group_id"] == ["2"] and state["sort"] == ["last_name"], page.url
    assert len(state["cursor"]) == 1, page.url

    page.reload()
    expect(page.locator("#grid-q")).to_have_value(f"url{run}")
    expect(page.locator("#grid-group")).to_have_value("2")
    expect(page.locator("#grid-sort")).to_have_value("last_name")
    expect(grid.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator(".pager-where")).to_have_text("Page 2 · 1 row")
    expect(grid.locator("tbody tr[data-customer] td").nth(1)).to_contain_text(f"Url{run}20")

    page.click(".pager-prev")  # the cursor trail came back with the page: Previous still works
    expect(page.locator(".pager-where")).to_have_text("Page 1 · 20 rows")
    expect(grid.locator("tbody tr[data-customer]").first.locator("td").nth(1)).to_contain_text(f"Url{run}00")
    assert "cursor" not in hash_query(page.url)

    # the main menu's link carries no query: the grid keeps the state of the last visit, as before
    page.click("[data-nav=online]")
    page.click("[data-nav=customers]")
    expect(page.locator("#grid-q")).to_have_value(f"url{run}")
    # a hand-edited URL with unknown values falls back to the defaults instead of sending them
    page.goto(page.url.split("#")[0] + f"#/customers?q=url{run}&sort=bogus&limit=7&group_id=9")
    page.reload()
    expect(page.locator("#grid-sort")).to_have_value("-created_at")
    expect(page.locator("#grid-limit")).to_have_value("20")
    expect(page.locator("#grid-group")).to_have_value("")
    expect(grid.locator("tbody tr[data-customer]")).to_have_count(20)
    expect(page.get_by_role("alert")).to_have_count(0)
    page.click("#grid-reset")
    expect(page.locator("#grid-q")).to_have_value("")
    expect(grid).not_to_have_attribute("aria-busy", "true")
    assert page.url.endswith("#/customers"), "the initial state needs no query"


def test_now_onlines_filters_sort_and_page_survive_a_reload(open_console, send_events, refresh_until, api):
    website = f"url-{uuid.uuid4().hex[:8]}"
    registered = api.request("PUT", f"/websites/{website}", json={
        "name": "URL state", "storefront_url": "https://url.shop.example", "timezone": "UTC"})
    assert registered.status_code == 200, registered.text  # only registered websites take events
    visitors = [Storefront(website_id=website) for _ in range(21)]
    item = {"sku": "MH01", "qty": 1, "price": "52.00"}
    send_events([shop.event("cart_item_added", item, "/mh01.html", customer=False) for shop in visitors])
    page = open_console("#/online")
    page.select_option("#online-type", "visitor")
    page.fill("#online-website", website)
    page.select_option("#online-sort", "last_activity")
    page.select_option("#online-limit", "20")
    page.click("form[role=search] button[type=submit]")
    rows = page.locator("#online-grid tbody tr[data-session]")
    refresh_until(lambda: rows.count() == 20 and page.locator(".pager-next").is_enabled(), "21 visitors, 20 a page")
    page.click(".pager-next")
    expect(page.locator(".pager-where")).to_have_text("Page 2 · 1 row")
    last = rows.first.get_attribute("data-session")
    assert last in {shop.session_id for shop in visitors}
    state = hash_query(page.url)
    assert state["type"] == ["visitor"] and state["website_id"] == [website] and state["sort"] == ["last_activity"]
    assert state["limit"] == ["20"] and len(state["cursor"]) == 1, page.url

    page.reload()
    expect(page.locator("#online-type")).to_have_value("visitor")
    expect(page.locator("#online-website")).to_have_value(website)
    expect(page.locator("#online-sort")).to_have_value("last_activity")
    expect(page.locator("#online-limit")).to_have_value("20")
    expect(page.locator('#online-grid th[aria-sort]')).to_have_attribute("aria-sort", "ascending")
    expect(page.locator(".pager-where")).to_have_text("Page 2 · 1 row")
    expect(rows).to_have_count(1)
    assert rows.first.get_attribute("data-session") == last
    page.click(".pager-prev")
    expect(page.locator(".pager-where")).to_have_text("Page 1 · 20 rows")
    page.click("#online-reset")
    expect(page.locator("#online-type")).to_have_value("")
    expect(page.locator("#online-grid")).not_to_have_attribute("aria-busy", "true")
    assert page.url.endswith("#/online")


def quick_edit(page, customer: dict):
    """Open the quick edit of the customer's row (searching the grid for the email first)."""
    page.fill("#grid-q", customer["email"])
    page.press("#grid-q", "Enter")  # the search's load marks the grid busy at once
    expect(page.locator("#customers-grid")).not_to_have_attribute("aria-busy", "true")
    row = page.locator(f'#customers-grid tr[data-customer="{customer["id"]}"]')
    expect(page.locator("#customers-grid tbody tr")).to_have_count(1)
    row.get_by_role("button", name=f"Quick edit {customer['email']}").click()
    return row


def test_a_banner_goes_when_a_later_action_answers_or_the_screen_changes(open_console, api, new_customer):
    first, second = new_customer(), new_customer()
    page = open_console(f"#/customers/{first['id']}")
    expect(page.locator("#btn-save")).to_be_enabled()
    page.fill("#acc-taxvat", "FR-BANNER")
    page.click("#btn-save")  # Save Customer: back to the grid with a flash
    flash = page.locator("#flash .message")
    expect(flash).to_contain_text(f"You saved the customer {first['email']}")

    # a quick edit's 409 on another row: the earlier success must not stay above it
    row = quick_edit(page, second)
    page.fill(f"#qe-{second['id']}-taxvat", "FR-MINE")
    other = api.request("PATCH", f"/customers/{second['id']}", headers={"If-Match": '"1"'},
                        json={"taxvat": "FR-THEIRS"})
    assert other.status_code == 200, other.text
    row.get_by_role("button", name="Save").click()
    expect(page.locator("tr.row-message")).to_contain_text("changed by someone else")
    expect(page.locator(".message")).to_have_count(1)  # the conflict, alone
    expect(flash).to_have_count(0)

    # a success after it replaces the grid's banner; a 422 with only field errors clears it too
    page.locator("tr.row-message").get_by_role("button", name="Reload row").click()
    expect(page.locator(f"#qe-{second['id']}-taxvat")).to_have_value("FR-THEIRS")
    page.fill(f"#qe-{second['id']}-taxvat", "FR-AFTER")
    page.locator(f'#customers-grid tr[data-customer="{second["id"]}"]').get_by_role("button", name="Save").click()
    expect(page.locator("#grid-messages .message.ok")).to_contain_text(f"You saved {second['email']}")
    expect(page.locator(".message")).to_have_count(1)
    quick_edit(page, second)
    page.fill(f"#qe-{second['id']}-email", "not an email")
    page.press(f"#qe-{second['id']}-email", "Enter")
    expect(page.locator(f"#qe-{second['id']}-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".message")).to_have_count(0)

    # customer page: an action's success, then another tab's refusal: only the refusal shows
    page.goto(page.url.split("#")[0] + f"#/customers/{first['id']}")
    expect(page.locator("#btn-reset-password")).to_be_enabled()
    page.click("#btn-reset-password")
    expect(page.locator("#customer-messages .message.ok")).to_contain_text("Password reset requested")
    page.click("#tab-cart")
    page.click("#panel-cart button[type=submit]")  # Add to Cart without a SKU
    expect(page.locator("#cart-messages .message.error")).to_contain_text("Enter the SKU")
    expect(page.locator("#customer-messages .message")).to_have_count(0)
    expect(page.locator(".message")).to_have_count(1)

    # and a new screen starts without the last screen's messages
    page.click("#btn-reset-password")  # (a second request may be refused: any answer will do here)
    expect(page.locator("#customer-messages .message")).to_be_visible()
    page.click("[data-nav=online]")
    expect(page.locator("h1")).to_have_text("Now Online")
    expect(page.locator("#online-grid")).not_to_have_attribute("aria-busy", "true")
    expect(page.locator(".message")).to_have_count(0)


def inside(box: dict | None, right: float, what: str) -> None:
    assert box is not None, f"{what} is not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= right + 0.5, f"{what} is outside 0..{right} px: {box}"


def no_sideways_scroll(page, selector: str) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    client, scroll = page.evaluate(
        f"(() => {{ const w = document.querySelector('{selector}').closest('.table-wrap'); "
        "return [w.clientWidth, w.scrollWidth]; })()")
    assert scroll <= client, f"{selector} scrolls sideways at {width} px ({scroll} px in {client} px)"


def test_at_1280_the_customer_grid_shows_ids_as_links_and_its_actions_without_scrolling(open_console, api,
                                                                                        new_customer, shoot):
    tag = uuid.uuid4().hex[:8]
    long = new_customer(email=f"alexandra.konstantinopoulou.{tag}@a-rather-long-company-domain.example.com",
                        first_name="Alexandra-Maximiliane", last_name=f"Konstantinopoulou-Vanderbilt{tag}",
                        taxvat="DE123456789012345", gender="not_specified", group_id=2)
    page = open_console("#/customers")
    grid = page.locator("#customers-grid")
    rows = grid.locator("tbody tr[data-customer]")
    expect(rows.first).to_be_visible()
    expect(grid).not_to_have_attribute("aria-busy", "true")
    assert page.viewport_size == {"width": 1280, "height": 800}
    expect(grid.locator(f'tr[data-customer="{long["id"]}"]')).to_be_visible()  # the newest: on the first page
    no_sideways_scroll(page, "#customers-grid")
    for i in range(rows.count()):
        row = rows.nth(i)
        customer_id = row.get_attribute("data-customer")
        link = row.locator("td").first.locator("a")
        expect(link).to_have_attribute("href", f"#/customers/{customer_id}")
        expect(link).to_have_attribute("title", customer_id)  # the whole id on hover, even when it is cut short
        for what, element in [("id", link), ("Quick edit", row.locator(".quick-edit")),
                              ("Edit", row.locator(".edit-link"))]:
            inside(element.bounding_box(), 1280, f"{what} of {customer_id}")
    shoot(page, "customers-1280")

    # the quick edit and its 409 stay inside the screen too
    row = grid.locator(f'tr[data-customer="{long["id"]}"]')
    row.get_by_role("button", name="Quick edit").click()
    editing = grid.locator("tr.editing")
    for name in ("Save", "Cancel"):
        inside(editing.get_by_role("button", name=name).bounding_box(), 1280, f"quick edit's {name}")
    other = api.request("PATCH", f"/customers/{long['id']}", headers={"If-Match": '"1"'}, json={"taxvat": "DE0"})
    assert other.status_code == 200, other.text
    page.fill(f"#qe-{long['id']}-taxvat", "DE1")
    editing.get_by_role("button", name="Save").click()
    note = grid.locator("tr.row-message .message")
    expect(note).to_contain_text("changed by someone else")
    inside(note.bounding_box(), 1280, "the 409 message")
    inside(grid.locator("tr.row-message").get_by_role("button", name="Reload row").bounding_box(), 1280, "Reload row")
    no_sideways_scroll(page, "#customers-grid")
    shoot(page, "customers-1280-quick-edit-409")
    page.press(f"#qe-{long['id']}-taxvat", "Escape")

    # the id opens the customer, like Edit
    grid.locator(f'tr[data-customer="{long["id"]}"] td').first.locator("a").click()
    expect(page.locator("#customer-title")).to_contain_text("Alexandra-Maximiliane")
