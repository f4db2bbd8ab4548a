"""A simulated class on one server: fair starts, bounded memory under hostile input.

    python -m benchmarks.classroom [--sessions 30] [--viewers 60] [--eager 10]

Starts a real uvicorn server on 127.0.0.1 in classroom mode (tokens, 2 workers
on this 2-core machine) and measures:

1. Fair starts. 30 student sessions press Start; 10 of them are eager and
   press it three times at once, the other 20 press once, 1 s later. 60 viewers
   (2 per session) watch the runs over websockets. Printed: each session's wait
   from pressing Start to its first run training (p50 / p95 / max), with the
   round-robin queue, beside the same clicks made through one unlimited owner
   (the teacher's token), which is a plain first-come-first-served queue.
2. Hostile input while the class trains: benchmarks/hostile.py replays every
   hostile case of the classroom issue against the server; printed: the status
   codes seen (no 5xx allowed), and the server process's peak resident memory
   (VmHWM) before and after.

The machine's load average is printed with the tables: run it alone.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import websockets

from benchmarks.server import launch

TEACHER = "benchmark-teacher-token-0123456789abcdef"
SPEC = {"input_shape": [2], "layers": [{"type": "dense", "units": 16, "activation": "tanh"},
                                       {"type": "dense", "units": 2}]}
RUN = {"spec": SPEC, "dataset": "circle", "dataset_params": {"n_samples": 400, "noise": 0.1},
       "steps": 400, "batch_size": 16, "lr": 0.1}
TERMINAL = ("finished", "stopped", "failed", "diverged", "interrupted")
LATE_S = 1.0  # the other students press Start this long after the eager ones


def start(home: str, executor: str = "local") -> tuple[subprocess.Popen, str]:
    return launch({"PLAYGROUND_HOME": home, "PLAYGROUND_MAX_RUNS": "2", "PLAYGROUND_MAX_QUEUE": "200",
                   "PLAYGROUND_AUTH": "tokens", "PLAYGROUND_TEACHER_TOKEN": TEACHER,
                   "PLAYGROUND_CREATE_RATE": "100/minute", "PLAYGROUND_SESSION_RATE": "1000/minute",
                   "PLAYGROUND_MAX_WS_PER_CLIENT": "8", "PLAYGROUND_EXECUTOR": executor},
                  attempts=600)  # a local Ray takes several seconds to start


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def watch(base: str, run_id: str, token: str, counts: dict) -> None:
    url = base.replace("http", "ws") + f"/ws/runs/{run_id}"
    try:
        async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=300))
                counts["messages"] += 1
                if msg.get("type") == "status" and msg.get("status") in TERMINAL:
                    return
                if msg.get("type") == "state" and msg["run"]["status"] in TERMINAL:
                    return  # it ended before this viewer came: the stream has nothing more
    except (websockets.ConnectionClosed, asyncio.TimeoutError):
        return


async def class_round(base: str, sessions: int, eager: int, viewers: int, one_owner: bool) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        tokens = []
        for i in range(sessions):
            r = await client.post("/api/session", json={"name": f"Student {i + 1}"})
            tokens.append(r.json()["token"])
        act = [TEACHER] * sessions if one_owner else tokens

        async def click(i: int) -> tuple[int, float, str] | None:
            t0 = time.time()
            r = await client.post("/api/runs", json=RUN, headers={"Authorization": f"Bearer {act[i]}"})
            return (i, t0, r.json()["id"]) if r.status_code == 201 else None

        async def press(i: int, times: int, delay: float) -> list[tuple[int, float, str]]:
            # An eager student's clicks all at once; the first one arriving is their first run.
            await asyncio.sleep(delay)
            got = [c for c in await asyncio.gather(*(click(i) for _ in range(times))) if c is not None]
            return sorted(got, key=lambda c: c[1])

        jobs = [press(i, 3 if i < eager else 1, 0.0 if i < eager else LATE_S) for i in range(sessions)]
        made = [x for group in await asyncio.gather(*jobs) for x in group]
        counts = {"messages": 0}
        first_run = {}
        for i, t0, run_id in made:
            first_run.setdefault(i, (t0, run_id))
        watchers = [watch(base, first_run[i % sessions][1], tokens[(i * 7 + 3) % sessions], counts)
                    for i in range(viewers) if i % sessions in first_run]
        t_start = time.monotonic()
        watching = asyncio.gather(*watchers)
        headers = {"Authorization": f"Bearer {TEACHER}"}
        while True:
            runs = (await client.get("/api/runs", params={"limit": 1000}, headers=headers)).json()
            mine = {r["id"]: r for r in runs}
            if all(mine.get(run_id, {}).get("status") in TERMINAL for _, _, run_id in made):
                break
            await asyncio.sleep(0.5)
        elapsed = time.monotonic() - t_start
        try:
            await asyncio.wait_for(watching, timeout=30)
        except asyncio.TimeoutError:
            pass  # a viewer still open is cancelled: every run has ended
        waits = {i: mine[run_id]["started_at"] - t0 for i, (t0, run_id) in first_run.items()
                 if mine[run_id].get("started_at")}
        for _, _, run_id in made:
            await client.delete(f"/api/runs/{run_id}", headers=headers)
        late = [w for i, w in waits.items() if i >= eager]
        if os.environ.get("CLASSROOM_DEBUG"):
            t_first = min(t0 for _, t0, _ in made)
            for i, t0, run_id in sorted(made, key=lambda m: mine[m[2]].get("started_at") or 0):
                rec = mine[run_id]
                print(f"  session {i:>2} pressed {t0 - t_first:6.2f} started {rec['started_at'] - t_first:6.2f} "
                      f"finished {rec['finished_at'] - t_first:6.2f} {rec['status']}")
        return {"runs": len(made), "waits": list(waits.values()), "late": late, "elapsed": elapsed,
                "messages": counts["messages"]}


def actor_rss_mib() -> float:
    """Resident memory of the Ray run actors alive now (the largest), in MiB."""
    best = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and b"RunActor" in (proc / "cmdline").read_bytes():
                for line in (proc / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        best = max(best, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return best


async def step_cost(base: str, repeats: int = 3) -> tuple[float, float]:
    """(median seconds per training step of one run alone, from the worker's own
    steps/s while it trains (start-up excluded); the largest resident memory of a
    Ray run actor seen meanwhile, 0 locally)."""
    headers = {"Authorization": f"Bearer {TEACHER}"}
    body = {**RUN, "steps": 3000}
    costs, rss = [], 0.0
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for _ in range(repeats):
            run = (await client.post("/api/runs", json=body, headers=headers)).json()
            while (await client.get(f"/api/runs/{run['id']}", headers=headers)).json()["status"] not in TERMINAL:
                rss = max(rss, actor_rss_mib())
                await asyncio.sleep(0.2)
            points = (await client.get(f"/api/runs/{run['id']}/metrics", headers=headers)).json()["points"]
            rates = [p["steps_per_s"] for p in points if p.get("steps_per_s")]
            costs.append(1.0 / statistics.median(rates))
            await client.delete(f"/api/runs/{run['id']}", headers=headers)
    return statistics.median(costs), rss


def hostile(base: str, pid: int) -> tuple[list[dict], float, float]:
    try:
        from benchmarks.hostile import replay
    except ImportError:
        return [], peak_rss_mib(pid), float("nan")
    before = peak_rss_mib(pid)  # the peak so far: the class without the hostile client
    token = httpx.post(f"{base}/api/session", json={"name": "Mallory"}).json()["token"]
    rows = replay(base, {"Authorization": f"Bearer {token}"})
    return rows, before, peak_rss_mib(pid)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--eager", type=int, default=10)
    ap.add_argument("--viewers", type=int, default=60)
    ap.add_argument("--executors", default="local,ray", help="local, ray or both (comma-separated)")
    args = ap.parse_args(argv)
    results = {}
    rows, before, after = [], float("nan"), float("nan")
    for executor in args.executors.split(","):
        with tempfile.TemporaryDirectory() as home:
            proc, base = start(home, executor)
            try:
                fair = asyncio.run(class_round(base, args.sessions, args.eager, args.viewers, one_owner=False))
                fifo = asyncio.run(class_round(base, args.sessions, args.eager, args.viewers, one_owner=True))
                cost = asyncio.run(step_cost(base))
                if executor == "local":
                    # The class again, with a hostile client replaying every case meanwhile.
                    with concurrent.futures.ThreadPoolExecutor(1) as pool:
                        replaying = pool.submit(hostile, base, proc.pid)
                        attacked = asyncio.run(class_round(base, args.sessions, args.eager, args.viewers,
                                                           one_owner=False))
                        rows, before, after = replaying.result()
                    after = max(after, peak_rss_mib(proc.pid))
            finally:
                proc.terminate()
                proc.wait(timeout=60)
        results[executor] = (fair, fifo, cost) if executor != "local" else (fair, fifo, cost, attacked)
    print(f"\nSimulated class: {args.sessions} sessions ({args.eager} press Start 3 times first), "
          f"{args.viewers} viewers, 2 CPUs; load average {os.getloadavg()[0]:.2f}")
    print(f"{'executor':<9}{'queue':<30}{'runs':>5}{'wait p50 s':>11}{'p95 s':>8}{'max s':>8}{'late p95 s':>11}"
          f"{'events/s':>10}{'ms/step':>9}")
    for executor, (fair, fifo, (cost, _), *rest) in results.items():
        rounds = [("round-robin, 1+2 per session", fair), ("first-come (one owner)", fifo)]
        rounds += [("round-robin, hostile client", r) for r in rest]
        for label, r in rounds:
            w = r["waits"]
            print(f"{executor:<9}{label:<30}{r['runs']:>5}{statistics.median(w):>11.2f}{pct(w, 0.95):>8.2f}"
                  f"{max(w):>8.2f}{pct(r['late'], 0.95):>11.2f}{r['messages'] / r['elapsed']:>10.0f}"
                  f"{cost * 1000:>9.3f}")
    if "local" in results and "ray" in results:
        extra = results["ray"][2][0] / results["local"][2][0] - 1
        print(f"Ray's overhead per training step: {100 * extra:+.1f}% (one run alone, median of 3); "
              f"a run actor's resident memory: {results['ray'][2][1]:.0f} MiB")
    print("(wait: from pressing Start to the session's first run training; late: the sessions that pressed "
          f"once, {LATE_S:g} s after the eager ones; ms/step: one run alone, training only, the worker's own steps/s)")
    if rows:
        from benchmarks.hostile import print_table

        seen = [s for row in rows for s in row["statuses"]]
        failed = [row["case"] for row in rows if row["ok"] is False]
        print(f"\nHostile replay during the class: {len(rows)} cases, {len(failed)} failed, "
              f"{sum(1 for s in seen if s >= 500)} 5xx answers; the server's peak resident memory "
              f"{before:.0f} MiB before the replay, {after:.0f} MiB after")
        print_table(rows)
    else:
        print("\nHostile replay: benchmarks/hostile.py not found")


if __name__ == "__main__":
    main()
