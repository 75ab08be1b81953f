"""SPEC 9: required fields cannot be cleared; countries that exist; one 50-address limit (issue 23 item 1)."""

from __future__ import annotations

import pytest

from tests.integration.test_customers import api, new_customer

ADDRESS = {"first_name": "Ada", "last_name": "L", "street": ["1 Main St"], "city": "London", "country_id": "GB"}
ACCOUNT = {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "website_id": "base"}


def _fields(error):
    return [d["field"] for d in error["error"]["details"]]


def _unchanged(cid, version=1):
    customer = api("GET", f"/customers/{cid}")[1]["customer"]
    assert customer["version"] == version
    assert (customer["email"], customer["website_id"], customer["group_id"]) == ("ada@example.com", "base", 1)
    assert (customer["first_name"], customer["last_name"]) == ("Ada", "Lovelace")


@pytest.mark.parametrize("field", ["email", "website_id", "group_id"])
def test_quick_edit_cannot_clear_a_required_field(aws, clock, field):
    # was: email null -> 500, website_id null / group_id null -> 200 and the field gone
    customer, etag = new_customer()
    status, error, _ = api("PATCH", f"/customers/{customer['id']}", {field: None}, headers={"if-match": etag})
    assert status == 422, error
    assert error["error"]["details"] == [{"field": f"body.{field}", "reason": "is required and cannot be cleared",
                                          "code": "required"}]
    _unchanged(customer["id"])


@pytest.mark.parametrize("field, value", [
    ("email", None), ("email", "   "), ("website_id", None), ("website_id", " "), ("group_id", None),
    ("first_name", None), ("first_name", "  "), ("last_name", None), ("last_name", ""),
])
def test_full_save_cannot_clear_a_required_field(aws, clock, field, value):
    customer, etag = new_customer()
    status, error, _ = api("PUT", f"/customers/{customer['id']}", {**ACCOUNT, field: value},
                           headers={"if-match": etag})
    assert status == 422, error
    assert f"body.{field}" in _fields(error)
    _unchanged(customer["id"])


def test_quick_edit_may_still_clear_optional_fields(aws, clock):
    customer, etag = new_customer(taxvat="FR1")
    status, saved, _ = api("PATCH", f"/customers/{customer['id']}", {"taxvat": None, "gender": None},
                           headers={"if-match": etag})
    assert status == 200 and saved["taxvat"] is None and saved["version"] == 2


@pytest.mark.parametrize("code", ["XX", "ZZ", "AA", "QM", "UK", "EU", "EL"])
def test_countries_that_do_not_exist_are_refused_on_every_path(aws, clock, code):
    customer, etag = new_customer(addresses=[ADDRESS, {**ADDRESS, "city": "Leeds"}, {**ADDRESS, "city": "York"},
                                             {**ADDRESS, "city": "Bath"}])
    cid = customer["id"]
    book = api("GET", f"/customers/{cid}/addresses")[1]["items"]
    assert len(book) == 4
    bad = {**ADDRESS, "country_id": code}

    status, error, _ = api("POST", f"/customers/{cid}/addresses", bad)
    assert status == 422 and _fields(error) == ["body.country_id"], error
    status, error, _ = api("PUT", f"/customers/{cid}/addresses/{book[0]['id']}", bad)
    assert status == 422 and _fields(error) == ["body.country_id"], error
    status, error, _ = api("PUT", f"/customers/{cid}", {**ACCOUNT, "addresses": [bad]}, headers={"if-match": etag})
    assert status == 422 and _fields(error) == ["body.addresses.0.country_id"], error
    status, error, _ = api("POST", "/customers", {**ACCOUNT, "email": "new@example.com", "addresses": [bad]})
    assert status == 422 and _fields(error) == ["body.addresses.0.country_id"], error

    after = api("GET", f"/customers/{cid}/addresses")[1]["items"]
    assert sorted(a["city"] for a in after) == ["Bath", "Leeds", "London", "York"]
    assert api("GET", f"/customers/{cid}")[1]["customer"]["version"] == 1


@pytest.mark.parametrize("code", ["GB", "FR", "DE", "US", "JP", "GR", "AQ"])
def test_countries_that_exist_are_kept(aws, clock, code):
    customer, _ = new_customer()
    status, added, _ = api("POST", f"/customers/{customer['id']}/addresses", {**ADDRESS, "country_id": code})
    assert status == 201 and added["country_id"] == code


def test_an_address_book_holds_at_most_50_on_every_path(aws, clock):
    fifty = [{**ADDRESS, "city": f"City {i}"} for i in range(50)]
    customer, etag = new_customer(addresses=fifty)
    cid = customer["id"]
    assert len(api("GET", f"/customers/{cid}/addresses")[1]["items"]) == 50

    status, error, _ = api("POST", f"/customers/{cid}/addresses", {**ADDRESS, "city": "One too many"})
    assert status == 422 and _fields(error) == ["addresses"], error
    status, error, _ = api("PUT", f"/customers/{cid}", {**ACCOUNT, "addresses": [*fifty, ADDRESS]},
                           headers={"if-match": etag})
    assert status == 422 and _fields(error) == ["body.addresses"], error
    status, error, _ = api("POST", "/customers", {**ACCOUNT, "email": "b@example.com", "addresses": [*fifty, ADDRESS]})
    assert status == 422 and _fields(error) == ["body.addresses"], error
    assert len(api("GET", f"/customers/{cid}/addresses")[1]["items"]) == 50
    assert api("GET", f"/customers/{cid}")[1]["customer"]["version"] == 1

    # deleting one makes room for one again
    first = api("GET", f"/customers/{cid}/addresses")[1]["items"][0]
    assert api("DELETE", f"/customers/{cid}/addresses/{first['id']}")[0] == 204
    assert api("POST", f"/customers/{cid}/addresses", {**ADDRESS, "city": "Room again"})[0] == 201


def _transaction_sizes(dynamo_calls):
    return [len(params["TransactItems"]) for name, params in dynamo_calls.log if name == "TransactWriteItems"]


def test_a_full_save_replacing_all_50_addresses_is_one_transaction(aws, clock, dynamo_calls):
    # was: 500 (50 deletes + 50 puts + profile + audit passed DynamoDB's 100 items per transaction)
    customer, etag = new_customer(addresses=[{**ADDRESS, "city": f"Old {i}"} for i in range(50)])
    cid = customer["id"]
    others = [{**ADDRESS, "city": f"New {i}", "default_billing": i == 7} for i in range(50)]
    dynamo_calls.reset()
    status, saved, _ = api("PUT", f"/customers/{cid}", {**ACCOUNT, "first_name": "Augusta", "addresses": others},
                           headers={"if-match": etag})
    assert status == 200 and saved["version"] == 2 and saved["first_name"] == "Augusta", saved
    sizes = _transaction_sizes(dynamo_calls)
    assert len(sizes) == 1 and sizes[0] <= 100, sizes  # all of it in one transaction
    profile = api("GET", f"/customers/{cid}")[1]
    assert [a["city"] for a in profile["addresses"]] == [f"New {i}" for i in range(50)]  # the book keeps its order
    assert profile["default_billing"]["city"] == "New 7"


def test_a_refused_full_save_of_50_addresses_writes_none_of_them(aws, clock):
    new_customer(email="taken@example.com")
    customer, etag = new_customer(email="mine@example.com", addresses=[{**ADDRESS, "city": f"Old {i}"}
                                                                      for i in range(50)])
    cid = customer["id"]
    others = [{**ADDRESS, "city": f"New {i}"} for i in range(50)]
    status, _, _ = api("PUT", f"/customers/{cid}", {**ACCOUNT, "email": "taken@example.com", "addresses": others},
                       headers={"if-match": etag})
    assert status == 409
    assert [a["city"] for a in api("GET", f"/customers/{cid}/addresses")[1]["items"]] == \
        [f"Old {i}" for i in range(50)]


def test_50_of_the_largest_addresses_save_and_replace(aws, clock):
    """Every field at its longest, in a 3-byte script: each stored page stays under DynamoDB's 400 KB."""
    big = {"first_name": "名" * 255, "last_name": "姓" * 255, "company": "社" * 255, "street": ["路" * 255] * 4,
           "city": "市" * 255, "region": "県" * 255, "postcode": "1" * 20, "country_id": "JP", "telephone": "0" * 32}
    customer, etag = new_customer(addresses=[big] * 50)
    cid = customer["id"]
    replaced = [{**big, "city": "町" * 254 + str(i % 10)} for i in range(50)]
    status, saved, _ = api("PUT", f"/customers/{cid}", {**ACCOUNT, "addresses": replaced}, headers={"if-match": etag})
    assert status == 200, saved
    book = api("GET", f"/customers/{cid}/addresses")[1]["items"]
    assert len(book) == 50 and book[3]["city"].endswith("3") and book[0]["street"] == ["路" * 255] * 4


def test_single_address_changes_keep_the_book_order(aws, clock):
    customer, _ = new_customer(addresses=[{**ADDRESS, "city": f"C{i}"} for i in range(12)])
    cid = customer["id"]
    book = api("GET", f"/customers/{cid}/addresses")[1]["items"]
    assert api("DELETE", f"/customers/{cid}/addresses/{book[0]['id']}")[0] == 204
    assert api("PUT", f"/customers/{cid}/addresses/{book[5]['id']}", {**ADDRESS, "city": "Five"})[0] == 200
    assert api("POST", f"/customers/{cid}/addresses", {**ADDRESS, "city": "Last"})[0] == 201
    cities = [a["city"] for a in api("GET", f"/customers/{cid}/addresses")[1]["items"]]
    assert cities == ["C1", "C2", "C3", "C4", "Five", "C6", "C7", "C8", "C9", "C10", "C11", "Last"]


def test_refusals_give_the_rule_in_plain_words(aws, clock):
    customer, etag = new_customer()
    status, error, _ = api("PATCH", f"/customers/{customer['id']}", {"email": None}, headers={"if-match": etag})
    assert status == 422 and error["error"]["details"] == [{"field": "body.email",
                                                           "reason": "is required and cannot be cleared",
                                          "code": "required"}]
    status, error, _ = api("POST", f"/customers/{customer['id']}/addresses", {**ADDRESS, "country_id": "UK"})
    assert error["error"]["details"][0]["reason"].startswith("must be an ISO 3166-1 alpha-2 country code")
