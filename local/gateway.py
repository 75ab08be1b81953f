"""A local stand-in for the HTTP API: template.yaml's routes, JWT authorizer, throttling and CORS.

The request path is the one API Gateway (HTTP API) follows, in the same order:
  CORS preflight -> route match (404) -> stage throttling (429) -> payload size (413)
  -> JWT authorizer (401 / 403) -> Lambda proxy integration, payload format 2.0 -> response
Every answer API Gateway produces itself keeps its `{"message": ...}` body. The event given
to the handler has the payload v2.0 shape, and the handler's result is read back the way
API Gateway reads it (including the "plain JSON without statusCode -> 200" inference).

Logs (stderr) carry method, route, status and time only: no query strings, headers or
bodies, which may hold personal data.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

import jwt
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from local import template
from local.lambda_runtime import ACCOUNT_ID

log = logging.getLogger("local.gateway")

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # HTTP API request payload quota
API_ID = "local"
# RSA only, as the HTTP API JWT authorizer documents.
JWT_ALGORITHMS = ["RS256", "RS384", "RS512"]
# Content types API Gateway passes as text; any other body is base64-encoded in the event.
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
               "application/x-www-form-urlencoded", "+json", "+xml")

Invoke = Callable[[str, dict], Any]  # (function logical id, event) -> handler result


def _message(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(json.dumps({"message": message}), status=status, headers=headers,
                    content_type="application/json")


# ---------------------------------------------------------------- JWT authorizer
class Unauthorized(Exception):
    """401: no token, or a token that fails any check; the reason goes to the log only."""


@dataclass
class JwtAuthorizer:
    issuer: str
    audiences: list[str]
    jwks: dict  # the issuer's key set, as fetched from its jwks_uri

    def __post_init__(self):
        self._keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(self.jwks).keys}

    def claims(self, authorization: str | None) -> dict:
        """Validate the token exactly as the HTTP API JWT authorizer documents, or raise Unauthorized."""
        if not authorization:
            raise Unauthorized("no token")
        token = authorization.strip()
        if token[:7].lower() == "bearer ":  # the identity source may be the token or "Bearer <token>"
            token = token[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthorized(f"undecodable token ({error})") from None
        key = self._keys.get(header.get("kid"))
        if key is None:
            raise Unauthorized("no key in the JWKS matches the token's kid")
        try:
            claims = jwt.decode(
                token, key.key, algorithms=JWT_ALGORITHMS, issuer=self.issuer,
                options={"require": ["exp", "iss"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise Unauthorized(f"invalid token ({type(error).__name__}: {error})") from None
        # aud must match one configured audience; client_id is checked only when aud is absent.
        audience = claims.get("aud", claims.get("client_id"))
        audience = audience if isinstance(audience, list) else [audience]
        if not set(audience) & set(self.audiences):
            raise Unauthorized("audience not accepted")
        return claims


def token_scopes(claims: dict) -> list[str]:
    """Scopes from the `scope` (space separated) or `scp` (string or list) claim."""
    scopes: list[str] = []
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            scopes += value.split()
        elif isinstance(value, list):
            scopes += [str(v) for v in value]
    return scopes


def _claim_as_string(value: Any) -> str:
    # API Gateway hands every claim to the integration as a string; lists look like "[a b]".
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(_claim_as_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def authorizers_from_template(jwks: dict) -> dict[str, JwtAuthorizer]:
    parameters = template.parameter_defaults()
    found = {}
    for name, config in template.jwt_authorizers().items():
        issuer = template.resolve(config["issuer"], {}, parameters)
        audience = template.resolve(config["audience"], {}, parameters)
        audiences = audience.split(",") if isinstance(audience, str) else list(audience)
        found[name] = JwtAuthorizer(issuer, [a.strip() for a in audiences], jwks)
    return found


# ---------------------------------------------------------------- throttling
class TokenBucket:
    """Stage throttling: `rate` requests per second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self._clock = float(rate), int(burst), clock
        self._tokens, self._updated = float(burst), clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


# ---------------------------------------------------------------- the gateway
class Gateway:
    """WSGI app. `invoke` runs a function; everything else comes from the template."""

    def __init__(self, routes: Iterable[template.Route], invoke: Invoke,
                 authorizers: dict[str, JwtAuthorizer], throttling: dict | None = None,
                 cors: dict | None = None, clock: Callable[[], float] = time.monotonic,
                 route_throttling: dict[str, dict] | None = None):
        # Most specific first, as HTTP API picks routes: literal segments before {params},
        # {params} before {greedy+}, a method before ANY.
        def specificity(route: template.Route):
            segments = route.path.strip("/").split("/")
            literal = sum(1 for s in segments if not s.startswith("{"))
            greedy = any(s.endswith("+}") for s in segments)
            return (greedy, -literal, -len(segments), route.method == "ANY")

        self.routes = sorted(routes, key=specificity)
        self.invoke = invoke
        self.authorizers = authorizers
        self.cors = cors
        throttling = throttling or {}
        # HTTP API throttles each route separately: its RouteSettings, else the stage's defaults.
        self._buckets = {}
        for route in self.routes:
            settings = {**throttling, **(route_throttling or {}).get(route.key, {})}
            rate, burst = settings.get("ThrottlingRateLimit"), settings.get("ThrottlingBurstLimit")
            if rate is not None and burst is not None:
                self._buckets[route.key] = TokenBucket(rate, burst, clock)

    # ------------------------------------------------------------ WSGI entry
    def __call__(self, environ: dict, start_response):
        request = Request(environ)
        started = time.monotonic()
        response, route_key = self.handle(request)
        self._add_cors(request, response)
        response.headers["apigw-requestid"] = environ["local.request_id"]
        log.info("%s -> %s (%.0f ms)", route_key or f"{request.method} (no route)",
                 response.status_code, (time.monotonic() - started) * 1000)
        return response(environ, start_response)

    def handle(self, request: Request) -> tuple[Response, str | None]:
        request.environ["local.request_id"] = base64.b64encode(secrets.token_bytes(12)).decode()[:16]
        if self._is_preflight(request):
            return self._preflight(request), "OPTIONS (CORS preflight)"
        raw_path = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        raw_path = raw_path.split("?", 1)[0]
        route, path_parameters = self._match(request.method, raw_path)
        if route is None:
            return _message(404, "Not Found"), None
        bucket = self._buckets.get(route.key)
        if bucket is not None and not bucket.take():
            return _message(429, "Too Many Requests"), route.key
        if (request.content_length or 0) > MAX_PAYLOAD_BYTES:
            return _message(413, "Request Entity Too Large"), route.key
        body = request.stream.read(MAX_PAYLOAD_BYTES + 1)
        if len(body) > MAX_PAYLOAD_BYTES:
            return _message(413, "Request Entity Too Large"), route.key

        claims = None
        if route.authorizer is not None:
            try:
                claims = self.authorizers[route.authorizer].claims(request.headers.get("Authorization"))
            except Unauthorized as refusal:
                log.info("401 on %s: %s", route.key, refusal)
                return _message(401, "Unauthorized"), route.key
            # The token needs at least ONE of the route's scopes (none configured: any valid token).
            if route.scopes and not set(route.scopes) & set(token_scopes(claims)):
                log.info("403 on %s: token lacks all of %s", route.key, " ".join(route.scopes))
                return _message(403, "Forbidden"), route.key

        event = self.event(request, route, raw_path, path_parameters, body, claims)
        try:
            result = self.invoke(route.function, event)
            return self.response(result), route.key
        except Exception:
            # API Gateway shows the caller nothing of a Lambda failure; the developer sees the traceback.
            print(f"[gateway] {route.function} failed on {route.key}:\n{traceback.format_exc()}",
                  file=sys.stderr, flush=True)
            return _message(500, "Internal Server Error"), route.key

    def _match(self, method: str, raw_path: str) -> tuple[template.Route | None, dict[str, str]]:
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            match = route.path_regex.match(raw_path)
            if match:
                return route, {k: unquote(v) for k, v in match.groupdict().items()}
        return None, {}

    # ------------------------------------------------------------ payload format 2.0
    def event(self, request: Request, route: template.Route, raw_path: str, path_parameters: dict,
              body: bytes, claims: dict | None) -> dict:
        environ = request.environ
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for name, value in request.headers.items():
            name = name.lower()
            if name == "cookie":  # cookies get their own field in v2, one entry per "; "-separated pair
                cookies.extend(c.strip() for c in value.split(";") if c.strip())
                continue
            # Duplicates are comma-joined (the WSGI server already joins most of them).
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        source_ip = request.remote_addr or "127.0.0.1"
        headers.setdefault("x-forwarded-for", source_ip)
        headers.setdefault("x-forwarded-proto", request.scheme)
        headers.setdefault("x-forwarded-port", str(environ.get("SERVER_PORT", "")))
        headers.setdefault("x-amzn-trace-id", f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}")

        raw_query = environ.get("QUERY_STRING", "")
        now = datetime.now(UTC)
        host = headers.get("host", "127.0.0.1")
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route.key,
            # HTTP API hands the path over percent-decoded (rawPath and http.path alike); the
            # query string stays encoded in rawQueryString and decoded in queryStringParameters.
            "rawPath": unquote(raw_path),
            "rawQueryString": raw_query,
            "headers": headers,
            "requestContext": {
                "accountId": ACCOUNT_ID,
                "apiId": API_ID,
                "domainName": host,
                "domainPrefix": host.split(".", 1)[0],
                "http": {
                    "method": request.method,
                    "path": unquote(raw_path),
                    "protocol": environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                    "sourceIp": source_ip,
                    "userAgent": headers.get("user-agent", ""),
                },
                "requestId": environ["local.request_id"],
                "routeKey": route.key,
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
            },
            "isBase64Encoded": False,
        }
        if cookies:
            # never split on commas: a cookie value may hold one (API Gateway splits on ";" only)
            event["cookies"] = cookies
        if raw_query:
            query: dict[str, str] = {}
            for name, value in parse_qsl(raw_query, keep_blank_values=True):
                query[name] = f"{query[name]},{value}" if name in query else value
            event["queryStringParameters"] = query
        if path_parameters:
            event["pathParameters"] = path_parameters
        if claims is not None:
            scopes = token_scopes(claims)
            event["requestContext"]["authorizer"] = {"jwt": {
                "claims": {name: _claim_as_string(value) for name, value in claims.items()},
                "scopes": scopes or None,
            }}
        if body:
            if self._is_text(headers.get("content-type", ""), body):
                event["body"] = body.decode("utf-8")
            else:
                event["body"] = base64.b64encode(body).decode()
                event["isBase64Encoded"] = True
        return event

    @staticmethod
    def _is_text(content_type: str, body: bytes) -> bool:
        content_type = content_type.split(";", 1)[0].strip().lower()
        if content_type and not any(t in content_type for t in _TEXT_TYPES):
            return False
        try:
            body.decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False

    @staticmethod
    def response(result: Any) -> Response:
        """Read a handler's result as HTTP API does for payload format 2.0."""
        if not (isinstance(result, dict) and "statusCode" in result):
            # Valid JSON without statusCode: 200, application/json, body = the result
            # (a string result is the body as is).
            body = result if isinstance(result, str) else json.dumps(result)
            return Response(body, status=200, content_type="application/json")
        status = int(result["statusCode"])  # a malformed statusCode is a 500, like AWS
        body = result.get("body") or ""
        if not isinstance(body, str):
            raise TypeError("the body of a Lambda proxy response must be a string")
        payload = base64.b64decode(body, validate=True) if result.get("isBase64Encoded") else body.encode()
        response = Response(payload, status=status)
        response.headers.remove("Content-Type")  # only what the handler set, as API Gateway does
        for name, value in (result.get("headers") or {}).items():
            response.headers[name] = str(value)
        # payload 2.0 has no multiValueHeaders: API Gateway ignores them (join values in `headers`)
        for cookie in result.get("cookies") or []:
            response.headers.add("Set-Cookie", cookie)
        return response

    # ------------------------------------------------------------ CORS
    def _is_preflight(self, request: Request) -> bool:
        return (self.cors is not None and request.method == "OPTIONS"
                and "Origin" in request.headers and "Access-Control-Request-Method" in request.headers)

    def _allowed_origin(self, origin: str | None) -> str | None:
        if not origin or not self.cors:
            return None
        allowed = self.cors.get("allowOrigins", [])
        if "*" in allowed:
            return "*"
        return origin if origin in allowed else None

    def _preflight(self, request: Request) -> Response:
        # HTTP API answers preflight requests itself, with or without an OPTIONS route.
        response = Response(status=204)
        origin = self._allowed_origin(request.headers.get("Origin"))
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = ",".join(self.cors.get("allowMethods", []))
            response.headers["Access-Control-Allow-Headers"] = ",".join(self.cors.get("allowHeaders", []))
            if self.cors.get("maxAge") is not None:
                response.headers["Access-Control-Max-Age"] = str(self.cors["maxAge"])
        return response

    def _add_cors(self, request: Request, response: Response) -> None:
        origin = self._allowed_origin(request.headers.get("Origin"))
        if origin and request.method != "OPTIONS":
            response.headers["Access-Control-Allow-Origin"] = origin
            if self.cors.get("exposeHeaders"):
                response.headers["Access-Control-Expose-Headers"] = ",".join(self.cors["exposeHeaders"])
            if self.cors.get("allowCredentials"):
                response.headers["Access-Control-Allow-Credentials"] = "true"


def from_template(invoke: Invoke, jwks: dict) -> Gateway:
    cfn = template.translated()
    return Gateway(template.routes(cfn), invoke, authorizers_from_template(jwks),
                   template.stage_settings(cfn), template.cors_configuration(cfn),
                   route_throttling=template.route_settings(cfn))


# ---------------------------------------------------------------- server
class _QuietHandler(WSGIRequestHandler):
    """werkzeug's access log prints query strings; the gateway logs its own lines instead."""

    def log_request(self, *args, **kwargs) -> None:
        pass


class GatewayServer:
    """A threaded werkzeug server bound to loopback only, run in a background thread."""

    def __init__(self, app: Gateway, port: int, host: str = "127.0.0.1"):
        self.server: BaseWSGIServer = make_server(host, port, app, threaded=True,
                                                  request_handler=_QuietHandler)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True)

    def start(self) -> GatewayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
