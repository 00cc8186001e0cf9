"""The load client of the throughput benchmark (bench/throughput.py runs it as a second process, one run per page).

    .venv/bin/python -m bench.load --url http://127.0.0.1:8000/me/ --cookie sessionid=... --requests 200

Sends a fixed number of GET requests from a number of concurrent clients (threads, each with its own HTTP/1.1
connection kept open while the server allows it; gunicorn's sync workers close it after each answer, and the client
reconnects), after a few warm-up requests that are not timed. Stops issuing requests at the time limit. Prints one
JSON object on stdout: requests answered, wall time, requests per second, p50/p95/max latency in milliseconds, the
count of each status code and of failed connections, whether the time limit cut the run short, and every timed
request's latency.

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
    failures: Counter[str] = field(default_factory=Counter)  # exception name -> count
    lock: threading.Lock = field(default_factory=threading.Lock)


def run(
    url: str, *, headers: dict[str, str], requests: int, concurrency: int, warmup: int, time_limit: float
) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"{url}: only plain http is supported")
    host, port = parts.hostname, parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    tally = Tally()
    issued = 0
    issue_lock = threading.Lock()
    deadline = 0.0
    timed_out = False
    started = threading.Event()
    start_barrier = threading.Barrier(concurrency + 1)

    def take() -> bool:
        nonlocal issued, timed_out
        with issue_lock:
            if issued >= requests:
                return False
            if time.perf_counter() > deadline:
                timed_out = True
                return False
            issued += 1
            return True

    def one(conn: http.client.HTTPConnection, timed: bool) -> http.client.HTTPConnection:
        began = time.perf_counter()
        try:
            conn.request("GET", target, headers=headers)
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
            if timed:
                tally.latencies.append(elapsed)
        return conn

    def client(warmups: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=time_limit)
        try:
            for _ in range(warmups):
                conn = one(conn, timed=False)
            start_barrier.wait()
            started.wait()
            while take():
                conn = one(conn, timed=True)
        finally:
            conn.close()

    per_client = [warmup // concurrency + (1 if n < warmup % concurrency else 0) for n in range(concurrency)]
    threads = [threading.Thread(target=client, args=(w,), daemon=True) for w in per_client]
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
        "failures": dict(tally.failures),
        "timed_out": timed_out,
        "latencies_ms": [round(seconds * 1000, 3) for seconds in latencies],
    }


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(1, math.ceil(len(ordered) * fraction)) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--cookie", default="", help="the Cookie header, e.g. sessionid=...")
    parser.add_argument("--accept", default="text/html")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=16, help="untimed requests first, shared by the clients")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds; no new request after it")
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1 or args.warmup < 0 or args.time_limit <= 0:
        parser.error("--requests and --concurrency must be at least 1, --warmup 0 or more, --time-limit positive")
    headers = {"Accept": args.accept, "User-Agent": "young-scrutineers-bench"}
    if args.cookie:
        headers["Cookie"] = args.cookie
    result = run(
        args.url,
        headers=headers,
        requests=args.requests,
        concurrency=args.concurrency,
        warmup=args.warmup,
        time_limit=args.time_limit,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
