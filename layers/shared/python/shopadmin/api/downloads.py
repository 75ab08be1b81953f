"""File downloads (CSV exports): the response shape shared by every export route."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_download(filename: str, text: str) -> Response[str]:
    """200 with the CSV as an attachment; never cached (the rows hold personal data)."""
    return Response(status_code=200, content_type=CSV_CONTENT_TYPE, body=text,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def csv_responses(description: str) -> dict[int, OpenAPIResponse]:
    """The OpenAPI 200 of an export route: a text/csv body whose first line is the header row."""
    return {200: {"description": description,
                  "content": {"text/csv": {"schema": {"type": "string"}}}}}
