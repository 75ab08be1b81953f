"""The scale goals of issue 24 in one table: every measure side by side from one run.

Runs, each in its own process (so one's tables and memory never weigh on another):
- bench.online_list at `--small` and `--large` sessions online (summary, sorts, `q=`);
- bench.ingest_batch (DynamoDB requests per event, handler time over its raw calls);
- bench.cold_start (each function's import over boto3's);
- bench.local_burst (the local stack: a 100-event POST, a steady load, answers of 500 or more).
Their own reports are printed as they run; then one table: measure, goal, today, met.
Nothing is asserted: `make test` runs it once with `--tiny` so it cannot rot.

Run: .venv/bin/python -m bench.scale [--tiny] [--small 1000] [--large 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._support import machine

ROOT = Path(__file__).resolve().parents[1]


def run(module: str, *args: str) -> dict[str, Any]:
    """Run `python -m module args --json <file>`, its report passed through; returns the JSON it wrote."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
        print(f"\n$ python -m {module} {' '.join(args)}", flush=True)
        completed = subprocess.run([sys.executable, "-m", module, *args, "--json", str(out)], cwd=ROOT, env=env,
                                   check=False)
        if completed.returncode != 0:
            raise SystemExit(f"{module} failed (exit {completed.returncode})")
        result: dict[str, Any] = json.loads(out.read_text())
        return result


@dataclass
class Goal:
    measure: str
    goal: str
    value: float
    met: Callable[[float], bool]
    note: str = ""


def per_row(read: dict[str, Any]) -> float:
    return float(read["scanned"]) / max(1, read["rows"])


TARGET_EVENTS_PER_SECOND = 10_000
BATCH_EVENTS = 100  # bench.ingest_batch's batch, the template's BatchSize


def ingest_concurrency_cap() -> int:
    """The ingest event source's ScalingConfig.MaximumConcurrency in template.yaml."""
    from local import template

    for mapping in template.resources_of_type(template.translated(), "AWS::Lambda::EventSourceMapping").values():
        props = mapping["Properties"]
        if props.get("FunctionName") == {"Ref": "IngestFunction"}:
            return int(props["ScalingConfig"]["MaximumConcurrency"])
    raise SystemExit("template.yaml has no event source for IngestFunction")


def invocations_needed(ingest: dict[str, Any]) -> float:
    """Ingest invocations running at once to take TARGET_EVENTS_PER_SECOND, from the bench's batch time
    with every DynamoDB answer after 5 ms (its session groups side by side)."""
    batch_seconds = ingest["batch_ms_with_latency"]["parallel"] / 1000
    return TARGET_EVENTS_PER_SECOND / (BATCH_EVENTS / batch_seconds)


def goals(online: dict[str, Any], ingest: dict[str, Any], cold: dict[str, Any], local: dict[str, Any],
          small: int, large: int, concurrency_cap: int) -> list[Goal]:
    lo, hi = online["small"], online["large"]
    worst = max(cold.items(), key=lambda kv: kv[1]["ratio"])
    over = sorted(name for name, r in cold.items() if r["ratio"] > 1.3)
    return [
        Goal(f"summary: items read at {large:,} / at {small:,} online", "<= 1.5",
             hi["summary"]["scanned"] / max(1, lo["summary"]["scanned"]), lambda v: v <= 1.5,
             "exact counts" if hi["summary"]["total"] == large else "COUNT WRONG"),
        Goal(f"sort=last_name: items read per row, {large:,} online", "<= 4", per_row(hi["sort=last_name"]),
             lambda v: v <= 4),
        Goal(f"sort=email: items read per row, {large:,} online", "<= 4", per_row(hi["sort=email"]), lambda v: v <= 4),
        Goal(f"q= prefix: items read per row, {large:,} online", "<= 4", per_row(hi["q"]), lambda v: v <= 4),
        Goal("ingest: DynamoDB requests per event (mixed batch)", "<= 0.35", ingest["requests_per_event"],
             lambda v: v <= 0.35),
        Goal("ingest: handler time / its raw DynamoDB calls", "<= 1.2", ingest["handler_over_raw"], lambda v: v <= 1.2),
        Goal(f"ingest: invocations at once for {TARGET_EVENTS_PER_SECOND:,} events/s (5 ms answers)",
             f"<= {concurrency_cap}", invocations_needed(ingest), lambda v: v <= concurrency_cap,
             f"{ingest['batch_ms_with_latency']['parallel']:.0f} ms per {BATCH_EVENTS}-event batch; "
             "cap = MaximumConcurrency"),
        Goal("cold start: worst import / boto3 client", "<= 1.3", worst[1]["ratio"], lambda v: v <= 1.3, worst[0]),
        Goal("cold start: functions over 1.3x", "0", len(over), lambda v: v == 0, ", ".join(over[:3]) +
             (" ..." if len(over) > 3 else "")),
        Goal(f"local: {local['burst_events']}-event POST counted by the summary (s)", "<= 5",
             local["burst_visible_s"], lambda v: v <= 5),
        Goal(f"local: {local['load_rate']} events/s, p95 until visible (s)", "report", local["load_p95_s"],
             lambda v: True, f"p50 {local['load_p50_s']:.1f} s, {local['load_not_visible']} never seen"),
        Goal("local: answers of 500 or more (concurrent requests)", "0", local["server_errors"], lambda v: v == 0,
             f"of {local['requests']} requests"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiny", action="store_true", help="tiny sizes: checks that every piece still runs")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=10_000,
                        help="sessions online in the large case (the goal names 100,000: > 25 min under moto)")
    args = parser.parse_args()
    small, large = (60, 120) if args.tiny else (args.small, args.large)
    online = run("bench.online_list", "--repeat", "1", "--small", str(small), "--large", str(large))
    ingest = run("bench.ingest_batch", "--repeat", "1" if args.tiny else "7")
    cold = run("bench.cold_start", *(["--repeat", "1", "--function", "IngestFunction", "--function",
                                      "CustomersFunction"] if args.tiny else ["--repeat", "15"]))
    local = run("bench.local_burst", *(["--burst", "10", "--rate", "20", "--seconds", "2"] if args.tiny else []))

    print(f"\nScale goals (issue 24), one run; {machine()}")
    print(f"  {'measure':<58}{'goal':>9}{'today':>10}  met  note")
    for goal in goals(online, ingest, cold, local, small, large, ingest_concurrency_cap()):
        print(f"  {goal.measure:<58}{goal.goal:>9}{goal.value:>10.2f}  {'yes' if goal.met(goal.value) else 'no ':<3}"
              f"  {goal.note}")
    print("items read = DynamoDB ScannedCount summed over the request's Query calls (what carries over to AWS);")
    print("a ratio is large / small from the same run. Times are this machine's; the local stack runs moto.")


if __name__ == "__main__":
    main()
