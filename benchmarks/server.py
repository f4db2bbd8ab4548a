"""Server under classroom load: 5 concurrent training runs and 50 websocket viewers.

    python -m benchmarks.server [--steps 3000] [--viewers 50] [--runs 5]

Starts a real uvicorn server on 127.0.0.1 (temporary home, MNIST from
PLAYGROUND_DATA_DIR) and measures, in one session:

- training throughput of 5 runs with nobody watching, then the same 5 runs
  with 50 websocket viewers (10 per run), then again without (the two
  unwatched rounds bracket the watched one, so drift on a shared machine shows);
- messages per second delivered to the viewers and the delay from each event's
  server timestamp (`ts`) to its arrival at the client (p50 / p95);
- p95 latency of POST /api/runs/{id}/predict (one 28x28 image) while 5 runs
  train and 50 viewers watch.

Prints a table; targets: delay p95 < 250 ms, streaming cost < 10%, predict p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import websockets

ROOT = Path(__file__).resolve().parents[1]
SPEC = {
    "input_shape": [28, 28, 1],
    "layers": [{"type": "flatten"}, {"type": "dense", "units": 128, "activation": "relu"}, {"type": "dense", "units": 10}],
}
TERMINAL = ("finished", "stopped", "failed", "diverged", "interrupted")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(settings: dict[str, str], attempts: int = 300) -> tuple[subprocess.Popen, str]:
    """A uvicorn serving the app on a free 127.0.0.1 port with these PLAYGROUND_*
    settings on top of the environment (MNIST from the shared copy when it is
    there); returns once /api/health answers, after at most `attempts` tenths
    of a second."""
    port = free_port()
    data_dir = os.environ.get("PLAYGROUND_DATA_DIR") or str(ROOT.parent / "shared" / "data")
    env = dict(os.environ, PLAYGROUND_DATA_DIR=data_dir, **settings)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "playground.api.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(attempts):
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def start_server(home: str, runs: int) -> tuple[subprocess.Popen, str]:
    return launch({"PLAYGROUND_HOME": home, "PLAYGROUND_MAX_RUNS": str(runs),
                   "PLAYGROUND_MAX_QUEUE": str(runs * 4)})


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(the server process itself, its finished children = the training workers), in CPU seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    own = (int(fields[11]) + int(fields[12])) / tick
    children = (int(fields[13]) + int(fields[14])) / tick
    return own, children


class Meter:
    """CPU used by the server, the workers and this client process during one round."""

    def __init__(self, pid: int):
        self.pid = pid

    def __enter__(self):
        self.t0 = time.monotonic()
        self.s0 = cpu_seconds(self.pid)
        self.c0 = sum(os.times()[:2])
        return self

    def __exit__(self, *exc):
        s1 = cpu_seconds(self.pid)
        self.wall = time.monotonic() - self.t0
        self.server = s1[0] - self.s0[0]
        self.workers = s1[1] - self.s0[1]
        self.client = sum(os.times()[:2]) - self.c0

    def __str__(self):
        return (f"wall {self.wall:.1f} s, cpu: workers {self.workers:.1f} s, server {self.server:.1f} s, "
                f"viewers/client {self.client:.1f} s")


def renice_children(pid: int, niceness: int, stop: threading.Event) -> None:
    """Experiment (--nice-workers): lower the priority of the server's worker
    processes as they appear, to see what it does for predict latency."""
    done: set[int] = set()
    while not stop.wait(0.2):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) in done:
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    os.setpriority(os.PRIO_PROCESS, int(entry.name), niceness)
                    done.add(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue


def percentile(values, q) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if len(values) else float("nan")


def create_runs(client: httpx.Client, n: int, steps: int, seed0: int) -> list[str]:
    ids = []
    for k in range(n):
        body = {"spec": SPEC, "dataset": "mnist", "steps": steps, "batch_size": 64, "optimizer": "sgd",
                "lr": 0.05, "seed": seed0 + k, "dataset_params": {"val_split": 0.05}, "name": f"bench-{seed0 + k}"}
        r = client.post("/api/runs", json=body)
        r.raise_for_status()
        ids.append(r.json()["id"])
    return ids


def wait_all(client: httpx.Client, ids: list[str], timeout: float = 600) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recs = [client.get(f"/api/runs/{i}").json() for i in ids]
        if all(r["status"] in TERMINAL for r in recs):
            return recs
        time.sleep(0.25)
    raise SystemExit("runs did not finish in time")


def throughput(recs: list[dict]) -> float:
    """Mean samples/s per run, from each run's own training time."""
    rates = []
    for r in recs:
        final = r.get("final") or {}
        if r["status"] != "finished" or not final.get("seconds"):
            raise SystemExit(f"run {r['id']} ended {r['status']}: {r.get('message')}")
        rates.append(final["steps"] * r["config"]["batch_size"] / final["seconds"])
    return float(np.mean(rates))


class Viewers:
    """`per_run` websocket clients on each run, recording (arrival - ts) per message."""

    def __init__(self, base: str, ids: list[str], per_run: int):
        self.urls = [base.replace("http", "ws", 1) + f"/ws/runs/{i}" for i in ids for _ in range(per_run)]
        self.delays: list[float] = []
        self.count = 0
        self.rates: list[float] = []

    async def one(self, url: str) -> None:
        first = last = None
        n = 0
        async with websockets.connect(url, max_size=None) as ws:
            async for raw in ws:
                now = time.time()
                msg = json.loads(raw)
                self.count += 1
                if msg.get("type") != "state" and isinstance(msg.get("ts"), (int, float)):
                    self.delays.append(now - msg["ts"])
                    n += 1
                    first = first or now
                    last = now
                if msg.get("type") == "done" or (msg.get("type") == "status" and msg.get("status") in TERMINAL):
                    break
        if first and last and last > first:
            self.rates.append(n / (last - first))

    async def run(self) -> None:
        await asyncio.gather(*(self.one(u) for u in self.urls))

    def rate(self) -> float:
        """Messages per second summed over viewers, each over its own streaming window."""
        return float(sum(self.rates))


def predict_load(base: str, run_id: str, stop, out, per_s: float = 10.0) -> None:
    """Child process (so the viewers' JSON parsing does not hold its GIL):
    one 28x28 predict every 1/per_s seconds; latencies (s) go to `out`."""
    body = {"input": np.random.default_rng(0).random((28, 28)).round(3).tolist()}
    latencies = []
    with httpx.Client(base_url=base, timeout=10) as client:
        client.post(f"/api/runs/{run_id}/predict", json=body).raise_for_status()  # warm the model cache
        while not stop.is_set():
            t0 = time.perf_counter()
            r = client.post(f"/api/runs/{run_id}/predict", json=body)
            if r.status_code == 200:
                latencies.append(time.perf_counter() - t0)
            stop.wait(max(0.0, 1.0 / per_s - (time.perf_counter() - t0)))
    out.put(latencies)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--viewers", type=int, default=50)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2, help="watched rounds (unwatched: one more)")
    ap.add_argument("--nice-workers", type=int, default=None,
                    help="experiment: renice the training workers to this niceness")
    args = ap.parse_args(argv)
    per_run = max(1, args.viewers // args.runs)
    home = tempfile.mkdtemp(prefix="playground-bench-")
    proc, base = start_server(home, args.runs)
    stop_renice = threading.Event()
    if args.nice_workers is not None:
        threading.Thread(target=renice_children, args=(proc.pid, args.nice_workers, stop_renice), daemon=True).start()
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            print(f"server {base}; {args.runs} runs x {args.steps} steps (MLP 784-128-10, batch 64, MNIST)", flush=True)
            # Unwatched and watched rounds alternate (U W U W U): on a shared
            # machine the load drifts, and alternation spreads it over both.
            quiet_rates, watched_rates, all_viewers = [], [], Viewers(base, [], per_run)
            quiet_cpu, watched_cpu = [], []
            for k in range(2 * args.rounds + 1):
                with Meter(proc.pid) as m:
                    ids = create_runs(client, args.runs, args.steps, 100 * k)
                    if k % 2:
                        viewers = Viewers(base, ids, per_run)
                        asyncio.run(viewers.run())
                        all_viewers.delays += viewers.delays
                        all_viewers.rates.append(viewers.rate())
                    rate = throughput(wait_all(client, ids))
                (watched_rates if k % 2 else quiet_rates).append(rate)
                (watched_cpu if k % 2 else quiet_cpu).append(m.workers + m.server)
                label = "watched  " if k % 2 else "unwatched"
                print(f"  round {k + 1} {label}: {rate:,.0f} samples/s per run; {m}", flush=True)
            quiet, watched = float(np.mean(quiet_rates)), float(np.mean(watched_rates))

            ids = create_runs(client, args.runs, args.steps, 300)
            ctx = multiprocessing.get_context("spawn")
            stop, box = ctx.Event(), ctx.Queue()
            loader = ctx.Process(target=predict_load, args=(base, _finished_run(client), stop, box))
            loader.start()
            load_viewers = Viewers(base, ids, per_run)
            asyncio.run(load_viewers.run())
            wait_all(client, ids)
            stop.set()
            latencies = box.get(timeout=60)
            loader.join()
    finally:
        stop_renice.set()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)

    cost = 1 - watched / quiet
    cpu_cost = float(np.mean(watched_cpu)) / float(np.mean(quiet_cpu)) - 1
    viewers = all_viewers
    viewers.rates = [float(np.mean(viewers.rates))]
    rows = [
        ("runs x viewers", f"{args.runs} x {per_run * args.runs}", ""),
        ("messages/s delivered (all viewers)", f"{viewers.rate():,.0f}", ""),
        ("event -> client delay p50", f"{percentile(viewers.delays, 50) * 1000:.1f} ms", ""),
        ("event -> client delay p95", f"{percentile(viewers.delays, 95) * 1000:.1f} ms", "< 250 ms"),
        ("training, unwatched", f"{quiet:,.0f} samples/s/run",
         "mean of " + " / ".join(f"{r:,.0f}" for r in quiet_rates)),
        (f"training, {per_run * args.runs} viewers", f"{watched:,.0f} samples/s/run",
         "mean of " + " / ".join(f"{r:,.0f}" for r in watched_rates)),
        ("streaming cost (throughput)", f"{cost * 100:+.1f} %", "< 10 %"),
        ("streaming cost (server + worker CPU, same work)", f"{cpu_cost * 100:+.1f} %",
         "robust to other load on the machine"),
        ("predict p50 under load", f"{percentile(latencies, 50) * 1000:.1f} ms", f"{len(latencies)} requests"),
        ("predict p95 under load", f"{percentile(latencies, 95) * 1000:.1f} ms", "< 50 ms"),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'measure':<{width}}  {'value':>22}  target / note")
    print("-" * (width + 45))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>22}  {note}")


def _finished_run(client: httpx.Client) -> str:
    runs = client.get("/api/runs", params={"status": "finished", "limit": 1}).json()
    return runs[0]["id"]


if __name__ == "__main__":
    main()
