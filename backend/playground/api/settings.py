"""Server settings, read from the environment with the `PLAYGROUND_` prefix.

Tests build their own `Settings(home=tmp_path, ...)` and pass it to
`create_app(settings)`; nothing here is a module-level singleton.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from playground.engine.data.mnist import DEFAULT_CACHE_DIR


def _cpu_count() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    """Everything the server, run manager and limits need."""

    model_config = SettingsConfigDict(env_prefix="PLAYGROUND_", extra="ignore")

    home: Path = Path(".playground")
    database_url: str = ""  # empty: sqlite file under home
    data_dir: Path | None = None  # MNIST IDX files; None: the engine's default lookup
    # Where missing MNIST files are downloaded; passed to every dataset call (the
    # engine reads no setting itself).
    cache_dir: Path = Path(DEFAULT_CACHE_DIR)
    host: str = "127.0.0.1"
    port: int = 8000

    max_runs: int = Field(default_factory=_cpu_count, ge=1)
    max_queue: int = Field(default=16, ge=0)

    # Limits on user input; every violation is a 4xx naming the field.
    max_params: int = Field(default=5_000_000, ge=1)
    max_layers: int = Field(default=50, ge=1)
    max_batch_size: int = Field(default=4096, ge=1)
    max_epochs: int = Field(default=100, ge=1)
    max_steps: int = Field(default=1_000_000, ge=1)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    # Peak memory of one training step (activations and their gradients, see
    # viz/budget.py): parameters alone do not bound it.
    max_batch_bytes: int = Field(default=2 * 1024 * 1024 * 1024, ge=1)
    runs_kept: int = Field(default=200, ge=0)  # terminal runs kept; 0 keeps every run
    # Values one sample holds: at the input, and in the largest layer output (or
    # im2col columns of a convolution). Bound at validation, so no spec - imported
    # or posted - can make one predict allocate gigabytes.
    max_input_size: int = Field(default=1024 * 1024, ge=1)
    max_activation_size: int = Field(default=4 * 1024 * 1024, ge=1)
    # Heavy inspection requests (evaluation, decision grid, unit views) at once; more wait in line.
    max_inspections: int = Field(default=2, ge=1)
    # The Learn tab's heavier labs (up to about a second of a core each) at once; more wait in line.
    max_labs: int = Field(default=2, ge=1)

    # Classroom mode (README "Classroom"): `open` = one person on their own machine,
    # no tokens; `tokens` = every request carries a session token, owners and the
    # teacher decide who may change what. Unset: open on a loopback bind, else tokens.
    auth: Literal["open", "tokens"] | None = None
    # The teacher's token; unset in tokens mode: a new one is made and a teacher
    # link printed at each start.
    teacher_token: SecretStr | None = None
    # Per-session shares (the teacher is exempt). Refusals are 429s naming the limit.
    max_runs_per_user: int = Field(default=1, ge=1)
    max_queued_per_user: int = Field(default=2, ge=0)
    max_uploads_per_user: int = Field(default=5, ge=0)
    max_upload_bytes_per_user: int = Field(default=100 * 1024 * 1024, ge=0)
    max_models_per_user: int = Field(default=5, ge=0)
    max_model_bytes_per_user: int = Field(default=100 * 1024 * 1024, ge=0)
    max_ws_per_client: int = Field(default=8, ge=1)
    # Rates in the `limits` package's notation ("10/minute", "2/second").
    create_rate: str = "10/minute"  # runs, uploads and imports, per session
    session_rate: str = "20/minute"  # new sessions, per client address

    # Where runs execute (runs/executor.py): worker processes here, or actors on
    # a Ray cluster (`auto`, `host:port`, `ray://host:10001`; unset: a local Ray).
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None

    # Passed through to the run manager (see runs/protocol.py).
    blas_threads_per_run: int = Field(default=1, ge=1)
    blas_env: bool = False  # also export the BLAS thread count to each worker's environment
    snapshot_interval_s: float = Field(default=0.5, gt=0)  # weight snapshots while someone watches
    snapshot_idle_interval_s: float = Field(default=2.0, gt=0)  # ... while nobody watches
    step_event_interval_s: float = Field(default=0.05, gt=0)  # step events aggregated to this period
    checkpoint_interval_s: float = Field(default=2.0, gt=0)  # latest checkpoint at most this often
    store_failure_grace_s: float = Field(default=10.0, gt=0)  # failing store writes: runs fail after

    # Where the page's templates and static files are; None: beside the package.
    frontend_dir: Path | None = None

    @model_validator(mode="after")
    def _fill_paths(self) -> Settings:
        self.home = Path(self.home).expanduser().resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'playground.db'}"
        if self.auth is None:
            self.auth = "open" if is_loopback(self.host) else "tokens"
        return self

    @property
    def tokens(self) -> bool:
        return self.auth == "tokens"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    def ensure_dirs(self) -> None:
        for path in (self.home, self.uploads_dir, self.models_dir, self.runs_dir):
            path.mkdir(parents=True, exist_ok=True)

    def limits(self) -> dict[str, int]:
        """The limits the UI shows and checks before asking."""
        return {
            "max_params": self.max_params,
            "max_layers": self.max_layers,
            "max_batch_size": self.max_batch_size,
            "max_epochs": self.max_epochs,
            "max_steps": self.max_steps,
            "max_upload_bytes": self.max_upload_bytes,
            "max_batch_bytes": self.max_batch_bytes,
            "max_runs": self.max_runs,
            "max_queue": self.max_queue,
            "runs_kept": self.runs_kept,
            "max_runs_per_user": self.max_runs_per_user,
            "max_queued_per_user": self.max_queued_per_user,
            "max_uploads_per_user": self.max_uploads_per_user,
            "max_upload_bytes_per_user": self.max_upload_bytes_per_user,
            "max_models_per_user": self.max_models_per_user,
            "max_model_bytes_per_user": self.max_model_bytes_per_user,
            "max_ws_per_client": self.max_ws_per_client,
            "max_input_size": self.max_input_size,
            "max_activation_size": self.max_activation_size,
            "max_inspections": self.max_inspections,
            "max_labs": self.max_labs,
        }

    def rates(self) -> dict[str, str]:
        return {"create_rate": self.create_rate, "session_rate": self.session_rate}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
