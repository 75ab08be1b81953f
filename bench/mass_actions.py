"""A grid mass action over N customers vs the same change made by N single quick edits.

Under moto (tables from template.yaml): N customers are created through POST /customers, then
1. POST /customers/mass-actions assigns a customer group to all N in one request;
2. the same change is made customer by customer, as staff would without a mass action: a read
   for the ETag, then PATCH /customers/{id} with If-Match (2 requests per customer).
Printed side by side: wall time (moto), DynamoDB calls, and their ratios. Timings are printed,
never asserted; the calls per customer are what carries over to AWS.

Run: .venv/bin/python -m bench.mass_actions [--customers 100]
"""

from __future__ import annotations

import argparse
import json
import time

from moto import mock_aws

from bench._support import (
    DynamoRecorder,
    LambdaContext,
    create_stack,
    http_request,
    load_function,
    machine,
    quiet,
    register_website,
)

ADMIN = ["customers:read", "customers:write"]


def call(function, event: dict) -> tuple[int, dict, dict]:
    with quiet():
        response = function.handler(event, LambdaContext())
    return response["statusCode"], json.loads(response.get("body") or "null") or {}, response.get("headers") or {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100, help="selected customers (1-100, default 100)")
    args = parser.parse_args()
    count = max(1, min(100, args.customers))
    recorder = DynamoRecorder()
    with mock_aws():
        create_stack(16)
        register_website("base")
        customers = load_function("CustomersFunction")
        mass = load_function("CustomerMassActionsFunction")
        ids = []
        for n in range(count):
            status, body, _ = call(customers, http_request("POST", "/customers", ADMIN, body={
                "email": f"bench{n}@example.com", "first_name": "Ada", "last_name": f"Bench{n}",
                "website_id": "base"}))
            assert status == 201, body
            ids.append(body["id"])

        recorder.start()
        started = time.perf_counter()
        status, body, _ = call(mass, http_request("POST", "/customers/mass-actions", ADMIN, body={
            "action": "assign_group", "customer_ids": ids, "group_id": 2}))
        mass_s = time.perf_counter() - started
        recorder.stop()
        if status != 200 or {r["status"] for r in body["results"]} != {"ok"}:
            raise SystemExit(f"the mass action did not apply to every customer: {status} {body}")
        mass_calls = len(recorder.calls)

        recorder.calls.clear()
        recorder.start()
        started = time.perf_counter()
        for cid in ids:
            params = {"customer_id": cid}
            _, _, headers = call(customers, http_request("GET", f"/customers/{cid}", ADMIN, path_parameters=params,
                                                         route="/customers/{customer_id}"))
            status, body, _ = call(customers, http_request(
                "PATCH", f"/customers/{cid}", ADMIN, body={"group_id": 3}, path_parameters=params,
                route="/customers/{customer_id}", headers={"if-match": headers["ETag"]}))
            if status != 200:
                raise SystemExit(f"a single quick edit failed: {status} {body}")
        single_s = time.perf_counter() - started
        recorder.stop()
        single_calls = len(recorder.calls)

    print(f"Assign a customer group to {count} customers, moto; {machine()}")
    print(f"  {'':38}{'mass action':>14}{'single edits':>14}{'ratio':>9}")
    print(f"  {'requests to the API':<38}{1:>14}{2 * count:>14}{1 / (2 * count):>9.3f}")
    print(f"  {'wall time, s (moto)':<38}{mass_s:>14.2f}{single_s:>14.2f}{mass_s / single_s:>9.2f}")
    print(f"  {'DynamoDB calls':<38}{mass_calls:>14}{single_calls:>14}{mass_calls / single_calls:>9.2f}")
    print(f"  {'DynamoDB calls per customer':<38}{mass_calls / count:>14.1f}{single_calls / count:>14.1f}")


if __name__ == "__main__":
    main()
