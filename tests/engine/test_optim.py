"""Optimizers against steps computed by hand."""
import math

import numpy as np
import pytest

from playground.engine.optim import OPTIMIZERS, make_optimizer
from playground.engine.tensor import Tensor


def param(values, grad):
    p = Tensor(np.array(values, dtype=np.float64), requires_grad=True)
    p.grad = np.array(grad, dtype=np.float64)
    return p


def test_sgd_step_lr_change_and_weight_decay():
    p = param([1.0, -2.0], [0.5, 1.0])
    opt = make_optimizer("sgd", [p], lr=0.1)
    data_id = id(p.data)
    opt.step()
    np.testing.assert_allclose(p.data, [0.95, -2.1])
    opt.lr = 0.5  # takes effect at the next step
    opt.step()
    np.testing.assert_allclose(p.data, [0.7, -2.6])
    assert id(p.data) == data_id  # updated in place
    np.testing.assert_allclose(p.grad, [0.5, 1.0])  # the gradient is not touched

    q = param([1.0, -2.0], [0.5, 1.0])
    make_optimizer("sgd", [q], lr=0.1, weight_decay=0.1).step()
    np.testing.assert_allclose(q.data, [1.0 - 0.1 * (0.5 + 0.1), -2.0 - 0.1 * (1.0 - 0.2)])


def test_momentum_and_nesterov():
    p = param([1.0], [1.0])
    opt = make_optimizer("momentum", [p], lr=0.1, momentum=0.9)
    opt.step()  # v = 1, w = 0.9
    opt.step()  # v = 1.9, w = 0.71
    np.testing.assert_allclose(p.data, [0.71])

    q = param([1.0], [1.0])
    opt = make_optimizer("momentum", [q], lr=0.1, momentum=0.9, nesterov=True)
    opt.step()  # v = 1, step g + 0.9 v = 1.9 -> 0.81
    opt.step()  # v = 1.9, step 1 + 1.71 = 2.71 -> 0.539
    np.testing.assert_allclose(q.data, [0.539])


def test_adam_bias_correction():
    p = param([1.0, 0.0], [0.2, -3.0])
    opt = make_optimizer("adam", [p], lr=0.01)
    opt.step()
    # t = 1: m_hat = g, v_hat = g^2, step = lr * g / (|g| + eps) ~ lr * sign(g)
    np.testing.assert_allclose(p.data, [1.0 - 0.01, 0.0 + 0.01], rtol=1e-6)
    p.grad = np.array([0.4, 1.0])
    opt.step()
    m = 0.9 * 0.1 * np.array([0.2, -3.0]) + 0.1 * np.array([0.4, 1.0])
    v = 0.999 * 0.001 * np.array([0.04, 9.0]) + 0.001 * np.array([0.16, 1.0])
    m_hat, v_hat = m / (1 - 0.9 ** 2), v / (1 - 0.999 ** 2)
    g1 = np.array([0.2, -3.0])
    w1 = np.array([1.0, 0.0]) - 0.01 * g1 / (np.abs(g1) + 1e-8)
    expected = w1 - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(p.data, expected, rtol=1e-9)


def test_adam_with_weight_decay_uses_decayed_gradient():
    p = param([2.0], [0.0])
    make_optimizer("adam", [p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, [2.0 - 0.1], rtol=1e-6)  # g = 0 + 0.5 * 2 = 1 -> sign step


def test_float32_params_stay_float32_and_none_grads_are_skipped():
    p = Tensor(np.ones(3, np.float32), requires_grad=True)
    p.grad = np.full(3, 0.5, np.float32)
    idle = Tensor(np.ones(2, np.float32), requires_grad=True)
    for name in OPTIMIZERS:
        opt = make_optimizer(name, [p, idle], lr=0.1, weight_decay=0.01)
        opt.step()
        assert p.data.dtype == np.float32
        np.testing.assert_array_equal(idle.data, [1, 1])
    opt.zero_grad()
    assert p.grad is None


def test_set_validates_names_and_values():
    opt = make_optimizer("momentum", [param([1.0], [1.0])], lr=0.1)
    opt.set(lr=0.2, momentum=0.5, nesterov=True)
    assert (opt.lr, opt.momentum, opt.nesterov) == (0.2, 0.5, True)
    with pytest.raises(ValueError, match="beta1"):
        opt.set(beta1=0.9)
    with pytest.raises(ValueError, match="momentum"):
        opt.set(lr=0.3, momentum=1.5)
    assert opt.lr == 0.2  # nothing applied when any value is bad
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0
    with pytest.raises(ValueError, match="lr"):
        opt.set(lr=float("nan"))
    with pytest.raises(ValueError, match="nesterov"):
        opt.set(nesterov="yes")


def test_make_optimizer_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        make_optimizer("rmsprop", [])
    with pytest.raises(ValueError, match="'momentum'"):
        make_optimizer("sgd", [], momentum=0.9)
    with pytest.raises(ValueError, match="eps"):
        make_optimizer("adam", [], eps=0.0)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_dict_round_trip_resumes_identically(name):
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((4, 3))

    def run(opt, p, steps):
        for g in steps:
            p.grad = g.copy()
            opt.step()

    p = param(np.ones(3), np.zeros(3))
    opt = make_optimizer(name, [p], lr=0.05)
    run(opt, p, grads[:2])
    saved, weights = opt.state_dict(), p.data.copy()
    assert all(isinstance(v, (np.ndarray, float, int, bool)) for v in saved.values())
    run(opt, p, grads[2:])

    q = param(weights, np.zeros(3))
    resumed = make_optimizer(name, [q], lr=0.9)
    resumed.load_state_dict({k: (np.asarray(v) if not isinstance(v, np.ndarray) else v) for k, v in saved.items()})
    assert resumed.lr == 0.05 and resumed.t == 2
    run(resumed, q, grads[2:])
    np.testing.assert_allclose(q.data, p.data, rtol=1e-12)


def test_load_state_dict_checks_keys_and_shapes():
    opt = make_optimizer("adam", [param([1.0, 2.0], [0, 0])])
    state = opt.state_dict()
    with pytest.raises(ValueError, match="missing"):
        opt.load_state_dict({k: v for k, v in state.items() if k != "m.0"})
    with pytest.raises(ValueError, match="m.0"):
        opt.load_state_dict({**state, "m.0": np.zeros(3)})


def test_adam_default_settings():
    opt = OPTIMIZERS["adam"]([])
    assert opt.settings() == {"lr": 0.001, "weight_decay": 0.0, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert math.isclose(make_optimizer("adam", []).lr, 0.01)  # the contract's default lr


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_decaying_state_is_flushed_before_it_turns_subnormal(name):
    # One weight gets a small gradient once, then none (0) for 700 steps: its
    # state decays geometrically and, unflushed, would sit in float32's slow
    # subnormal range from about step 550. The other keeps a steady gradient
    # and is left alone.
    from playground.engine.optim import FLUSH_BELOW, FLUSH_EVERY

    p = Tensor(np.zeros(2, np.float32), requires_grad=True)
    opt = make_optimizer(name, [p], lr=1e-3)
    tiny = np.finfo(np.float32).tiny
    for step in range(1, 701):
        p.grad = np.array([1e-12 if step == 1 else 0.0, 0.5], np.float32)
        opt.step()
        for arrays in opt.state.values():
            a = arrays[0]
            assert not (0 < abs(a[0]) < tiny), f"subnormal state at step {step}"
            if step % FLUSH_EVERY == 0:
                assert a[0] == 0 or abs(a[0]) >= FLUSH_BELOW
            assert abs(a[1]) > 1e-4                     # a live state is never touched
