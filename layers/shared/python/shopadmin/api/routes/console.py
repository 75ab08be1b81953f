"""GET /console: the admin console, one HTML page with its CSS and JS inlined (SPEC 4).

The files live next to the console function (`functions/console/static/`): `index.html` links
`console.css` and `console.js`; the script is not one file but the files of `js/` listed in
SCRIPTS (one screen or one shared piece each), joined in that order. The page is assembled once
per cold start, with those two tags replaced by the inline style and ONE inline module script,
so a browser needs one request and there is no build step. The files share the module's scope:
a name declared twice fails the whole script (a module's early error), so each name lives in one
file. The page holds no data: every API call it makes carries the admin's bearer token, so the
route is public (like /docs). A Content-Security-Policy allows exactly the inlined script and
style (by hash) and API calls to the page's own origin: no other script, no external resource,
no framing. Not JSON and not in the OpenAPI document.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

CSS_TAG = '<link rel="stylesheet" href="console.css">'
JS_TAG = '<script type="module" src="console.js"></script>'
SCRIPT_DIR = "js"
# The console's script, in order: shared pieces first, then one file per screen, the start last.
# A file of js/ missing here (or listed here but missing) fails the cold start.
SCRIPTS: tuple[str, ...] = (
    "dom.js",               # DOM helpers: h(), fields, dialogs
    "format.js",            # times, links, group/gender/customer names
    "api.js",               # the API client and how its answers and errors are shown
    "token.js",             # sign-in: the bearer token
    "grid.js",              # sortable headers, pager, read-only tables
    "online.js",            # screen: Now Online
    "config.js",            # screen: Online Customers Options
    "customers.js",         # screen: All Customers (grid, quick edit)
    "customer.js",          # screen: Customer Information (frame, tabs, account form)
    "customer-actions.js",  # Customer Information: the button bar's actions
    "customer-tabs.js",     # Customer Information: left panel and the other tabs
    "router.js",            # hash routes to screens
    "main.js",              # start
)


@dataclass(frozen=True)
class ConsolePage:
    html: str
    content_security_policy: str


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def assemble_script(static_dir: Path) -> str:
    """The files of SCRIPTS joined in order, each after a `// js/<name>` line (one inline module)."""
    folder = static_dir / SCRIPT_DIR
    unlisted = sorted({path.name for path in folder.glob("*.js")} - set(SCRIPTS))
    if unlisted:
        raise ValueError(f"{SCRIPT_DIR}/ holds scripts that SCRIPTS does not list: {', '.join(unlisted)}")
    parts: list[str] = []
    for name in SCRIPTS:
        text = (folder / name).read_text(encoding="utf-8")
        if "</script" in text.lower():
            raise ValueError(f"{SCRIPT_DIR}/{name} must not close its own inline element")
        parts.append(f"// {SCRIPT_DIR}/{name}\n{text}")
    return "\n".join(parts)


def build_page(static_dir: Path) -> ConsolePage:
    """index.html with console.css and the js/ files inlined, and the CSP that allows only them."""
    html = (static_dir / "index.html").read_text(encoding="utf-8")
    css = (static_dir / "console.css").read_text(encoding="utf-8")
    js = assemble_script(static_dir)
    for tag, name in ((CSS_TAG, "console.css"), (JS_TAG, "console.js")):
        if html.count(tag) != 1:
            raise ValueError(f"index.html must link {name} exactly once as {tag!r}")
    if "</style" in css.lower():
        raise ValueError("console.css must not close its own inline element")
    html = html.replace(CSS_TAG, f"<style>{css}</style>").replace(JS_TAG, f'<script type="module">{js}</script>')
    policy = "; ".join([
        "default-src 'none'",
        f"script-src {_sha256(js)}",
        f"style-src {_sha256(css)}",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])
    return ConsolePage(html, policy)


def console_router(static_dir: Path) -> Router:
    """A Router serving the page built from static_dir (built now: a missing file fails the cold start)."""
    page = build_page(static_dir)
    router = Router()
    headers = {
        "Content-Security-Policy": page.content_security_policy,
        # The page may be opened with ?token=...: the script removes it from the address bar, and
        # no Referer, cache or sniffing can carry it (or the page) anywhere else.
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }

    @router.get("/console", include_in_schema=False, compress=True)
    def get_console() -> Response[str]:
        return Response(status_code=200, content_type="text/html; charset=utf-8", body=page.html,
                        headers=dict(headers))

    return router
