"""Toy datasets, seeded: TensorFlow Playground's 2-D sets and 1-D regression functions.

2-D sets (circle, xor, gaussian, spiral) follow TF Playground's generators:
points in about [-6, 6]^2, `noise` in [0, 0.5] (its 0..50 %), labels 1/0 for its
orange/blue (+1/-1). Where TF Playground draws a label from the noisy point but
stores the clean one (circle, xor), so do we: noise then means label noise near
the boundary, as on its page.

1-D functions (sin, abs, step, polynomial, bump) sample x uniformly in [-1, 1]
with y = f(x) + noise * N(0, 1), for universal-approximation demos.

Every generator takes an `np.random.Generator`; points come out shuffled, so
file order mixes the classes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

NOISE_RANGE = (0.0, 0.5)
DEFAULT_SAMPLES = 500
MAX_SAMPLES = 100_000  # a bound on what one request can make the server generate
_RADIUS = 5.0  # TF Playground's circle radius and spiral extent


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_in = (n + 1) // 2
    r = np.concatenate([rng.uniform(0, _RADIUS * 0.5, n_in), rng.uniform(_RADIUS * 0.7, _RADIUS, n - n_in)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    noisy = x + rng.uniform(-_RADIUS, _RADIUS, (n, 2)) * noise
    y = np.hypot(noisy[:, 0], noisy[:, 1]) < _RADIUS * 0.5
    return x, y


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    padding = 0.3  # keeps points off the axes, where the label flips
    x = rng.uniform(-5, 5, (n, 2))
    x += np.where(x > 0, padding, -padding)
    noisy = x + rng.uniform(-5, 5, (n, 2)) * noise
    y = noisy[:, 0] * noisy[:, 1] >= 0
    return x, y


def _gaussian(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # TF Playground maps noise 0..0.5 linearly to a variance of 0.5..4.
    variance = 0.5 + (4.0 - 0.5) * noise / 0.5
    n_pos = (n + 1) // 2
    centres = np.where(np.arange(n)[:, None] < n_pos, 2.0, -2.0)
    x = centres + rng.normal(0.0, np.sqrt(variance), (n, 2))
    y = np.arange(n) < n_pos
    return x, y


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_pos = (n + 1) // 2
    parts = []
    for count, delta in ((n_pos, 0.0), (n - n_pos, np.pi)):
        i = np.arange(count) / max(count, 1)
        r = i * _RADIUS
        t = 1.75 * i * 2 * np.pi + delta
        pts = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        parts.append(pts + rng.uniform(-1, 1, (count, 2)) * noise)
    y = np.arange(n) < n_pos
    return np.concatenate(parts), y


TOY_2D: dict[str, tuple[Callable, str]] = {
    "circle": (_circle, "two classes: a disc inside a ring (TF Playground's circle)"),
    "xor": (_xor, "two classes by the sign of x1*x2: the XOR quadrants"),
    "gaussian": (_gaussian, "two Gaussian blobs around (2, 2) and (-2, -2); noise widens them"),
    "spiral": (_spiral, "two interleaved spirals, the hardest 2-D set"),
}

FUNCTIONS_1D: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "sin": (lambda x: np.sin(np.pi * x), "y = sin(pi x) on [-1, 1]"),
    "abs": (np.abs, "y = |x| on [-1, 1]: a kink"),
    "step": (lambda x: (x > 0).astype(x.dtype), "y = 0 for x <= 0, 1 for x > 0: a jump"),
    "polynomial": (lambda x: 4 * x**3 - 3 * x, "y = 4x^3 - 3x (Chebyshev T3) on [-1, 1]"),
    "bump": (lambda x: np.exp(-(x**2) / (2 * 0.2**2)), "a Gaussian bump of width 0.2 at 0"),
}


def check_params(n_samples: int, noise: float) -> None:
    if (isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer))
            or not 2 <= n_samples <= MAX_SAMPLES):
        raise ValueError(f"n_samples must be an integer in [2, {MAX_SAMPLES}], got {n_samples!r}")
    if not NOISE_RANGE[0] <= float(noise) <= NOISE_RANGE[1]:
        raise ValueError(f"noise must be in [{NOISE_RANGE[0]}, {NOISE_RANGE[1]}], got {noise!r}")


def _checked(what: str, table: Mapping[str, object], name: str, n_samples: int, noise: float,
             rng: np.random.Generator | None) -> np.random.Generator:
    """Check a generator's arguments; -> the generator to draw from (seed 0 unless given)."""
    if name not in table:
        raise ValueError(f"unknown {what} {name!r}; known: {', '.join(table)}")
    check_params(n_samples, noise)
    return rng if rng is not None else np.random.default_rng(0)


def make_2d(name: str, n_samples: int = DEFAULT_SAMPLES, noise: float = 0.0,
            rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """-> x: (N, 2) float32, y: (N,) int64 in {0, 1}, shuffled."""
    rng = _checked("2-D dataset", TOY_2D, name, n_samples, noise, rng)
    x, y = TOY_2D[name][0](int(n_samples), float(noise), rng)
    order = rng.permutation(len(x))
    return x[order].astype(np.float32), y[order].astype(np.int64)


def make_1d(name: str, n_samples: int = DEFAULT_SAMPLES, noise: float = 0.0,
            rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """-> x: (N, 1) float32 in [-1, 1], y: (N, 1) float32 targets."""
    rng = _checked("1-D function", FUNCTIONS_1D, name, n_samples, noise, rng)
    x = rng.uniform(-1.0, 1.0, (int(n_samples), 1))
    y = FUNCTIONS_1D[name][0](x) + noise * rng.standard_normal(x.shape)
    return x.astype(np.float32), y.astype(np.float32)


def make_toy(name: str, n_samples: int = DEFAULT_SAMPLES, noise: float = 0.0,
             seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train and held-out test sets of the same size -> (x, y, x_test, y_test).

    The two come from independent streams spawned from `seed`, so the test set
    is fresh points of the same distribution, not a slice of the training set.
    """
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    make = make_2d if name in TOY_2D else make_1d
    return (*make(name, n_samples, noise, train_rng), *make(name, n_samples, noise, test_rng))
