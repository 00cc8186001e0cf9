"""The load client of the throughput benchmark (bench/throughput.py runs it as a second process, one run per page)
and of the mixed-role load run (bench/roles_load.py runs one per role, at the same time).

    .venv/bin/python -m bench.load --url http://127.0.0.1:8000/me/ --cookie sessionid=... --requests 200
    .venv/bin/python -m bench.load --url http://127.0.0.1:8000/me/ --url http://127.0.0.1:8000/api/v1/claims/ \
        --accept text/html --accept application/json --cookie sessionid=... --requests 2000 --time-limit 60

Sends a fixed number of GET requests from a number of concurrent clients (threads, each with its own HTTP/1.1
connection kept open while the server allows it; gunicorn's sync workers close it after each answer, and the client
reconnects), after a few warm-up requests that are not timed. Stops issuing requests at the time limit. With several
`--url`s (on one host) the requests go round them in turn, each with its own `--accept` (one `--accept` for all, or
one per `--url`). Prints one JSON object on stdout: requests answered, wall time, requests per second, p50/p95/max
latency in milliseconds, the count of each status code (and, per URL, `by_url`) and of failed connections, whether
the time limit cut the run short, and every timed request's latency.

Standard library only, and no Django: the client must cost as little as possible on a 2-core machine it shares with
the server and the database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, timed requests only
    statuses: Counter[int] = field(default_factory=Counter)  # every request, warm-up included
    by_url: dict[str, Counter[int]] = field(default_factory=dict)  # the same, per URL
    failures: Counter[str] = field(default_factory=Counter)  # exception name -> count
    lock: threading.Lock = field(default_factory=threading.Lock)


def run(
    url: str | list[str],
    *,
    headers: dict[str, str],
    requests: int,
    concurrency: int,
    warmup: int,
    time_limit: float,
    accepts: list[str] | None = None,
) -> dict[str, Any]:
    """Load one URL, or several in turn (all on one host). `accepts`: the Accept header of each URL, in order
    (otherwise `headers` says it for all)."""
    urls = [url] if isinstance(url, str) else list(url)
    if not urls:
        raise ValueError("no URL to load")
    if accepts is not None and len(accepts) != len(urls):
        raise ValueError("give one Accept header per URL")
    origins = set()
    targets: list[tuple[str, dict[str, str]]] = []
    for n, one_url in enumerate(urls):
        parts = urlsplit(one_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"{one_url}: only plain http is supported")
        origins.add((parts.hostname, parts.port or 80))
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        targets.append((path, headers if accepts is None else {**headers, "Accept": accepts[n]}))
    if len(origins) != 1:
        raise ValueError("every URL must be on the same host and port")
    ((host, port),) = origins
    tally = Tally(by_url={one_url: Counter() for one_url in urls})
    issued = 0
    issue_lock = threading.Lock()
    deadline = 0.0
    timed_out = False
    started = threading.Event()
    start_barrier = threading.Barrier(concurrency + 1)

    def take() -> int | None:
        """The number of the next timed request (which URL it goes to), or None when the run is over."""
        nonlocal issued, timed_out
        with issue_lock:
            if issued >= requests:
                return None
            if time.perf_counter() > deadline:
                timed_out = True
                return None
            issued += 1
            return issued - 1

    def one(conn: http.client.HTTPConnection, n: int, timed: bool) -> http.client.HTTPConnection:
        target, target_headers = targets[n % len(targets)]
        began = time.perf_counter()
        try:
            conn.request("GET", target, headers=target_headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            with tally.lock:
                tally.failures[type(exc).__name__] += 1
            return http.client.HTTPConnection(host, port, timeout=time_limit)
        elapsed = time.perf_counter() - began
        with tally.lock:
            tally.statuses[status] += 1
            tally.by_url[urls[n % len(urls)]][status] += 1
            if timed:
                tally.latencies.append(elapsed)
        return conn

    def client(first: int, warmups: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=time_limit)
        try:
            for warm in range(first, first + warmups):
                conn = one(conn, warm, timed=False)
            start_barrier.wait()
            started.wait()
            while (n := take()) is not None:
                conn = one(conn, n, timed=True)
        finally:
            conn.close()

    per_client = [warmup // concurrency + (1 if n < warmup % concurrency else 0) for n in range(concurrency)]
    firsts = [sum(per_client[:n]) for n in range(concurrency)]  # the warm-ups go round the URLs too
    threads = [
        threading.Thread(target=client, args=(first, w), daemon=True)
        for first, w in zip(firsts, per_client, strict=True)
    ]
    for thread in threads:
        thread.start()
    start_barrier.wait()  # every client has warmed up and holds a connection
    began = time.perf_counter()
    deadline = began + time_limit
    started.set()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began

    latencies = sorted(tally.latencies)
    answered = len(latencies)
    return {
        "url": url,
        "requests": requests,
        "answered": answered,
        "concurrency": concurrency,
        "seconds": wall,
        "rps": answered / wall if wall > 0 else 0.0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p95_ms": percentile(latencies, 0.95) * 1000 if latencies else None,
        "max_ms": latencies[-1] * 1000 if latencies else None,
        "statuses": {str(code): count for code, count in sorted(tally.statuses.items())},
        "by_url": {
            one_url: {str(code): count for code, count in sorted(counts.items())}
            for one_url, counts in tally.by_url.items()
        },
        "failures": dict(tally.failures),
        "timed_out": timed_out,
        "latencies_ms": [round(seconds * 1000, 3) for seconds in latencies],
    }


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(1, math.ceil(len(ordered) * fraction)) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, action="append", help="repeat it to go round several URLs")
    parser.add_argument("--cookie", default="", help="the Cookie header, e.g. sessionid=...")
    parser.add_argument(
        "--accept", action="append", help="the Accept header (default text/html): once for all, or once per --url"
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=16, help="untimed requests first, shared by the clients")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds; no new request after it")
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1 or args.warmup < 0 or args.time_limit <= 0:
        parser.error("--requests and --concurrency must be at least 1, --warmup 0 or more, --time-limit positive")
    accepts = args.accept or ["text/html"]
    if len(accepts) not in (1, len(args.url)):
        parser.error("give --accept once (for every --url) or once per --url")
    headers = {"Accept": accepts[0], "User-Agent": "young-scrutineers-bench"}
    if args.cookie:
        headers["Cookie"] = args.cookie
    result = run(
        args.url if len(args.url) > 1 else args.url[0],
        accepts=accepts if len(accepts) > 1 else None,
        headers=headers,
        requests=args.requests,
        concurrency=args.concurrency,
        warmup=args.warmup,
        time_limit=args.time_limit,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
