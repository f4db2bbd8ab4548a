"""The Ray side of a run: an actor that runs the ordinary worker (worker.py) in
a thread of its own process, on whichever node Ray placed it.

The worker talks through a "connection" (send_bytes / recv_bytes, as over the
local executor's pipe); here it is two in-memory queues that the server drains
and fills with actor calls (ray_executor.py). Everything the run needs that the
server holds (a checkpoint to resume from, initial weights, an uploaded
dataset) arrives as bytes through Ray's object store and is written into a
private temporary home; checkpoints go back the same way. So the nodes need
no file system shared with the server; MNIST is read from the node's own
PLAYGROUND_DATA_DIR or its checksum-verified download cache.

Only bytes, strings and plain dicts cross between server and actor.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import tempfile
import threading
from pathlib import Path

from playground.runs import checkpoints, worker
from playground.runs.events import decode


class QueueConn:
    """The worker's connection: outbox drained by the server, inbox of controls.
    Undelivered weight snapshots are latest-wins (the final one always stays)."""

    def __init__(self) -> None:
        self.inbox: queue.Queue = queue.Queue()
        self._outbox: list[bytes] = []
        self._snapshot_at: int | None = None  # index of the undelivered snapshot
        self._lock = threading.Lock()

    def send_bytes(self, data: bytes) -> None:
        msg = decode(data)
        with self._lock:
            if msg.get("type") == "snapshot" and not msg.get("final"):
                if self._snapshot_at is not None:
                    self._outbox[self._snapshot_at] = data
                    return
                self._snapshot_at = len(self._outbox)
            self._outbox.append(data)

    def recv_bytes(self) -> bytes:
        data = self.inbox.get()
        if data is None:
            raise EOFError
        return data

    def drain(self) -> list[bytes]:
        with self._lock:
            out, self._outbox, self._snapshot_at = self._outbox, [], None
        return out

    def close(self) -> None:
        pass


class RunActor:
    """One run. Created by RayHandle.start with num_cpus=1 and max_concurrency > 1,
    so controls and drains are served while the run trains."""

    def __init__(self, job_json: str, resume_files: dict | None, initial_weights: bytes | None,
                 dataset: bytes | None):
        self.home = Path(tempfile.mkdtemp(prefix="playground-run-"))
        job = json.loads(job_json)
        self.run_id = job["run_id"]
        job["home"] = str(self.home)
        if resume_files:
            checkpoints.install_files(self.home, self.run_id, "latest", resume_files)
        if initial_weights is not None:
            path = self.home / "initial_weights.npz"
            path.write_bytes(initial_weights)
            job["initial_weights_path"] = str(path)
        params = dict(job.get("dataset_params") or {})
        if dataset is not None:
            path = self.home / "dataset.npz"
            path.write_bytes(dataset)
            params["path"] = str(path)
        job["dataset_params"] = params
        if job.get("data_dir") and not os.path.isdir(job["data_dir"]):
            job["data_dir"] = None  # the server's folder is not on this node: use the node's own
        self.conn = QueueConn()
        self.code: int | None = None
        threading.Thread(target=self._main, args=(json.dumps(job),), name="run", daemon=True).start()

    def _main(self, job_json: str) -> None:
        try:
            worker.main(job_json, self.conn)
            code = 0
        except SystemExit as exc:  # worker.main ends with sys.exit(code)
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            code = 1
        self.code = code

    def pid(self) -> int:
        return os.getpid()

    def control(self, data: bytes) -> None:
        self.conn.inbox.put(data)

    def drain(self) -> tuple[list[bytes], int | None]:
        """(messages so far, the exit code once the run has ended and all its messages are out)."""
        code = self.code  # read first: once set, every message is already in the outbox
        return self.conn.drain(), code

    def checkpoint(self, kind: str) -> dict | None:
        return checkpoints.read_files(self.home, self.run_id, kind)

    def cleanup(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)
