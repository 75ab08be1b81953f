"""Manage Shopping Cart, Create Order, store credit, reward points and newsletter (SPEC 3.3, 4)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from shopadmin import wiring
from shopadmin.api.auth import require_scope, website_for_write
from shopadmin.api.idempotency import IdempotencyKey, respond_once
from shopadmin.api.resolver import NO_CONTENT, error_responses, secured
from shopadmin.logic import customer_commerce as commerce
from shopadmin.models.commerce import (
    CartItemSet,
    NewsletterUpdate,
    OrderCreate,
    OrderPage,
    RewardPointsAdjusted,
    RewardPointsAdjustment,
    StoreCreditAdjusted,
    StoreCreditAdjustment,
)
from shopadmin.models.customer import Cart, NewsletterState, Order

router = Router()
CART, ORDERS, BALANCES, NEWSLETTER = "Shopping Cart", "Orders", "Store Credit and Reward Points", "Newsletter"
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:@-]+$")]
SkuPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
IDEMPOTENT = (" Send an `Idempotency-Key` header to make a retry safe: it returns the first result (same status and "
              "body, with `Idempotent-Replayed: true`) and applies nothing again.")


# ------------------------------------------------------------------ Manage Shopping Cart
@router.get("/customers/<customer_id>/cart", summary="Shopping cart", tags=[CART], security=secured("customers:read"),
            description="The customer's saved cart (the storefront's cart events and these admin routes share it).",
            responses={200: {"description": "The cart"}, **error_responses(404)})
def get_cart(customer_id: CustomerId) -> Cart:
    require_scope(router, "customers:read")
    return commerce.get_cart(customer_id, wiring.customer_commerce())


@router.put("/customers/<customer_id>/cart/items/<sku>", summary="Add or change a cart item", tags=[CART],
            security=secured("customers:write"),
            description="Sets the quantity (1-10000); `name` and `price` are kept when omitted. Atomic per item, "
                        "no precondition. Audited as cart.updated.",
            responses={200: {"description": "The whole cart after the change"}, **error_responses(400, 404, 409)})
def put_cart_item(customer_id: CustomerId, sku: SkuPath, body: CartItemSet) -> Cart:
    caller = require_scope(router, "customers:write")
    return commerce.set_cart_item(customer_id, sku, body, wiring.customer_commerce(), caller.subject, wiring.now())


@router.delete("/customers/<customer_id>/cart/items/<sku>", summary="Remove a cart item", tags=[CART],
               security=secured("customers:write"),
               responses={**NO_CONTENT, **error_responses(404, 409)})
def delete_cart_item(customer_id: CustomerId, sku: SkuPath) -> Response[None]:
    caller = require_scope(router, "customers:write")
    commerce.remove_cart_item(customer_id, sku, wiring.customer_commerce(), caller.subject, wiring.now())
    return Response(status_code=204)


# ------------------------------------------------------------------ Wish List
@router.delete("/customers/<customer_id>/wishlist/items/<sku>", summary="Remove a wish-list item", tags=[CART],
               security=secured("customers:write"),
               description="Removes the product from the customer's wish list. Audited as wishlist.updated.",
               responses={**NO_CONTENT, **error_responses(404, 409)})
def delete_wishlist_item(customer_id: CustomerId, sku: SkuPath) -> Response[None]:
    caller = require_scope(router, "customers:write")
    commerce.remove_wishlist_item(customer_id, sku, wiring.customer_commerce(), caller.subject, wiring.now())
    return Response(status_code=204)


# ------------------------------------------------------------------ orders
@router.get("/customers/<customer_id>/orders", summary="Orders", tags=[ORDERS], security=secured("customers:read"),
            description="The customer's orders, newest first (storefront and admin orders).",
            responses={200: {"description": "A page of orders"}, **error_responses(404)})
def get_orders(
    customer_id: CustomerId,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> OrderPage:
    require_scope(router, "customers:read")
    items, next_cursor = commerce.list_orders(customer_id, limit, cursor, wiring.customer_commerce(),
                                              cursor_key=wiring.cursor_key())
    return OrderPage(items=items, next_cursor=next_cursor)


@router.post("/customers/<customer_id>/orders", summary="Create Order", tags=[ORDERS],
             security=secured("customers:write"),
             description="Body `{\"items\": [{sku, qty, name?, price}]}` or `{\"from_cart\": true}` (exactly one). "
                         "From the cart, the order and the emptied cart are one transaction; every line needs a "
                         "price. `placed_by` is \"admin <your JWT subject>\"." + IDEMPOTENT,
             responses={201: {"description": "The order"}, **error_responses(400, 404, 409)})
def post_order(customer_id: CustomerId, body: OrderCreate, idempotency_key: IdempotencyKey = None) -> Response[Order]:
    caller = require_scope(router, "customers:write")
    return respond_once(router, idempotency_key, route="POST /customers/{customer_id}/orders",
                        customer_id=customer_id, subject=caller.subject, body=body,
                        action=lambda: (201, commerce.create_order(customer_id, body, wiring.customer_commerce(),
                                                                   caller.subject, wiring.now())))


# ------------------------------------------------------------------ store credit and reward points
@router.post("/customers/<customer_id>/store-credit/adjustments", summary="Adjust store credit", tags=[BALANCES],
             security=secured("customers:write"),
             description="`amount` is signed (\"-5.00\" takes credit away). The balance never goes below zero (422) "
                         "and concurrent adjustments all apply." + IDEMPOTENT,
             responses={201: {"description": "The new balance and the ledger entry"},
                        **error_responses(400, 404, 409, 503)})
def post_store_credit(customer_id: CustomerId, body: StoreCreditAdjustment,
                      idempotency_key: IdempotencyKey = None) -> Response[StoreCreditAdjusted]:
    caller = require_scope(router, "customers:write")

    def adjust() -> tuple[int, StoreCreditAdjusted]:
        balance, entry = commerce.adjust_store_credit(customer_id, body.amount, body.reason, wiring.customer_commerce(),
                                                      caller.subject, wiring.now())
        return 201, StoreCreditAdjusted(balance=balance, entry=entry)

    return respond_once(router, idempotency_key, route="POST /customers/{customer_id}/store-credit/adjustments",
                        customer_id=customer_id, subject=caller.subject, body=body, action=adjust)


@router.post("/customers/<customer_id>/reward-points/adjustments", summary="Adjust reward points", tags=[BALANCES],
             security=secured("customers:write"),
             description="`points` is a signed integer. The balance never goes below zero (422) and concurrent "
                         "adjustments all apply." + IDEMPOTENT,
             responses={201: {"description": "The new balance and the ledger entry"},
                        **error_responses(400, 404, 409, 503)})
def post_reward_points(customer_id: CustomerId, body: RewardPointsAdjustment,
                       idempotency_key: IdempotencyKey = None) -> Response[RewardPointsAdjusted]:
    caller = require_scope(router, "customers:write")

    def adjust() -> tuple[int, RewardPointsAdjusted]:
        balance, entry = commerce.adjust_reward_points(customer_id, body.points, body.reason,
                                                       wiring.customer_commerce(), caller.subject, wiring.now())
        return 201, RewardPointsAdjusted(balance=balance, entry=entry)

    return respond_once(router, idempotency_key, route="POST /customers/{customer_id}/reward-points/adjustments",
                        customer_id=customer_id, subject=caller.subject, body=body, action=adjust)


# ------------------------------------------------------------------ newsletter
@router.put("/customers/<customer_id>/newsletter", summary="Subscribe or unsubscribe", tags=[NEWSLETTER],
            security=secured("customers:write"),
            description="Sets the subscription for one website. Audited as newsletter.updated.",
            responses={200: {"description": "Subscriptions per website and the newsletters sent"},
                       **error_responses(400, 404, 409)})
def put_newsletter(customer_id: CustomerId, body: NewsletterUpdate) -> NewsletterState:
    caller = require_scope(router, "customers:write")
    website_for_write(caller, body.website_id, "body.website_id")
    return commerce.set_newsletter(customer_id, body, wiring.customer_commerce(), caller.subject, wiring.now())
