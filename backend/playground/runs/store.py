"""RunStore: runs, metric history and imported models in SQLite (stdlib sqlite3).

Synchronous and thread-safe; the manager calls it through ``asyncio.to_thread``
so the event loop never waits on the disk. Hot-path writes (metric points,
progress of running runs) are *staged* in memory - a dict merge under a lock
that never waits for SQLite - and written in one transaction by ``flush()``,
which the manager calls a few times a second: never one commit per step.
A flush that fails (a full disk) puts its rows and updates back, and reads
include what is staged, so nothing is dropped and reads agree with the
manager; the manager fails the training runs if writes keep failing.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Columns holding JSON text; everything else is a plain SQLite scalar.
_JSON_COLUMNS = ("spec", "dataset_params", "config", "initial_weights", "progress",
                 "latest", "final", "checkpoint")
_RUN_COLUMNS = ("id", "name", "status", "message", "created_at", "updated_at", "started_at",
                "finished_at", "spec", "dataset", "dataset_params", "config", "initial_weights",
                "progress", "latest", "final", "best_val_loss", "checkpoint", "owner", "owner_name")
_MODEL_JSON = ("spec", "metrics")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, name TEXT, status TEXT NOT NULL, message TEXT DEFAULT '',
    created_at REAL, updated_at REAL, started_at REAL, finished_at REAL,
    spec TEXT, dataset TEXT, dataset_params TEXT, config TEXT, initial_weights TEXT,
    progress TEXT, latest TEXT, final TEXT, best_val_loss REAL, checkpoint TEXT,
    owner TEXT, owner_name TEXT);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT NOT NULL, kind TEXT NOT NULL, step INTEGER, epoch INTEGER, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_run ON metrics(run_id, kind, step);
CREATE TABLE IF NOT EXISTS models (
    id TEXT PRIMARY KEY, name TEXT, created_at REAL, spec TEXT, total_params INTEGER,
    source_run TEXT, metrics TEXT, owner TEXT, owner_name TEXT, bytes INTEGER DEFAULT 0);
"""
# Columns added after the first release: a home made by an older version gets
# them on open (owner NULL: made before classroom mode, by the local user).
_ADDED_COLUMNS = {"runs": ("owner TEXT", "owner_name TEXT"),
                  "models": ("owner TEXT", "owner_name TEXT", "bytes INTEGER DEFAULT 0")}
_MODEL_COLUMNS = ("id", "name", "created_at", "spec", "total_params", "source_run", "metrics",
                  "owner", "owner_name", "bytes")


def sqlite_path(database_url: str) -> str:
    """``sqlite:///rel/path`` -> ``rel/path``, ``sqlite:////abs`` -> ``/abs``."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"only sqlite:/// database URLs are supported, got {database_url!r}")
    return database_url[len(prefix):]


class RunStore:
    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db_lock = threading.Lock()
        self._buf_lock = threading.Lock()
        self._metric_rows: list[tuple] = []
        self._run_updates: dict[str, dict] = {}
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._db_lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._migrate()

    def _migrate(self) -> None:
        for table, columns in _ADDED_COLUMNS.items():
            have = {r["name"] for r in self._db.execute(f"PRAGMA table_info({table})")}
            for column in columns:
                if column.split()[0] not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")

    def close(self) -> None:
        try:
            self.flush()
        except sqlite3.Error as exc:  # a full disk at shutdown: say what is lost, close anyway
            log.error("closing the run store: %d staged metric points not written (%s)",
                      self.staged_rows(), exc)
        with self._db_lock:
            self._db.close()

    # -- staged writes (cheap, safe on the event loop) ---------------------------

    def stage_metric(self, run_id: str, kind: str, step: int | None, epoch: int | None,
                     payload: dict) -> None:
        row = (run_id, kind, step, epoch, json.dumps(payload))
        with self._buf_lock:
            self._metric_rows.append(row)

    def stage_run_update(self, run_id: str, **fields: Any) -> None:
        with self._buf_lock:
            self._run_updates.setdefault(run_id, {}).update(fields)

    def flush(self) -> None:
        """Write staged metric points and run updates in one transaction."""
        with self._buf_lock:
            rows, self._metric_rows = self._metric_rows, []
            updates, self._run_updates = self._run_updates, {}
        if not rows and not updates:
            return
        with self._db_lock:
            try:
                self._db.execute("BEGIN")
                try:
                    if rows:
                        self._db.executemany(
                            "INSERT INTO metrics (run_id, kind, step, epoch, payload) VALUES (?,?,?,?,?)",
                            rows)
                    for run_id, fields in updates.items():
                        self._update(run_id, fields)
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except BaseException:
                self._restage(rows, updates)
                raise

    def _restage(self, rows: list[tuple], updates: dict[str, dict]) -> None:
        """Put back what a failed flush took (a full disk): it is written by the
        next flush that succeeds, never dropped. Newer staged values win."""
        with self._buf_lock:
            self._metric_rows = rows + self._metric_rows
            for run_id, fields in updates.items():
                self._run_updates[run_id] = {**fields, **self._run_updates.get(run_id, {})}

    def staged_rows(self) -> int:
        with self._buf_lock:
            return len(self._metric_rows)

    def _overlay(self, rec: dict) -> dict:
        """A run as stored plus its staged updates: reads agree with what the
        manager set even while the disk refuses writes."""
        with self._buf_lock:
            staged = self._run_updates.get(rec["id"])
        return {**rec, **staged} if staged else rec

    # -- runs ----------------------------------------------------------------------

    def insert_run(self, record: dict) -> None:
        cols = [c for c in _RUN_COLUMNS if c in record]
        values = [_encode(c, record[c]) for c in cols]
        with self._db_lock:
            self._db.execute(f"INSERT INTO runs ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                             values)

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Immediate update (status changes); staged updates of the same run are
        written first so an older staged value never overwrites this one."""
        self.flush()
        with self._db_lock:
            self._update(run_id, fields)

    def _update(self, run_id: str, fields: dict) -> None:
        cols = [c for c in fields if c in _RUN_COLUMNS and c != "id"]
        if not cols:
            return
        sets = ",".join(f"{c}=?" for c in cols)
        self._db.execute(f"UPDATE runs SET {sets} WHERE id=?",
                         [_encode(c, fields[c]) for c in cols] + [run_id])

    def get_run(self, run_id: str) -> dict | None:
        with self._db_lock:
            row = self._db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        return self._overlay(_decode(row, _JSON_COLUMNS)) if row else None

    def list_runs(self, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        sql, args = "SELECT * FROM runs", []
        if status is not None:
            sql, args = sql + " WHERE status=?", [status]
        sql += " ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?"
        with self._db_lock:
            rows = self._db.execute(sql, args + [int(limit), int(offset)]).fetchall()
        return [self._overlay(_decode(r, _JSON_COLUMNS)) for r in rows]

    def ids_with_status(self, statuses: tuple[str, ...]) -> list[str]:
        marks = ",".join("?" * len(statuses))
        with self._db_lock:
            rows = self._db.execute(
                f"SELECT id FROM runs WHERE status IN ({marks}) ORDER BY created_at", statuses).fetchall()
        return [r["id"] for r in rows]

    def delete_run(self, run_id: str) -> None:
        with self._buf_lock:
            self._run_updates.pop(run_id, None)
            self._metric_rows = [r for r in self._metric_rows if r[0] != run_id]
        with self._db_lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM metrics WHERE run_id=?", (run_id,))
            self._db.execute("DELETE FROM runs WHERE id=?", (run_id,))
            self._db.execute("COMMIT")

    def prunable(self, keep: int, statuses: tuple[str, ...]) -> list[str]:
        """Ids of the oldest runs in ``statuses`` beyond the newest ``keep``."""
        marks = ",".join("?" * len(statuses))
        with self._db_lock:
            rows = self._db.execute(
                f"SELECT id FROM runs WHERE status IN ({marks}) "
                "ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?", (*statuses, int(keep))).fetchall()
        return [r["id"] for r in rows]

    # -- metric history -------------------------------------------------------------

    def metrics(self, run_id: str, kind: str, since_step: int | None = None) -> list[dict]:
        """All points of one kind in step order (staged points included, also
        while a full disk keeps them from being written)."""
        try:
            self.flush()
        except sqlite3.Error:
            pass  # the points stay staged; read them from there
        sql, args = "SELECT payload FROM metrics WHERE run_id=? AND kind=?", [run_id, kind]
        if since_step is not None:
            sql, args = sql + " AND step>?", args + [int(since_step)]
        with self._db_lock:
            rows = self._db.execute(sql + " ORDER BY step, rowid", args).fetchall()
        with self._buf_lock:
            staged = [r for r in self._metric_rows if r[0] == run_id and r[1] == kind
                      and (since_step is None or (r[2] is not None and r[2] > since_step))]
        return [json.loads(r["payload"]) for r in rows] + [json.loads(r[4]) for r in staged]

    def thin_metrics(self, run_id: str, kind: str) -> int:
        """Drop every second point of one kind (the first and the last stay):
        the snapshot history of a long run stays bounded and evenly spread.
        Returns how many points are left."""
        self.flush()
        with self._db_lock:
            rows = self._db.execute("SELECT rowid FROM metrics WHERE run_id=? AND kind=? ORDER BY step, rowid",
                                    (run_id, kind)).fetchall()
            n = len(rows)
            drop = [(rows[i][0],) for i in range(1, n - 1) if i % 2 == 1]
            if drop:
                self._db.execute("BEGIN")
                self._db.executemany("DELETE FROM metrics WHERE rowid=?", drop)
                self._db.execute("COMMIT")
        return n - len(drop)

    def delete_metrics_after(self, run_id: str, step: int) -> None:
        """Forget points past a checkpoint: a resumed run emits them again."""
        self.flush()
        with self._db_lock:
            self._db.execute("DELETE FROM metrics WHERE run_id=? AND step>?", (run_id, int(step)))

    # -- imported models ----------------------------------------------------------

    def insert_model(self, record: dict) -> None:
        cols = _MODEL_COLUMNS
        values = [json.dumps(record.get(c)) if c in _MODEL_JSON else record.get(c) for c in cols]
        with self._db_lock:
            self._db.execute(f"INSERT INTO models ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                             values)

    def get_model(self, model_id: str) -> dict | None:
        with self._db_lock:
            row = self._db.execute("SELECT * FROM models WHERE id=?", (model_id,)).fetchone()
        return _decode(row, _MODEL_JSON) if row else None

    def list_models(self) -> list[dict]:
        with self._db_lock:
            rows = self._db.execute("SELECT * FROM models ORDER BY created_at DESC, rowid DESC").fetchall()
        return [_decode(r, _MODEL_JSON) for r in rows]

    def delete_model(self, model_id: str) -> None:
        with self._db_lock:
            self._db.execute("DELETE FROM models WHERE id=?", (model_id,))


def _encode(column: str, value: Any) -> Any:
    return json.dumps(value) if column in _JSON_COLUMNS else value


def _decode(row: sqlite3.Row, json_columns: tuple[str, ...]) -> dict:
    out = dict(row)
    for c in json_columns:
        if out.get(c) is not None:
            out[c] = json.loads(out[c])
    return out
