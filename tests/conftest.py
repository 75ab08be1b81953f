"""Shared test set-up: the shared layer and the repo root on sys.path, like Lambda's /opt/python."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT / "layers" / "shared" / "python", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

# Never let a test reach a real AWS account.
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "POWERTOOLS_METRICS_NAMESPACE": "ShopAdminTest", "POWERTOOLS_SERVICE_NAME": "shop-admin",
    "POWERTOOLS_DEV": "false", "POWERTOOLS_TRACE_DISABLED": "true",
})
os.environ.pop("AWS_ENDPOINT_URL", None)
