"""Every API route, one Router per area; the docs function publishes them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import Router


def all_routers() -> list[Router]:
    from shopadmin.api.routes import (
        audit,
        customer_commerce,
        customer_credentials,
        customer_deletion,
        customers,
        mass_actions,
        now_online,
        online_config,
        privacy_export,
        storefront,
        websites,
    )

    return [now_online.router, online_config.router, websites.router, storefront.events_router,
            storefront.sessions_router,
            customers.router, audit.router, customer_commerce.router,
            customer_credentials.router, customer_credentials.redeem_router, customer_deletion.router,
            mass_actions.router, privacy_export.router]
