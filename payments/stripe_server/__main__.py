"""The command line: `python -m payments.stripe_server --port 12111 [--webhook-url URL --webhook-secret whsec_...]
[--api-key sk_test_...]`. Logs one line per request to stderr; stops on Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
from types import FrameType

from .server import LOOPBACK_NAMES, StripeTestServer
from .state import DEFAULT_PLATFORM_BALANCE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m payments.stripe_server",
        description="Local Stripe test server (127.0.0.1 only). See docs/stripe-test-server.md.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1 or localhost; nothing else is allowed")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--api-key", help="the only secret key accepted (default: any sk_test_... key)")
    parser.add_argument("--webhook-url", help="where to POST events (e.g. the Django webhook endpoint)")
    parser.add_argument("--webhook-secret", help="the signing secret (whsec_...) for --webhook-url")
    parser.add_argument(
        "--platform-balance",
        type=int,
        default=DEFAULT_PLATFORM_BALANCE,
        help="the platform's starting GBP balance in pence (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.host not in LOOPBACK_NAMES:
        parser.error(f"refusing to bind {args.host!r}: the test server listens on 127.0.0.1 (or localhost) only")
    if args.webhook_url and not args.webhook_secret:
        parser.error("--webhook-url needs --webhook-secret")
    if args.api_key and not args.api_key.startswith("sk_test_"):
        parser.error("--api-key must be a test key (sk_test_...)")

    logging.basicConfig(level=logging.INFO, format="%(asctime)s stripe-test-server %(message)s", stream=sys.stderr)
    try:
        server = StripeTestServer(
            host=args.host,
            port=args.port,
            api_key=args.api_key,
            webhook_url=args.webhook_url,
            webhook_secret=args.webhook_secret,
            platform_balance=args.platform_balance,
        ).bind()
    except OSError as error:
        parser.exit(1, f"Cannot listen on {args.host}:{args.port}: {error}\n")

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    logging.getLogger("payments.stripe_server").info(
        "listening on %s (webhooks: %s)", server.url, args.webhook_url or "not delivered"
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
