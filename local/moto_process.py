"""moto in server mode in its own process: `python -m local.moto_process --port 0`.

Prints `MOTO <endpoint>` once it listens (or `MOTO-ERROR <reason>` and exits 1), then serves until
SIGTERM/SIGINT or until its standard input closes (so it never outlives the stack that started it).

Why a process of its own: in the stack's process, moto's server threads and the handlers' threads
shared one interpreter lock, and a 16-way parallel read (the summary reads every shard at once)
waited on it: one summary took about 0.6 s warm, against about 0.1 s for the same 32 Queries sent
to moto from another process. The local patches of moto's costs are installed here, where moto runs.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from moto.server import ThreadedMotoServer

from local import moto_patches


class _MotoServer(ThreadedMotoServer):
    """ThreadedMotoServer waits forever if its port cannot be bound; this one reports the error."""

    error: BaseException | None = None

    def _server_entry(self) -> None:
        try:
            super()._server_entry()
        except BaseException as error:  # noqa: BLE001 - handed to the main thread
            self.error = error
            self._server_ready_event.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per AWS call otherwise
    moto_patches.install()  # moto's costs and gaps, fixed where moto runs (local/moto_patches.py)
    server = _MotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    if server.error:
        # werkzeug reports a busy port with SystemExit, after printing its own explanation
        print(f"MOTO-ERROR {server.error if isinstance(server.error, OSError) else 'port in use'}", flush=True)
        return 1
    host, port = server.get_host_and_port()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def watch_parent() -> None:
        sys.stdin.read()  # returns when the parent closes our stdin or dies
        stop.set()

    threading.Thread(target=watch_parent, daemon=True).start()
    print(f"MOTO http://{host}:{port}", flush=True)
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
