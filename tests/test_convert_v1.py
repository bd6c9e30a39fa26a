"""`thunder convert OLD.yaml -o NEW.yaml` writes a v0.x file in the thunder_dynamics 1.0 layout
(dh_loader + dyn_loader + soft_loader); both files give the same functions, with the same inputs,
to 1e-12 at random inputs (including the symbolic parameters). Not J_ee_pinv: a 1.0 file damps
its pseudo-inverses with thunder 1.0's mu = 0.02, a v0.x file with 1e-6 (docs/FUNCTIONS.md)."""
import numpy as np
import pytest
import yaml

from conftest import ROBOTS, ROOT, Generated, run_thunder

SHARED = next((p for p in (ROOT.parent / "shared" / "thunder_configs", ROOT.parents[1] / "shared" / "thunder_configs")
               if p.is_dir()), None)

CASES = [
    (ROBOTS / "RRR.yaml", "M,C,G,dl,T_0_ee,J_ee,J_ee_dot,Yr,reg_Jdq"),
    (ROBOTS / "seaRRR.yaml", "M,G,dl,T_0_ee,J_ee,k,dm,Mm,reg_k"),
    (ROBOTS / "franka.yaml", "M,G,T_0_ee,J_ee"),
]
if SHARED is not None:
    CASES += [(SHARED / "RRR.yaml", "M,C,G,dl,T_0_ee,J_ee"), (SHARED / "seaRRR.yaml", "M,G,k,dm,Mm"),
              (SHARED / "franka.yaml", "M,G,T_0_ee,J_ee")]


@pytest.mark.parametrize("old, functions", CASES, ids=lambda c: getattr(c, "name", None) or "")
def test_converted_file_gives_the_same_functions(tmp_path, old, functions):
    new = tmp_path / (old.stem + "_v1.yaml")
    run_thunder("convert", old, "-o", new)
    cfg = yaml.safe_load(new.read_text())
    assert cfg["pipeline"]["loaders"][0] == "dh_loader" and "dyn_loader" in cfg
    gens = []
    for path, out in ((old, tmp_path / "a"), (new, tmp_path / "b")):
        run_thunder("gen", path, "-o", out, "--targets", "casadi", "-q", "--functions", functions)
        gens.append(Generated(out))
    a, b = gens
    rng = np.random.default_rng(4)
    for name in functions.split(","):
        fa, fb = a[name], b[name]
        assert [fa.name_in(i) for i in range(fa.n_in())] == [fb.name_in(i) for i in range(fb.n_in())], name
        for _ in range(3):
            args = [rng.uniform(-1, 1, fa.size_in(i)) for i in range(fa.n_in())]
            for x, y in zip(fa.call(args), fb.call(args)):
                np.testing.assert_allclose(np.array(x), np.array(y), rtol=1e-12, atol=1e-12, err_msg=name)


def test_convert_refuses_what_is_not_a_v0_file(tmp_path):
    proc = run_thunder("convert", ROBOTS / "RRR.yaml", check=False)
    assert proc.returncode == 2 and "usage: thunder convert OLD.yaml -o NEW.yaml" in proc.stderr
    new = tmp_path / "x.yaml"
    run_thunder("convert", ROBOTS / "RRR.yaml", "-o", new)
    proc = run_thunder("convert", new, "-o", tmp_path / "y.yaml", check=False)
    assert proc.returncode == 1 and "in the thunder 1.0 layout already" in proc.stderr
