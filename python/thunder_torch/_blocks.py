"""Runs the column blocks of a schedule on the CPU: one block per thread at a time, every torch
operation inline on its thread (see docs/TORCH_ARTIFACT.md, "engine").

Why not torch's intra-op pool: a schedule step is one small operation (a few hundred rows times
a block of columns), so with 2 threads each of the thousands of steps of a call is an OpenMP
fork-join. On an idle machine that costs a wake-up per step; on a busy one a worker waits a
scheduler slice for a core at every step: g1's FD at batch 4096 took 5.5 s of CPU (28 s wall) with
2 threads against 0.17 s with 1 (load ~12, 2 cores). Here the blocks are shared out between
Python threads instead (torch releases the GIL inside each operation), and torch's intra-op
parallelism is off while they run, so no step waits for another thread: a thread that does not
get a core simply takes fewer blocks.
"""
from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import torch

__all__ = ["run_blocks", "inline_ops", "workspace"]

_lock = threading.Lock()
_inline_depth = 0      # calls inside inline_ops now (they may overlap from several threads)
_saved_threads = 1     # torch's thread count before the first of them
_pool = None           # ThreadPoolExecutor, created on the first parallel call
_pool_size = 0


_local = threading.local()


def _after_fork_in_child():
    # The child has only the forking thread: the parent's pool threads and any lock they held
    # are gone (an executor whose idle workers did not survive would take a job and never run
    # it: DataLoader workers fork). Start afresh, and give back the thread count that another
    # thread's call had lowered at the moment of the fork.
    global _lock, _pool, _pool_size, _inline_depth
    _lock, _pool, _pool_size = threading.Lock(), None, 0
    if _inline_depth and _saved_threads > 1:
        torch.set_num_threads(_saved_threads)
    _inline_depth = 0


os.register_at_fork(after_in_child=_after_fork_in_child)


def workspace(n, dtype):
    """A flat CPU tensor of at least n elements of dtype, this thread's (one per dtype, grown as
    needed and kept: a schedule's slot tensor is reused from call to call instead of allocated,
    which at megabytes is an mmap whose pages fault in again at every call)."""
    ws = getattr(_local, "ws", None)
    if ws is None:
        ws = _local.ws = {}
    t = ws.get(dtype)
    if t is None or t.numel() < n:
        t = ws[dtype] = torch.empty(n, dtype=dtype)
    return t[:n]


class inline_ops:
    """Context: torch's intra-op thread count is 1 inside (every operation runs on the thread
    that calls it); restored when the last overlapping context exits. The count is process-wide
    in torch, so overlapping calls from several threads share one save and one restore."""

    def __enter__(self):
        global _inline_depth, _saved_threads
        with _lock:
            if _inline_depth == 0:
                _saved_threads = torch.get_num_threads()
                if _saved_threads > 1:
                    torch.set_num_threads(1)
            _inline_depth += 1
        return _saved_threads

    def __exit__(self, *exc):
        global _inline_depth
        with _lock:
            _inline_depth -= 1
            if _inline_depth == 0 and _saved_threads > 1:
                torch.set_num_threads(_saved_threads)
        return False


def _executor(n):
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < n:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool, _pool_size = ThreadPoolExecutor(n, thread_name_prefix="thunder_torch"), n
        return _pool


def run_blocks(block_fn, batch, bs, n_threads):
    """Calls block_fn(b0, b1) for the column blocks [b0, b1) of size bs covering [0, batch), on
    up to n_threads threads (the caller included), blocks claimed in order from a shared
    counter. Every call runs under no_grad (grad mode is per thread)."""
    starts = range(0, batch, bs)
    n = min(n_threads, len(starts))
    counter = itertools.count()   # next() is atomic under the GIL

    def worker():
        with torch.no_grad():
            while True:
                i = next(counter)
                if i >= len(starts):
                    return
                b0 = starts[i]
                block_fn(b0, min(batch, b0 + bs))

    if n <= 1:
        worker()
        return
    futures = [_executor(n - 1).submit(worker) for _ in range(n - 1)]
    worker()
    for f in futures:
        f.result()
