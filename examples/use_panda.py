"""Uses the generated Franka Panda: the PyTorch module, batched, and the C++ example program.

    python examples/use_panda.py gen/franka

Run by the README's main command after `thunder gen robots/franka.yaml -o gen/franka --pytorch`
and the build of gen/franka/cpp. Checks, and prints, that
  - the regressor reproduces the dynamics: Yr(q, dq, dqr, ddqr) par_REG = M ddqr + C dqr + G,
  - the PyTorch module and the compiled C++ library agree on M, C, G at one state,
  - gradients flow: d(sum of G)/dq by autograd equals the sum of the rows of dG/dq.
"""
import pathlib
import subprocess
import sys
import time

import torch

import thunder_torch


def cpp_example_outputs(out_dir, values):
    """Runs the generated C++ example with the variables in `values` (name -> list)."""
    exe = next((out_dir / "cpp" / "build").glob("thunder_*_example"))
    listing = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    stdin = []
    for line in listing.splitlines():
        parts = line.split()
        if parts[:1] == ["variable"]:
            stdin += values.get(parts[1], [0.0] * int(parts[2]))
    text = subprocess.run([str(exe)], input=" ".join(map(repr, stdin)), capture_output=True, text=True,
                          check=True).stdout
    results = {}
    for line in text.splitlines():
        parts = line.split()
        if parts[0] != "param":
            rows, cols = int(parts[2]), int(parts[3])
            data = torch.tensor([float(v) for v in parts[4:]], dtype=torch.float64)
            results[parts[0]] = data.reshape(cols, rows).T  # column-major
    return results


def main(out_dir):
    out_dir = pathlib.Path(out_dir)
    panda = thunder_torch.load(out_dir, dtype=torch.float64)
    n = panda.n_joints if hasattr(panda, "n_joints") else 7
    print(panda)

    batch = 4096
    g = torch.Generator().manual_seed(0)
    q, dq, dqr, ddqr = (torch.rand(batch, n, generator=g, dtype=torch.float64) * 2 - 1 for _ in range(4))
    t0 = time.perf_counter()
    M, C, G = panda.M(q), panda.C(q, dq), panda.G(q)
    Yr = panda.Yr(q, dq, dqr, ddqr)
    elapsed = time.perf_counter() - t0
    tau = (M @ ddqr[..., None] + C @ dqr[..., None]).squeeze(-1) + G
    err = ((Yr @ panda.par_REG) - tau).abs().max().item()
    print(f"batch {batch}: M, C, G, Yr in {elapsed * 1e3:.1f} ms; max |Yr par_REG - (M ddqr + C dqr + G)| = {err:.2e}")
    assert err < 1e-9

    cpp = cpp_example_outputs(out_dir, {"q": q[0].tolist(), "dq": dq[0].tolist()})
    for name, ours in (("M", M[0]), ("C", C[0]), ("G", G[0].reshape(-1, 1))):
        diff = (cpp[name] - ours).abs().max().item()
        print(f"C++ library vs PyTorch, {name}: max difference {diff:.2e}")
        assert diff < 1e-12

    qg = q[:8].clone().requires_grad_(True)
    panda.G(qg).sum().backward()
    jac = torch.autograd.functional.jacobian(lambda x: panda.G(x).sum(0), q[:8])  # (n, 8, n)
    diff = (qg.grad - jac.sum(0)).abs().max().item()
    print(f"autograd of G: max difference to the Jacobian {diff:.2e}")
    assert diff < 1e-10
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "gen/franka")
