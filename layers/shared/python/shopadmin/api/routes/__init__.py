"""Every API route, one Router per area; the docs function publishes them all."""


def all_routers():
    from shopadmin.api.routes import audit, customers, now_online, online_config, storefront

    return [now_online.router, online_config.router, storefront.events_router, storefront.sessions_router,
            customers.router, audit.router]
