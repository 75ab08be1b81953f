"""Benchmarks: `make bench` prints ratios and never asserts timings (`make test` runs each once, tiny: tests/bench).

Importing the package first (`python -m bench.<name>`) puts the shared layer on the import path and
sets a Lambda-like environment with dummy credentials, before any benchmark module imports boto3.
"""

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT / "layers" / "shared" / "python", ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# Dummy credentials: a benchmark must never reach a real AWS account.
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "shop-admin", "POWERTOOLS_METRICS_NAMESPACE": "ShopAdminBench",
    "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_DEV": "false",
})
os.environ.pop("AWS_ENDPOINT_URL", None)
# The list handlers publish no metric of their own; Powertools warns about that on every call.
warnings.filterwarnings("ignore", message="No application metrics to publish")
