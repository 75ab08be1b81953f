"""Logger and metrics, created once and imported everywhere.

Log ids, counts and outcomes only: never names, emails, addresses, tokens or request bodies.
"""

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
