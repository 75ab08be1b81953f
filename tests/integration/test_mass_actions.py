"""POST /customers/mass-actions (SPEC 7) against moto: per-customer results in request order,
each change audited as the single action, one failure never stopping the others."""

from __future__ import annotations

import threading

from tests.integration.lambdas import invoke_http
from tests.support import http_event

ADMIN = "customers:read customers:write audit:read"
DELETE = ADMIN + " customers:delete"
MASS = "/customers/mass-actions"


def mass(body: dict, *, scopes: str = ADMIN, headers: dict | None = None,
         claims: dict | None = None) -> tuple[int, dict, dict]:
    status, answer, response_headers = invoke_http("CustomerMassActionsFunction", http_event(
        "POST", MASS, scopes=scopes, body=body, headers=headers, route=f"POST {MASS}", claims=claims))
    return status, answer or {}, response_headers


def customers_api(method: str, path: str, body: dict | None = None, headers: dict | None = None,
                  scopes: str = ADMIN) -> tuple[int, dict]:
    parts = path.strip("/").split("/")
    params = {"customer_id": parts[1]} if len(parts) >= 2 else None
    route = path if params is None else path.replace(parts[1], "{customer_id}", 1)
    function = "CustomerAuditFunction" if path.endswith("/audit") else "CustomersFunction"
    status, answer, _ = invoke_http(function, http_event(method, path, scopes=scopes, body=body, headers=headers,
                                                         path_parameters=params, route=f"{method} {route}"))
    return status, answer or {}


def create(n: int, website: str = "base") -> str:
    status, customer = customers_api("POST", "/customers", {"email": f"c{n}@example.com", "first_name": "Ada",
                                                            "last_name": f"N{n}", "website_id": website})
    assert status == 201, customer
    return str(customer["id"])


def account(cid: str) -> tuple[int, dict]:
    return customers_api("GET", f"/customers/{cid}")


def actions(cid: str) -> list[str]:
    status, page = customers_api("GET", f"/customers/{cid}/audit", scopes="audit:read")
    assert status == 200, page
    return [entry["action"] for entry in page["items"]]


def test_assign_group_mixes_existing_and_missing_ids_in_request_order(aws, clock):
    first, second = create(1), create(2)
    status, body, _ = mass({"action": "assign_group", "customer_ids": [second, "c-missing", first], "group_id": 3})
    assert status == 200, body
    assert [(r["customer_id"], r["status"]) for r in body["results"]] == [
        (second, "ok"), ("c-missing", "not_found"), (first, "ok")]
    for cid in (first, second):
        assert account(cid)[1]["customer"]["group_id"] == 3
        assert actions(cid).count("customer.updated") == 1  # audited as the quick edit is


def test_subscribe_and_unsubscribe_default_to_each_customers_own_website(aws, clock):
    base, fr = create(1), create(2, website="fr")
    status, body, _ = mass({"action": "subscribe", "customer_ids": [base, fr]})
    assert status == 200 and [r["status"] for r in body["results"]] == ["ok", "ok"], body
    assert account(base)[1]["newsletter"]["subscriptions"] == {"base": True}
    assert account(fr)[1]["newsletter"]["subscriptions"] == {"fr": True}
    status, body, _ = mass({"action": "unsubscribe", "customer_ids": [fr], "website_id": "fr"})
    assert status == 200 and body["results"][0]["status"] == "ok"
    assert account(fr)[1]["newsletter"]["subscriptions"] == {"fr": False}
    assert "newsletter.updated" in actions(fr)


def test_a_website_bound_token_sees_other_websites_customers_as_not_found(aws, clock):
    base, fr = create(1), create(2, website="fr")
    status, body, _ = mass({"action": "assign_group", "customer_ids": [base, fr], "group_id": 4},
                           claims={"website_id": "fr"})
    assert status == 200, body
    assert [(r["customer_id"], r["status"]) for r in body["results"]] == [(base, "not_found"), (fr, "ok")]
    assert account(base)[1]["customer"]["group_id"] == 1  # untouched
    status, body, _ = mass({"action": "delete", "customer_ids": [base]}, scopes=DELETE, claims={"website_id": "fr"})
    assert status == 200 and body["results"][0]["status"] == "not_found"
    assert account(base)[0] == 200
    status, body, _ = mass({"action": "subscribe", "customer_ids": [fr], "website_id": "base"},
                           claims={"website_id": "fr"})
    assert status == 403  # a bound token can't act on another website's newsletter


def test_delete_needs_customers_delete_and_then_deletes_each(aws, clock):
    first, second = create(1), create(2)
    status, body, _ = mass({"action": "delete", "customer_ids": [first, second]})
    assert status == 403 and "customers:delete" in body["error"]["message"]
    assert account(first)[0] == account(second)[0] == 200  # nothing changed
    status, body, _ = mass({"action": "delete", "customer_ids": [first, "c-missing", second]}, scopes=DELETE)
    assert status == 200, body
    assert [r["status"] for r in body["results"]] == ["ok", "not_found", "ok"]
    assert account(first)[0] == account(second)[0] == 404


def test_one_customers_failure_never_stops_the_others(aws, clock, monkeypatch):
    from shopadmin.logic import customer_accounts

    ids = [create(n) for n in range(3)]
    real = customer_accounts.edit_customer

    def flaky(customer_id, *args, **kwargs):
        if customer_id == ids[1]:
            raise RuntimeError("storage fault for this one customer")
        return real(customer_id, *args, **kwargs)

    monkeypatch.setattr(customer_accounts, "edit_customer", flaky)
    status, body, _ = mass({"action": "assign_group", "customer_ids": ids, "group_id": 2})
    assert status == 200, body
    assert [r["status"] for r in body["results"]] == ["ok", "failed", "ok"]
    assert "storage fault" not in body["results"][1]["reason"]  # internal details stay in the log
    assert [account(cid)[1]["customer"]["group_id"] for cid in ids] == [2, 1, 2]


def test_an_idempotency_key_replays_the_first_results_and_applies_nothing_again(aws, clock):
    cid = create(1)
    request = {"action": "assign_group", "customer_ids": [cid], "group_id": 2}
    first = mass(request, headers={"idempotency-key": "mass-1"})
    assert first[0] == 200
    status, body = customers_api("PATCH", f"/customers/{cid}", {"group_id": 4}, headers={"if-match": '"2"'})
    assert status == 200, body
    replay = mass(request, headers={"idempotency-key": "mass-1"})
    assert replay[0] == 200 and replay[1] == first[1] and replay[2].get("Idempotent-Replayed") == "true"
    assert account(cid)[1]["customer"]["group_id"] == 4  # the replay changed nothing
    status, body, _ = mass({**request, "group_id": 5}, headers={"idempotency-key": "mass-1"})
    assert status == 422


def test_a_concurrent_single_edit_and_mass_action_both_apply(aws, clock):
    cid = create(1)
    outcomes: dict[str, object] = {}

    def single() -> None:
        outcomes["single"] = customers_api("PATCH", f"/customers/{cid}", {"taxvat": "FR1"},
                                           headers={"if-match": '"1"'})[0]

    def grid() -> None:
        outcomes["mass"] = mass({"action": "assign_group", "customer_ids": [cid], "group_id": 3})[1]

    threads = [threading.Thread(target=single), threading.Thread(target=grid)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    mass_result = outcomes["mass"]["results"][0]  # type: ignore[index]
    customer = account(cid)[1]["customer"]
    assert mass_result["status"] == "ok"  # the mass action re-reads the version: never a lost group change
    assert customer["group_id"] == 3
    # the single edit was based on version 1: it either went first (200) or lost the race (409), never both lost
    assert outcomes["single"] in (200, 409)
    assert (customer["taxvat"] == "FR1") == (outcomes["single"] == 200)


def test_bad_requests_name_the_field(aws, clock):
    cid = create(1)
    cases = [
        ({"action": "assign_group", "customer_ids": [cid]}, "group_id"),
        ({"action": "subscribe", "customer_ids": [cid], "group_id": 2}, "group_id"),
        ({"action": "assign_group", "customer_ids": [cid, cid], "group_id": 2}, "customer_ids"),
        ({"action": "assign_group", "customer_ids": [], "group_id": 2}, "customer_ids"),
        ({"action": "assign_group", "customer_ids": [f"c{n}" for n in range(101)], "group_id": 2}, "customer_ids"),
        ({"action": "merge", "customer_ids": [cid]}, "action"),
    ]
    for request, field in cases:
        status, body, _ = mass(request)
        assert status == 422, (request, body)
        assert any(d["field"].startswith(f"body.{field}") for d in body["error"]["details"]), (request, body)
        assert all("Value error" not in d["reason"] for d in body["error"]["details"]), body
    assert account(cid)[1]["customer"]["group_id"] == 1


def test_each_customer_costs_the_same_few_calls_however_many_are_selected(aws, clock, dynamo_calls):
    """The cost of a mass action follows the selection: the same calls per customer for 2 and for 8."""
    ids = [create(n) for n in range(10)]
    per_customer = []
    for batch in (ids[:2], ids[2:]):
        dynamo_calls.reset()
        status, body, _ = mass({"action": "assign_group", "customer_ids": batch, "group_id": 2})
        assert status == 200 and {r["status"] for r in body["results"]} == {"ok"}
        assert dynamo_calls["Scan"] == 0
        per_customer.append(sum(dynamo_calls.counts.values()) / len(batch))
    assert per_customer[0] == per_customer[1] <= 6, per_customer
