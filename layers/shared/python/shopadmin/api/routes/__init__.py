"""Every API route, one Router per area; the docs function publishes them all."""


def all_routers():
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
