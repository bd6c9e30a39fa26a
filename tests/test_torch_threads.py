"""The torch backend's CPU blocks on several threads (python/thunder_torch/_blocks.py): the same
values as on one thread and as one state at a time, gradients included, calls from several
Python threads at once, and torch's thread count restored afterwards."""

import pytest
import torch

import thunder_torch as tt
from conftest import ROBOTS, run_in_threads, run_thunder


@pytest.fixture(scope="module")
def rrr_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("torch_threads") / "out"
    run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--functions", "M,C,G", "--targets", "torch",
                "--symb", "DYN", "-q")
    return out


@pytest.fixture(scope="module")
def rrr(rrr_dir):
    return tt.load(rrr_dir, dtype=torch.float64, backend="torch")


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def _states(m, n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 3, generator=g, dtype=torch.float64) * 6 - 3,
            torch.rand(n, 3, generator=g, dtype=torch.float64) * 2 - 1)


def _batch(m):
    """Five blocks and a partial one: every thread gets several."""
    return 5 * m._specs["C"].fwd.block_size(torch.device("cpu")) + 7


def test_threads_agree_with_one_thread_and_one_state(rrr, two_threads):
    q, dq = _states(rrr, _batch(rrr))
    with torch.no_grad():
        C2 = rrr.C(q, dq)
        assert torch.get_num_threads() == 2   # restored after the call
        torch.set_num_threads(1)
        C1 = rrr.C(q, dq)
    # the same operations on the same values, whichever thread ran a block
    assert torch.equal(C1, C2)
    for k in (0, q.shape[0] // 2, q.shape[0] - 1):
        torch.testing.assert_close(C2[k], rrr.C(q[k], dq[k]), rtol=1e-14, atol=1e-15)


def test_threads_gradients(rrr, two_threads):
    """The reverse grad mode runs forward and backward schedules on the threads: same gradient
    (q and the symbolic parameters) as on one thread."""
    q, dq = _states(rrr, _batch(rrr), seed=1)

    def grads():
        qq = q.clone().requires_grad_()
        rrr.zero_grad()
        (rrr.C(qq, dq) ** 2).sum().backward()
        return qq.grad, rrr.par_DYN.grad.clone()
    g2 = grads()
    torch.set_num_threads(1)
    g1 = grads()
    for a, b in zip(g1, g2):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=0)


def test_calls_from_several_python_threads(rrr, two_threads):
    """Overlapping calls share one save and restore of torch's thread count, and each gets its
    own values (the workspace is per thread)."""
    q, dq = _states(rrr, _batch(rrr), seed=2)
    with torch.no_grad():
        want = [rrr.M(q + i) for i in range(3)]
    got = [None] * 3

    def call(i):
        with torch.no_grad():
            for _ in range(3):
                got[i] = rrr.M(q + i)
    errors = run_in_threads(call, 3)
    assert not errors, errors
    for a, b in zip(want, got):
        assert torch.equal(a, b)
    assert torch.get_num_threads() == 2


def _child_call(path, q, dq, conn):
    m = tt.load(path, dtype=torch.float64, backend="torch")
    with torch.no_grad():
        conn.send(m.C(q, dq)[-1].tolist())
    conn.close()


def test_fork_after_a_threaded_call(rrr, rrr_dir, two_threads):
    """A process forked after a threaded call (DataLoader workers) makes its own threads: its
    call completes with the parent's values (a pool whose threads did not survive the fork
    would wait for them for ever)."""
    import multiprocessing as mp
    from conftest import HANG_GUARD
    q, dq = _states(rrr, _batch(rrr), seed=3)
    with torch.no_grad():
        want = rrr.C(q, dq)[-1]
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    # the inputs come from the parent: torch's own multithreaded ops (torch.rand of this size)
    # hang in a child forked after they ran (libgomp), which is why DataLoader workers set one
    # thread; the schedule's ops run inline, so the call is safe with two
    p = ctx.Process(target=_child_call, args=(str(rrr_dir), q, dq, child))
    p.start()
    assert parent.poll(HANG_GUARD), "the forked child's call did not complete"
    got = torch.tensor(parent.recv(), dtype=torch.float64)
    p.join(HANG_GUARD)
    assert p.exitcode == 0
    assert torch.equal(got, want)


def test_constant_runs(rrr_dir, monkeypatch):
    """Steps split into runs of rows whose constant operands are broadcast columns (every split
    allowed here, even one-row runs) give the values of the whole steps, bit for bit."""
    from thunder_torch import _engine
    m = tt.load(rrr_dir, dtype=torch.float64, backend="torch")
    q, dq = _states(m, 2048, seed=4)
    with torch.no_grad():
        want = (m.M(q), m.C(q, dq), m.G(q))
    split = _engine.Schedule._const_runs
    n_split = []

    def every_run(self, steps, **kw):
        runs = list(split(self, steps, max_runs=1 << 30, min_rows=1, min_saved=0))
        n_split.append(len(runs) - len(steps))
        return iter(runs)
    monkeypatch.setattr(_engine.Schedule, "_const_runs", every_run)
    monkeypatch.setattr(_engine, "_WS_MIN_SLOTS", 0)
    m = tt.load(rrr_dir, dtype=torch.float64, backend="torch")
    with torch.no_grad():
        got = (m.M(q), m.C(q, dq), m.G(q))
    assert sum(n_split) > 0   # some step did split
    for a, b in zip(want, got):
        assert torch.equal(a, b)
