"""Cold start: each function's module import vs `import boto3; boto3.client("dynamodb")`.

Every measurement is a fresh interpreter (as a Lambda cold start is), run with the function's
environment from template.yaml and the shared layer on sys.path, and times only the import inside
that interpreter (not the interpreter's own start). Per function, `--repeat` paired runs
alternate the baseline and the import; the ratio is the median of the per-pair ratios. A ratio
near 1 means the handler costs what any function using DynamoDB costs at cold start.

Run: .venv/bin/python -m bench.cold_start [--repeat 15] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bench._support import machine, median
from local import template
from local.lambda_runtime import LocalResources, environment

ROOT = Path(__file__).resolve().parents[1]

# Runs inside the fresh interpreter: argv = kind, module file, code dir, layer paths (os.pathsep-joined).
_PROBE = r"""
import sys, time
kind, module_file, code_dir, layers = sys.argv[1:5]
started = time.perf_counter()
if kind == "baseline":
    import boto3
    boto3.client("dynamodb")
else:
    import importlib.util
    sys.path[:0] = [*layers.split(__import__("os").pathsep), code_dir]
    spec = importlib.util.spec_from_file_location("app_under_test", module_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
print((time.perf_counter() - started) * 1000)
"""


def _environment(cfn: dict) -> dict[str, str]:
    """The functions' variables with every Ref/GetAtt resolved to a placeholder name (nothing is called)."""
    region = template.LOCAL_REGION
    resources = LocalResources(
        tables={i: i for i in template.resources_of_type(cfn, "AWS::DynamoDB::Table")},
        queues={i: {"url": f"https://sqs.{region}.amazonaws.com/123456789012/{i}",
                    "arn": f"arn:aws:sqs:{region}:123456789012:{i}", "name": i}
                for i in template.resources_of_type(cfn, "AWS::SQS::Queue")},
        buses={i: i for i in template.resources_of_type(cfn, "AWS::Events::EventBus")},
        buckets={i: i.lower() for i in template.resources_of_type(cfn, "AWS::S3::Bucket")},
        secrets={i: f"arn:aws:secretsmanager:{region}:123456789012:secret:{i}"
                 for i in template.resources_of_type(cfn, "AWS::SecretsManager::Secret")},
    )
    env = environment(template.functions(cfn), resources, "http://127.0.0.1:9")
    return {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **env}


def _probe(kind: str, spec: template.FunctionSpec, layers: str, env: dict[str, str]) -> float:
    result = subprocess.run([sys.executable, "-c", _PROBE, kind, str(spec.module_file), str(spec.code_dir), layers],
                            env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"{spec.logical_id} ({kind}) failed to import:\n{result.stderr[-2000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def measure(repeat: int, only: list[str] | None = None) -> dict[str, dict[str, float]]:
    """logical id -> {"import_ms", "baseline_ms", "ratio"} (medians over `repeat` pairs)."""
    cfn = template.translated()
    env = _environment(cfn)
    layers = os.pathsep.join(str(p) for p in template.shared_layer_paths(cfn))
    results = {}
    for logical_id, spec in sorted(template.functions(cfn).items()):
        if only and logical_id not in only:
            continue
        pairs = [(_probe("baseline", spec, layers, env), _probe("import", spec, layers, env)) for _ in range(repeat)]
        results[logical_id] = {"baseline_ms": median([b for b, _ in pairs]), "import_ms": median([i for _, i in pairs]),
                               "ratio": median([i / b for b, i in pairs])}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="paired runs per function (default 15)")
    parser.add_argument("--function", action="append", help="only this function (repeatable; default: all)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    results = measure(args.repeat, args.function)
    print(f"Cold start, fresh interpreter per run, {args.repeat} paired runs per function; {machine()}")
    print(f"  {'function':<32}{'import ms':>10}{'boto3 ms':>10}{'ratio':>8}")
    for logical_id, r in sorted(results.items(), key=lambda kv: -kv[1]["ratio"]):
        print(f"  {logical_id:<32}{r['import_ms']:>10.1f}{r['baseline_ms']:>10.1f}{r['ratio']:>8.2f}")
    print("ratio = module import / (import boto3 + one DynamoDB client), median of per-pair ratios; goal <= 1.3")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
