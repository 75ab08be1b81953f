"""moto server's request dispatch, remembered per host instead of worked out on every request (issue 24, item 6).

moto 5.x in server mode picks the service of every request under one process-wide lock
(`moto/moto_server/werkzeug_app.py::DomainDispatcherApplication.get_application`), and to do it
`get_backend_for_host` lists moto's package folder (`backends.list_of_moto_modules`: a
`listdir` and about 200 `isdir` calls) and then tries every service's URL patterns. Profiled
under a 100-event burst on the local stack (py-spy), that work under the lock was the largest
cost of the whole stack: every DynamoDB and SQS call of every handler and of the poller queued
behind it.

`install()` wraps `get_backend_for_host` so the answer for a host is worked out once and then
read from a dict. The answer depends only on the host (moto's folders and URL patterns do not
change while it runs), so moto routes every request exactly as before. This changes the
emulator only, never what the product sends.
"""

from __future__ import annotations

from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_original = DomainDispatcherApplication.get_backend_for_host
_answers: dict[str | None, Any] = {}


def _get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
    if host in _answers:
        return _answers[host]
    backend = _original(self, host)
    if backend is not None:  # a host moto does not know is asked again, as moto would
        _answers[host] = backend
    return backend


def install() -> None:
    """Idempotent: patch moto's server dispatch in this process."""
    DomainDispatcherApplication.get_backend_for_host = _get_backend_for_host  # type: ignore[method-assign]


def uninstall() -> None:
    DomainDispatcherApplication.get_backend_for_host = _original  # type: ignore[method-assign]
    _answers.clear()
