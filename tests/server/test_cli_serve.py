"""``salescore serve`` as an administrator runs it: a process, its key from the environment.

The command is started as its own process on a free loopback port; it must answer
health without the key and a calculation only with it, log one JSON line per request
without the payload, stop cleanly on Ctrl-C (SIGINT), and refuse a bad command line
or a short key with one line and exit status 2.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx

from .harness import free_port, wait_until_up

KEY = "cli-key-0123456789abcdef"


def _command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "salescore", "serve", *arguments]


def test_serve_runs_with_the_key_from_the_environment() -> None:
    port = free_port()
    environment = {**os.environ, "CRM_KEY": KEY}
    process = subprocess.Popen(
        _command("--port", str(port), "--api-key-env", "CRM_KEY"),
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, lambda: process.poll() is None)
        body = {"deals": [{"deal_id": "SECRET-7", "value": 1000.0, "probability": 0.4}]}
        assert httpx.post(f"{base}/v1/forecast", json=body).status_code == 401
        answer = httpx.post(f"{base}/v1/forecast", json=body, headers={"X-API-Key": KEY})
        assert answer.status_code == 200
        assert answer.json()["weighted_forecast"] == 400.0  # 1,000 x 0.4
        assert "server" not in answer.headers  # uvicorn's own header is off
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30.0)
    assert process.returncode == 0, err
    access = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert [
        (entry["path"], entry["status"]) for entry in access if entry["path"] == "/v1/forecast"
    ] == [
        ("/v1/forecast", 401),
        ("/v1/forecast", 200),
    ]
    assert "SECRET-7" not in out + err
    assert KEY not in out + err


def test_a_short_key_and_a_bad_port_are_refused() -> None:
    environment = {**os.environ, "SALESCORE_API_KEY": "short"}
    done = subprocess.run(_command(), env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "at least 16 characters" in done.stderr
    assert done.stderr.startswith("salescore: error:")
    done = subprocess.run(_command("--port", "0"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "must be a whole number > 0" in done.stderr
