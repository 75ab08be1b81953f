"""The local stack: `make run` / `python -m local.stack --port 3000 [--moto-port 0] [--no-demo]`.

No Docker, no AWS account. In this order:
1. moto in server mode on 127.0.0.1 (a free port unless --moto-port is given), in a process of
   its own (local/moto_process.py: it no longer shares an interpreter lock with the handlers);
2. the template's tables, queues (with their redrive policy) and bus + rule, created in moto;
3. the functions' environment (template.yaml, Refs resolved to those resources), then the
   handlers' cold starts;
4. the SQS poller that feeds the events queue to the ingest handler (local/poller.py);
5. demo data through the real path (EventBridge -> SQS -> ingest), drained before going on;
6. the scheduled functions (local/scheduler.py: the online sweeper every minute);
7. the API gateway on --port. The port opens only now, so a client that can connect can use
   the whole stack. Then `READY <url>` and a dev token (last line) are printed.
Ctrl-C or SIGTERM stops the gateway, the poller, the schedules and moto, and exits 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3

from local import demo, dev_keys, template, token
from local.gateway import GatewayServer, from_template
from local.lambda_runtime import LambdaRuntime, LocalResources, apply_environment, environment
from local.poller import SqsPoller
from local.scheduler import Scheduler

log = logging.getLogger("local.stack")
ROOT = Path(__file__).resolve().parents[1]
DRAIN_TIMEOUT_SECONDS = 30  # demo events that keep failing reach the DLQ well within this


class MotoProcess:
    """`python -m local.moto_process` (moto in server mode, its own process); `stop()` ends it."""

    def __init__(self, port: int) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "local.moto_process", "--port", str(port)],
                                        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first = (self.process.stdout.readline() if self.process.stdout else "").strip()
        self.endpoint = first.removeprefix("MOTO ") if first.startswith("MOTO ") else ""
        self.error = None if self.endpoint else (first.removeprefix("MOTO-ERROR ") or "moto did not start")
        if self.error:
            self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _session() -> boto3.session.Session:
    # The stack's own clients name moto explicitly (endpoint_url); the handlers get it via AWS_ENDPOINT_URL.
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name=template.LOCAL_REGION)


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s", "%H:%M:%S"))
    local_logger = logging.getLogger("local")
    local_logger.addHandler(handler)
    local_logger.setLevel(logging.INFO)
    local_logger.propagate = False
    # the gateway's werkzeug access log would print every request
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _port_is_free(port: int) -> bool:
    """True unless something listens on the port. SO_REUSEADDR, as the gateway's own server sets
    it, so connections of a stack just stopped (TIME_WAIT) don't make a restart fail for a minute."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def run(port: int, moto_port: int, load_demo: bool, stop: threading.Event) -> int:
    # Checked first so a busy port fails in a second, not after the demo data (the gateway
    # itself binds last, when everything behind it is ready).
    if not _port_is_free(port):
        print(f"port {port} on 127.0.0.1 is in use; choose another with --port (make run PORT=...)",
              file=sys.stderr, flush=True)
        return 1
    cfn = template.translated()
    moto = MotoProcess(moto_port)
    if moto.error:
        print(f"moto cannot listen on 127.0.0.1:{moto_port}: {moto.error}", file=sys.stderr, flush=True)
        return 1
    endpoint = moto.endpoint
    pollers: list[SqsPoller] = []
    gateway = None
    try:
        session = _session()
        sqs = session.client("sqs", endpoint_url=endpoint)
        events = session.client("events", endpoint_url=endpoint)
        dynamodb = session.client("dynamodb", endpoint_url=endpoint)
        resources = LocalResources(tables=template.create_tables(dynamodb, cfn))
        resources.queues = template.create_queues(sqs, cfn)
        resources.buses = template.create_event_routing(events, resources.queues, cfn)
        resources.buckets = template.create_buckets(session.client("s3", endpoint_url=endpoint), cfn)
        resources.secrets = template.create_secrets(session.client("secretsmanager", endpoint_url=endpoint), cfn)

        specs = template.functions(cfn)
        apply_environment(environment(specs, resources, endpoint))  # before any handler import
        runtime = LambdaRuntime(specs, template.shared_layer_paths(cfn))
        for logical_id, error in runtime.warm().items():
            log.warning("%s did not load (its routes answer 500 until it does): %s", logical_id, error)

        sources = template.sqs_event_sources(cfn)
        pollers += [
            SqsPoller.from_template(source, session.client("sqs", endpoint_url=endpoint), resources.queues,
                                    lambda event, fn=source.function: runtime.invoke(fn, event)).start()
            for source in sources
        ]

        from shopadmin import wiring

        log.info("websites registered: %s", ", ".join(demo.register_websites(wiring.websites())))
        bus = next(iter(resources.buses.values()))
        dead_letters = [resources.queues[s.dead_letter_queue] for s in sources if s.dead_letter_queue]
        if load_demo:
            _load_demo(events, bus, pollers, sqs, dead_letters, stop)
        if stop.is_set():
            return 0

        Scheduler(template.schedules(cfn), runtime.invoke, stop).start()
        app = from_template(runtime.invoke, dev_keys.jwks())
        try:
            gateway = GatewayServer(app, port).start()
        except (OSError, SystemExit) as error:  # werkzeug reports a busy port with SystemExit
            print(f"cannot listen on 127.0.0.1:{port}: {error}", file=sys.stderr, flush=True)
            return 1

        lines = [
            "",
            "Shop admin local stack (moto, no AWS account)",
            f"  API:           {gateway.url}",
            f"  online list:   {gateway.url}/online-customers",
            f"  console:       {gateway.url}/console?token=<the dev token below>",
            f"  moto endpoint: {endpoint}",
            f"  event bus:     {bus}",
        ]
        for logical_id, queue in resources.queues.items():
            lines.append(f"  queue {logical_id}: {queue['url']}")
        lines += [
            "  try:          TOKEN=$(make token) && curl -H \"Authorization: Bearer $TOKEN\" "
            f"{gateway.url}/online-customers",
            f"READY {gateway.url}",
            f"Dev token (all scopes, valid {token.DEFAULT_TTL_SECONDS // 3600} h; `make token` mints others):",
            token.mint(),
        ]
        print("\n".join(lines), flush=True)

        while not stop.wait(0.5):
            pass
        return 0
    finally:
        log.info("stopping")
        if gateway:
            gateway.stop()
        for poller in pollers:
            poller.stop()
        moto.stop()


def _load_demo(events_client, bus: str, pollers: list[SqsPoller], sqs, dead_letters: list[dict],
               stop: threading.Event) -> None:
    started = time.monotonic()
    batch = demo.demo_events()
    failed = demo.put_events(events_client, bus, batch)
    drained = all(p.wait_until_drained(DRAIN_TIMEOUT_SECONDS, stop) for p in pollers)
    in_dlq = sum(int(sqs.get_queue_attributes(QueueUrl=q["url"], AttributeNames=["ApproximateNumberOfMessages"])
                     ["Attributes"]["ApproximateNumberOfMessages"]) for q in dead_letters)
    log.info("demo data: %d events sent through EventBridge (%d refused), queue %s in %.1f s, %d in the DLQ",
             len(batch), failed, "drained" if drained else "NOT drained", time.monotonic() - started, in_dlq)
    if in_dlq:
        log.warning("demo events reached the dead-letter queue: is the ingest handler working?")
    # what the mailer integration records in AWS: the shared layer is importable once the runtime is up
    from shopadmin import wiring

    sent = demo.record_newsletters_sent(wiring.customer_commerce())
    log.info("demo data: %d newsletters sent recorded for the demo customers", sent)
    assisted = demo.allow_remote_assistance(wiring.customer_accounts(), wiring.now())
    log.info("demo data: remote shopping assistance allowed for %s (Login as Customer)",
             ", ".join(assisted or demo.ASSISTED_CUSTOMERS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=3000, help="API port on 127.0.0.1 (default 3000)")
    parser.add_argument("--moto-port", type=int, default=0, help="moto port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--no-demo", action="store_true", help="start with empty tables")
    args = parser.parse_args(argv)

    _configure_logging()
    stop = threading.Event()
    # SIGTERM (docker stop, kill, test teardown) and Ctrl-C both mean "stop cleanly".
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return run(args.port, args.moto_port, not args.no_demo, stop)


if __name__ == "__main__":
    sys.exit(main())
