"""Customers > All Customers and the Customer Information page (SPEC 3.1, 3.2)."""

from __future__ import annotations

from typing import Annotated, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from pydantic import BaseModel

from shopadmin import wiring
from shopadmin.api.auth import require_scope, scoped_website, website_for_write
from shopadmin.api.downloads import csv_download, csv_responses
from shopadmin.api.resolver import NO_CONTENT, error_responses, secured
from shopadmin.logic import customer_accounts as accounts
from shopadmin.logic.csv_export import MAX_ROWS, collect_rows, to_csv
from shopadmin.models.base import Model
from shopadmin.models.customer import (
    Address,
    AddressIn,
    Customer,
    CustomerCreate,
    CustomerFullEdit,
    CustomerPage,
    CustomerProfile,
    CustomerQuickEdit,
    GridSort,
)

router = Router()
TAG = "Customers"
Body = TypeVar("Body", bound=BaseModel)
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:@-]+$")]
AddressId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
IfMatch = Annotated[str | None, Header(alias="if-match", pattern=r'^(W/)?"[0-9]{1,12}"$',
                                          description='The ETag of the read this edit is based on, e.g. "3"')]


class AddressList(Model):
    items: list[Address]


def with_etag(status: int, body: Body, etag: str) -> Response[Body]:
    return Response(status_code=status, content_type="application/json", body=body, headers={"ETag": etag})


@router.get("/customers", summary="Customer grid", tags=[TAG], security=secured("customers:read"),
            description="Search (`q`: prefix of email, first or last name), filter, sort and page; "
                        "served by the grid indexes, never a table scan.",
            responses={200: {"description": "A page of customers"}, **error_responses()})
def get_customers(
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    website_id: Annotated[str | None, Query(max_length=64)] = None,
    group_id: Annotated[int | None, Query(ge=0, le=10_000)] = None,
    sort: Annotated[GridSort, Query()] = "-created_at",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> CustomerPage:
    caller = require_scope(router, "customers:read")
    rows, next_cursor = accounts.list_customers(
        accounts.GridRequest(q, scoped_website(caller, website_id), group_id, sort, limit, cursor),
        wiring.customer_accounts(), cursor_key=wiring.cursor_key())
    return CustomerPage(items=rows, next_cursor=next_cursor)


# The grid's columns first (SPEC 7), then the rest of the account form.
CSV_COLUMNS = ("id", "email", "first_name", "last_name", "website_id", "group_id", "taxvat", "gender", "company",
               "created_at", "prefix", "middle_name", "suffix", "dob")
EXPORT_PAGE = 200  # the grid's largest page: fewest reads per export


@router.get("/exports/customers.csv", summary="Export the customer grid as CSV", tags=[TAG],
            security=secured("customers:read"),
            description=f"Every customer the grid's filters select (same `q`, `website_id`, `group_id` and `sort`), "
                        f"one row each under a header row of field names. UTF-8, RFC 4180 quoting; a cell starting "
                        f"with `=`, `+`, `-` or `@` is prefixed with `'` so spreadsheets don't run it. More than "
                        f"{MAX_ROWS:,} rows: 422, narrow the filter.",
            responses={**csv_responses("customers.csv"), **error_responses()})
def get_customers_csv(
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    website_id: Annotated[str | None, Query(max_length=64)] = None,
    group_id: Annotated[int | None, Query(ge=0, le=10_000)] = None,
    sort: Annotated[GridSort, Query()] = "-created_at",
) -> Response[str]:
    caller = require_scope(router, "customers:read")
    website = scoped_website(caller, website_id)
    store, key = wiring.customer_accounts(), wiring.cursor_key()
    rows = collect_rows(lambda cursor: accounts.list_customers(
        accounts.GridRequest(q, website, group_id, sort, EXPORT_PAGE, cursor), store, cursor_key=key))
    return csv_download("customers.csv", to_csv(CSV_COLUMNS, (row.model_dump(mode="json") for row in rows)))


@router.post("/customers", summary="Create a customer", tags=[TAG], security=secured("customers:write"),
             responses={201: {"description": "The customer, with its ETag"}, **error_responses(400, 409)})
def post_customer(body: CustomerCreate) -> Response[Customer]:
    caller = require_scope(router, "customers:write")
    website_for_write(caller, body.website_id, "body.website_id")
    saved = accounts.create_customer(body, body.addresses, wiring.customer_accounts(), caller.subject, wiring.now())
    return with_etag(201, saved.customer, saved.etag)


@router.get("/customers/<customer_id>", summary="Customer Information page", tags=[TAG],
            security=secured("customers:read"),
            description="Every tab and the left panel in one read; the ETag is the version to edit from.",
            responses={200: {"description": "The profile"}, **error_responses(404)})
def get_customer(customer_id: CustomerId) -> Response[CustomerProfile]:
    require_scope(router, "customers:read")
    config = wiring.online_config().get()
    profile, etag = accounts.customer_profile(customer_id, wiring.customer_accounts(), wiring.presence_store(),
                                              wiring.now(), config.online_minutes_interval)
    return with_etag(200, profile, etag)


@router.patch("/customers/<customer_id>", summary="Quick edit (grid inline edit)", tags=[TAG],
              security=secured("customers:write"),
              description="Only email, website_id, taxvat, gender and group_id; needs If-Match or version.",
              responses={200: {"description": "The customer, with its new ETag"},
                         **error_responses(400, 404, 409, 412, 428)})
def patch_customer(customer_id: CustomerId, body: CustomerQuickEdit, if_match: IfMatch = None) -> Response[Customer]:
    caller = require_scope(router, "customers:write")
    expected = accounts.expected_version(if_match, body.version)
    updates = body.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    if updates.get("website_id") is not None:
        website_for_write(caller, updates["website_id"], "body.website_id")
    saved = accounts.edit_customer(customer_id, updates, None, expected, wiring.customer_accounts(),
                                   caller.subject, wiring.now())
    return with_etag(200, saved.customer, saved.etag)


@router.put("/customers/<customer_id>", summary="Save Customer (full edit)", tags=[TAG],
            security=secured("customers:write"),
            description="The whole account form; `addresses`, when present, replaces the address book. "
                        "Needs If-Match or version; read-only id/created_at/version are ignored.",
            responses={200: {"description": "The customer, with its new ETag"},
                       **error_responses(400, 404, 409, 412, 428)})
def put_customer(customer_id: CustomerId, body: CustomerFullEdit, if_match: IfMatch = None) -> Response[Customer]:
    caller = require_scope(router, "customers:write")
    expected = accounts.expected_version(if_match, body.version)
    # Omitted optional fields become null: a full edit writes the whole form.
    updates = body.model_dump(mode="json", exclude={"addresses", "version", "id", "created_at"})
    if updates.get("website_id") is not None:
        website_for_write(caller, updates["website_id"], "body.website_id")
    saved = accounts.edit_customer(customer_id, updates, body.addresses, expected, wiring.customer_accounts(),
                                   caller.subject, wiring.now())
    return with_etag(200, saved.customer, saved.etag)


@router.get("/customers/<customer_id>/addresses", summary="Address book", tags=[TAG],
            security=secured("customers:read"),
            responses={200: {"description": "Addresses"}, **error_responses(404)})
def get_addresses(customer_id: CustomerId) -> AddressList:
    require_scope(router, "customers:read")
    return AddressList(items=accounts.address_list(customer_id, wiring.customer_accounts()))


@router.post("/customers/<customer_id>/addresses", summary="Add an address", tags=[TAG],
             security=secured("customers:write"),
             responses={201: {"description": "The address"}, **error_responses(400, 404, 409)})
def post_address(customer_id: CustomerId, body: AddressIn) -> Response[Address]:
    caller = require_scope(router, "customers:write")
    if body.id is not None:
        from shopadmin.errors import InvalidRequest

        raise InvalidRequest("The server assigns address ids", [{"field": "body.id", "reason": "not allowed here"}])
    address, customer = accounts.change_address(customer_id, None, body, wiring.customer_accounts(),
                                                caller.subject, wiring.now())
    return with_etag(201, address, accounts.etag(customer.version))


@router.put("/customers/<customer_id>/addresses/<address_id>", summary="Edit an address", tags=[TAG],
            security=secured("customers:write"),
            description="Also sets or clears default_billing / default_shipping.",
            responses={200: {"description": "The address"}, **error_responses(400, 404, 409)})
def put_address(customer_id: CustomerId, address_id: AddressId, body: AddressIn) -> Response[Address]:
    caller = require_scope(router, "customers:write")
    address, customer = accounts.change_address(customer_id, address_id, body, wiring.customer_accounts(),
                                                caller.subject, wiring.now())
    return with_etag(200, address, accounts.etag(customer.version))


@router.delete("/customers/<customer_id>/addresses/<address_id>", summary="Delete an address", tags=[TAG],
               security=secured("customers:write"),
               responses={**NO_CONTENT, **error_responses(404, 409)})
def delete_address(customer_id: CustomerId, address_id: AddressId) -> Response[None]:
    caller = require_scope(router, "customers:write")
    accounts.change_address(customer_id, address_id, None, wiring.customer_accounts(), caller.subject, wiring.now())
    return Response(status_code=204)
