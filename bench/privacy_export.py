"""The privacy export of a customer with many orders: size, time and reads, side by side with
the Customer Information page read of the same customer.

Under moto (tables from template.yaml): a customer registers and places N orders (3 lines each)
through the real event path, then GET /customers/{id}/export and GET /customers/{id} are timed.
Printed: export size (and whether it is the body or a download link), wall time (moto) and
DynamoDB calls of each, and the ratio export / profile read. Nothing is asserted about time.

Run: .venv/bin/python -m bench.privacy_export [--orders 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
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
    sqs_event,
)

SCOPES = ["customers:read", "customers:export"]


def iso(epoch_ms: int) -> str:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC).isoformat().replace("+00:00", "Z")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000)
    args = parser.parse_args()
    recorder = DynamoRecorder()
    with mock_aws():
        tables = create_stack(16)
        from shopadmin import wiring

        now = wiring.now()
        register_website("base")
        ingest = load_function("IngestFunction")
        customer = "c-bench-export"

        def event(n: int, type_: str, data: dict) -> dict:
            return {"event_id": f"e-export-{n}", "type": type_, "occurred_at": iso(now - 3_600_000 + n),
                    "session_id": "v-bench-export", "website_id": "base", "customer_id": customer,
                    "url": "https://shop.example.com/checkout", "data": data}

        events = [event(0, "customer_registered", {"email": "export@example.com", "first_name": "Ada",
                                                   "last_name": "Export"})]
        events += [event(n, "order_placed", {"order_id": f"o-{n:05d}", "total": "156.00"})
                   for n in range(1, args.orders + 1)]
        with quiet():
            for start in range(0, len(events), 100):
                outcome = ingest.handler(sqs_event(events[start:start + 100]), LambdaContext())
                if outcome["batchItemFailures"]:
                    raise SystemExit(f"seeding failed: {outcome}")
        assert tables

        results = {}
        for name, logical_id, path, route in (
                ("export", "CustomerExportFunction", f"/customers/{customer}/export",
                 "/customers/{customer_id}/export"),
                ("profile read", "CustomersFunction", f"/customers/{customer}", "/customers/{customer_id}")):
            function = load_function(logical_id)
            request = http_request("GET", path, SCOPES, path_parameters={"customer_id": customer}, route=route)
            with quiet():  # warm-up: imports, clients and the config cache, as a warm Lambda has them
                function.handler(request, LambdaContext())
            recorder.start()
            started = time.perf_counter()
            with quiet():
                response = function.handler(request, LambdaContext())
            elapsed = time.perf_counter() - started
            recorder.stop()
            if response["statusCode"] != 200:
                raise SystemExit(f"{name}: {response['statusCode']} {response.get('body', '')[:300]}")
            body = response["body"]
            results[name] = (elapsed, len(recorder.calls), len(body.encode()), json.loads(body))

    export_s, export_calls, export_bytes, document = results["export"]
    read_s, read_calls, read_bytes, _ = results["profile read"]
    delivered = "download link" if "download_url" in document else "response body"
    print(f"Privacy export of a customer with {args.orders:,} orders, moto; {machine()}")
    print(f"  {'':30}{'export':>12}{'profile read':>14}{'ratio':>9}")
    print(f"  {'wall time, s (moto)':<30}{export_s:>12.2f}{read_s:>14.2f}{export_s / read_s:>9.2f}")
    print(f"  {'DynamoDB calls':<30}{export_calls:>12}{read_calls:>14}{export_calls / read_calls:>9.2f}")
    print(f"  {'response, KB':<30}{export_bytes / 1024:>12.1f}{read_bytes / 1024:>14.1f}"
          f"{export_bytes / read_bytes:>9.2f}")
    print(f"  the export was delivered as the {delivered}")


if __name__ == "__main__":
    main()
