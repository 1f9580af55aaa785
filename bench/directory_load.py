"""Requests per second of the cached directory page against a bare view that returns the same
bytes, through the same server (gunicorn, as `coop4int serve` runs it), measured side by side
in one run with wrk (Debian package `wrk`).

    DATABASE_URL=sqlite:///var/bench/bench.sqlite3 .venv/bin/python bench/directory_load.py

Rounds alternate the two addresses so that machine noise falls on both alike."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "var" / "bench" / "directory.html"
PAGE = "/pt/directory/?island=Santiago"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = os.environ.get("BENCH_SECONDS", "5")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(url: str) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{SECONDS}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    env.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    server = subprocess.Popen(
        [sys.executable, "-m", "coop4int", "serve", "--port", str(port), "--no-worker",
         "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                body = urllib.request.urlopen(base + PAGE, timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("the server did not start")
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_bytes(body)
        bare = urllib.request.urlopen(base + "/bench/bare/", timeout=5).read()
        assert bare == body, "the bare view must return the same bytes"
        print(f"page: {len(body)} bytes; {ROUNDS} rounds of {SECONDS} s each, wrk -t2 -c16")
        cached, plain = [], []
        for _ in range(ROUNDS):
            cached.append(wrk(base + PAGE))
            plain.append(wrk(base + "/bench/bare/"))
        for name, values in (("cached directory page", cached), ("bare view, same bytes", plain)):
            print(f"{name:24} " + "  ".join(f"{v:8.1f}" for v in values) + "  req/s")
        ratio = sum(cached) / sum(plain)
        print(f"ratio cached/bare: {ratio:.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
