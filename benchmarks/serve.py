"""Load-test the HTTP API: a fixed number of forecast requests at a fixed concurrency.

A real server — :func:`salescore.server.create_app` behind its body-size guard, run by
uvicorn in a subprocess on a free port of 127.0.0.1, as ``salescore serve`` runs it — is
sent ``--requests`` (default 2,000) ``POST /v1/forecast`` requests of one synthetic book
(default 200 deals: lognormal values, probabilities in [0.05, 0.95], one currency, a
quota and the revenue already closed), ``--concurrency`` (default 16) at a time, by one
``httpx.AsyncClient`` over that many keep-alive connections. Each request is timed from
its sending until its whole body is read; the script prints the requests per second
(all the requests ÷ the wall time of the run) and the p50, p90, p99 and largest latency.
``--concurrency`` warm-up requests open the connections first; they are checked, not
timed.

Every response must be 200 with the figures the library gives for the same book in this
process — ``book_distribution`` and its P10, P50 and P90, ``probability_at_least(quota -
closed)``, ``weighted_forecast`` and ``pipeline_coverage`` — each to 1e-12 relative, and
the count of deals, the currency and the method exactly. The script exits with an error
if any request failed (a transport error or a status other than 200) or any answer
differs.

The bare reference is that library computation in this process, without HTTP: from the
parsed book to the figures, ``--requests`` times in turn. The HTTP overhead ratio is the
p50 latency ÷ its time per call. Above a concurrency of 1 a request also waits for the
ones the server is working on, so the ratio grows with the concurrency;
``--concurrency 1`` gives the cost of one call alone. The script also prints the wall
time per request (1 ÷ requests per second) ÷ the same call: what serving costs on top of
the calculation at that load.

    python benchmarks/serve.py
    python benchmarks/serve.py --requests 200 --concurrency 4
    python benchmarks/serve.py --deals 1000 --concurrency 1

It needs the ``server`` extra and httpx. The server runs in its own process so that the
client does not share its interpreter lock; on a machine of two cores the client and the
server each have one. The ratios are the figures to compare across machines; the
absolute times are not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import platform
import socket
import subprocess
import sys
import time
from importlib import metadata
from typing import Any

import httpx
import numpy as np
import pandas as pd

import salescore
from salescore.pipeline import book_distribution, pipeline_coverage, weighted_forecast

CURRENCY = "EUR"
PATH = "/v1/forecast"
QUANTILES = np.array([0.1, 0.5, 0.9])
RELATIVE = 1e-12

# The server as `salescore serve` runs it (its access log off: log level warning), on
# the port given as its argument.
SERVER = """
import sys

from salescore.server import serve

serve("127.0.0.1", int(sys.argv[1]), log_level="warning")
"""


def make_book(deals: int, seed: int) -> dict[str, Any]:
    """A request body: ``deals`` open deals in one currency, a quota and closed revenue.

    Values are lognormal (median about 22,000, to the cent), probabilities uniform in
    [0.05, 0.95] to two decimals. The quota is 1.1 × the weighted forecast and a fifth
    of it is already closed, so that reaching it is neither sure nor hopeless.
    """
    rng = np.random.default_rng(seed)
    values = np.round(rng.lognormal(mean=10.0, sigma=1.0, size=deals), 2)
    chances = np.round(rng.uniform(0.05, 0.95, size=deals), 2)
    width = max(3, len(str(deals - 1)))
    quota = float(round(1.1 * float(np.dot(values, chances))))
    return {
        "currency": CURRENCY,
        "quota": quota,
        "closed": float(round(0.2 * quota)),
        "deals": [
            {
                "deal_id": f"D{i:0{width}d}",
                "value": float(value),
                "probability": float(chance),
                "currency": CURRENCY,
            }
            for i, (value, chance) in enumerate(zip(values, chances, strict=True))
        ],
    }


def library_forecast(book: dict[str, Any]) -> dict[str, Any]:
    """What ``POST /v1/forecast`` should answer for ``book``, from the library directly."""
    deals = book["deals"]
    frame = pd.DataFrame(
        {
            "deal_id": pd.Series([deal["deal_id"] for deal in deals], dtype=object),
            "value": np.array([deal["value"] for deal in deals], dtype=np.float64),
            "probability": np.array([deal["probability"] for deal in deals], dtype=np.float64),
        }
    )
    quota, closed = float(book["quota"]), float(book["closed"])
    distribution = book_distribution(frame)
    p10, p50, p90 = (float(q) for q in distribution.quantile(QUANTILES))
    pipeline = math.fsum(frame["value"])
    return {
        "currency": book["currency"],
        "deals": len(frame),
        "excluded": 0,
        "pipeline": pipeline,
        "weighted_forecast": float(weighted_forecast(frame["value"], frame["probability"])),
        "p10": p10,
        "p50": p50,
        "p90": p90,
        "quota": quota,
        "probability_reach_quota": float(distribution.probability_at_least(quota - closed)),
        "coverage": float(pipeline_coverage(pipeline, quota, closed=closed)),
        "method": distribution.method,
    }


def same_answer(got: Any, want: dict[str, Any]) -> bool:
    """The same keys; numbers to ``RELATIVE``, everything else exactly."""
    if not isinstance(got, dict) or got.keys() != want.keys():
        return False
    for key, expected in want.items():
        value = got[key]
        if isinstance(expected, float):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return False
            if not math.isclose(value, expected, rel_tol=RELATIVE, abs_tol=0.0):
                return False
        elif type(value) is not type(expected) or value != expected:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(port: int) -> subprocess.Popen[bytes]:
    """The server in a subprocess, once ``/v1/health`` answers 200."""
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    deadline = time.monotonic() + 30.0
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1.0).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise SystemExit("the server did not start (is the `server` extra installed?)")
        time.sleep(0.05)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10.0)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


Answer = tuple[int, bytes]


async def load(
    base: str, body: bytes, requests: int, concurrency: int
) -> tuple[list[float], list[Answer], list[Answer], list[str], float]:
    """Latencies (s), timed answers, warm-up answers, transport errors and wall time (s)."""
    latencies: list[float] = []
    answers: list[Answer] = []
    errors: list[str] = []
    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:

        async def post() -> Answer | None:
            try:
                response = await client.post(PATH, content=body, headers=headers)
            except httpx.HTTPError as error:
                errors.append(f"{type(error).__name__}: {error}")
                return None
            return response.status_code, response.content

        async def worker(turns: Any) -> None:
            # The workers share one iterator of turns: each takes the next until none is left.
            for _ in turns:
                started = time.perf_counter()
                answer = await post()
                if answer is not None:
                    latencies.append(time.perf_counter() - started)
                    answers.append(answer)

        warm = await asyncio.gather(*(post() for _ in range(concurrency)))
        turns = iter(range(requests))
        started = time.perf_counter()
        await asyncio.gather(*(worker(turns) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return latencies, answers, [a for a in warm if a is not None], errors, wall


def check(answers: list[Answer], want: dict[str, Any]) -> tuple[int, int, list[str]]:
    """How many answers failed (not 200) and how many were wrong, and the first of each."""
    failed = wrong = 0
    examples: list[str] = []
    for status, content in answers:
        if status != 200:
            failed += 1
            if len(examples) < 3:
                examples.append(f"status {status}: {content[:300]!r}")
            continue
        try:
            got = json.loads(content)
        except ValueError:
            got = None
        if not same_answer(got, want):
            wrong += 1
            if len(examples) < 3:
                examples.append(f"wrong answer: {content[:300]!r}")
    return failed, wrong, examples


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {number}")
    return number


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=_positive, default=2000, help="timed requests")
    parser.add_argument("--concurrency", type=_positive, default=16, help="requests at a time")
    parser.add_argument("--deals", type=_positive, default=200, help="deals in the book")
    parser.add_argument("--seed", type=int, default=20261219)
    arguments = parser.parse_args()
    requests, concurrency = arguments.requests, arguments.concurrency

    book = make_book(arguments.deals, arguments.seed)
    body = json.dumps(book).encode()
    # The library's figures for the book the server will read (JSON keeps every float).
    parsed = json.loads(body)
    want = library_forecast(parsed)
    print(
        f"salescore {salescore.__version__}, fastapi {metadata.version('fastapi')}, "
        f"uvicorn {metadata.version('uvicorn')}, httpx {httpx.__version__}, "
        f"Python {platform.python_version()}"
    )
    print(
        f"POST {PATH}: {arguments.deals} deals ({len(body):,} bytes, method {want['method']}), "
        f"{requests:,} requests at concurrency {concurrency} on 127.0.0.1 "
        f"(+{concurrency} warm-up requests, checked, not timed)"
    )

    port = _free_port()
    server = start_server(port)
    try:
        latencies, answers, warm, errors, wall = asyncio.run(
            load(f"http://127.0.0.1:{port}", body, requests, concurrency)
        )
    finally:
        stop_server(server)

    failed, wrong, examples = check(warm + answers, want)
    failed += len(errors)
    examples = errors[:3] + examples

    # The bare reference: the same computation in this process, call after call.
    library_forecast(parsed)
    started = time.perf_counter()
    for _ in range(requests):
        library_forecast(parsed)
    per_call = (time.perf_counter() - started) / requests

    if not latencies:
        raise SystemExit(f"no request was answered; first errors: {'; '.join(examples)}")
    milliseconds = np.array(latencies, dtype=np.float64) * 1e3
    p50, p90, p99 = (float(x) for x in np.percentile(milliseconds, [50, 90, 99]))
    largest = float(milliseconds.max())
    rate = len(answers) / wall
    print()
    print(f"requests per second        {rate:10.1f}")
    print(f"latency p50                {p50:10.2f} ms")
    print(f"latency p90                {p90:10.2f} ms")
    print(f"latency p99                {p99:10.2f} ms")
    print(f"latency max                {largest:10.2f} ms")
    print(f"failed requests            {failed:10d}")
    print(f"wrong responses            {wrong:10d}")
    print(f"in-process call            {per_call * 1e3:10.2f} ms")
    print(f"HTTP overhead ratio        {p50 / (per_call * 1e3):10.2f}× (p50 ÷ in-process)")
    print(f"wall time per request      {1e3 / rate:10.2f} ms")
    print(f"throughput ratio           {1 / (rate * per_call):10.2f}× (1/rate ÷ in-process)")
    if failed or wrong:
        raise SystemExit(
            f"{failed} request(s) failed and {wrong} response(s) were wrong; first: "
            + "; ".join(examples)
        )


if __name__ == "__main__":
    main()
