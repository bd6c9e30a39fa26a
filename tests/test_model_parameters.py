"""Symbolic flags, friction and elastic terms.

A robot file's `symb` flags decide which parameters stay inputs of the generated functions. The
flagged variant of franka.yaml must give functions whose parameter inputs are exactly the flagged
elements (and only for the functions that depend on them), with values equal to the all-constant
functions at the file's values. Friction and SEA terms are checked against their formulas
evaluated here from the numbers in the files.
"""
import numpy as np
import pytest
import yaml

from conftest import ROBOTS


@pytest.fixture(scope="module")
def flagged_franka(tmp_path_factory):
    cfg = yaml.safe_load((ROBOTS / "franka.yaml").read_text())
    symb = [0] * 28
    symb[4 * 2 + 2] = 1  # joint3 d
    symb[4 * 3 + 0] = 1  # joint4 a
    cfg["kinematics"]["symb"] = symb
    cfg["Base_to_L0"]["symb"] = [0, 0, 1, 0, 1, 0]  # base z, pitch
    cfg["Base_to_L0"]["tr"] = [0.1, -0.2, 0.3]
    cfg["Base_to_L0"]["ypr"] = [0.3, 0.2, -0.1]
    cfg["Ln_to_EE"]["symb"] = [1, 0, 1, 0, 0, 0]  # ee x, z
    cfg["Ln_to_EE"]["tr"] = [0.01, 0.02, 0.1034]
    cfg["gravity"]["symb"] = [0, 0, 1]
    cfg["dynamics"]["link2"]["inertial"]["symb"] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]  # mass
    cfg["dynamics"]["link5"]["inertial"]["symb"] = [0, 0, 0, 0, 1, 0, 0, 0, 0, 1]  # Ixx, Izz
    flagged = tmp_path_factory.mktemp("robots") / "franka_flagged.yaml"
    flagged.write_text(yaml.safe_dump(cfg))
    constant = flagged.with_name("franka_const.yaml")
    cfg["kinematics"]["symb"] = [0] * 28
    cfg["Base_to_L0"]["symb"] = cfg["Ln_to_EE"]["symb"] = [0] * 6
    cfg["gravity"]["symb"] = [0] * 3
    for k in range(7):
        cfg["dynamics"][f"link{k + 1}"]["inertial"]["symb"] = [0] * 10
    constant.write_text(yaml.safe_dump(cfg))
    return flagged, constant


def param_inputs(gen, name):
    return {i["name"]: i["shape"][0] for i in gen.entry(name)["inputs"] if i["param"]}


def test_inputs_are_exactly_the_flagged_parameters(flagged_franka, generate):
    gen = generate(flagged_franka[0])
    expect_elements = {
        "par_DHtable": ["joint3.d", "joint4.a"],
        "par_world2L0": ["base.z", "base.pitch"],
        "par_Ln2EE": ["ee.x", "ee.z"],
        "par_gravity": ["gravity.z"],
        "par_DYN": ["link2.mass", "link5.Ixx", "link5.Izz"],
    }
    for set_name, elements in expect_elements.items():
        p = gen.param(set_name)
        assert [e for e, s in zip(p["elements"], p["symbolic"]) if s] == elements
    assert param_inputs(gen, "T_0_ee") == {"par_DHtable": 2, "par_world2L0": 2, "par_Ln2EE": 2}
    # M is invariant to the base pose and gravity; it depends on DH lengths and inertia.
    assert param_inputs(gen, "M") == {"par_DYN": 3, "par_DHtable": 2}
    # G depends on the base orientation (gravity in link 0), gravity, masses (not on Ixx, Izz
    # symbolically: they don't enter G, but the set is one input).
    assert set(param_inputs(gen, "G")) == {"par_DYN", "par_DHtable", "par_world2L0", "par_gravity"}
    assert param_inputs(gen, "Yr").keys() == {"par_DHtable", "par_world2L0", "par_gravity"}
    assert param_inputs(gen, "J_ee").keys() == {"par_DHtable", "par_world2L0", "par_Ln2EE"}


def test_flagged_functions_equal_constant_ones_at_file_values(flagged_franka, generate):
    gen, const = generate(flagged_franka[0]), generate(flagged_franka[1])
    rng = np.random.default_rng(0)
    defaults = {p["name"]: np.array(p["values"])[np.array(p["symbolic"], bool)] for p in gen.manifest["params"]}
    for name in ["T_0_ee", "J_ee", "M", "C", "G", "Yr", "tau", "J_ee_dot", "T_0_i", "J_cm_i"]:
        entry = gen.entry(name)
        args, const_args = [], []
        for i in entry["inputs"]:
            if i["param"]:
                args.append(defaults[i["name"]])
            else:
                v = rng.uniform(-1, 1, i["shape"][0])
                args.append(v)
                const_args.append(v)
        out, ref = gen[name](*args), const[name](*const_args)
        out = out if isinstance(out, (list, tuple)) else [out]
        ref = ref if isinstance(ref, (list, tuple)) else [ref]
        for a, b in zip(out, ref):
            np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-12, atol=1e-12)


def test_link_friction_matches_file_coefficients(generate):
    """RRR.yaml has Dl_order 2: thunder's dl = Dl1 dq + Dl2 |dq| dq (f_2(v) = |v| v)."""
    gen = generate(ROBOTS / "RRR.yaml")
    cfg = yaml.safe_load((ROBOTS / "RRR.yaml").read_text())
    d = np.array([cfg["dynamics"][f"link{k + 1}"]["friction"]["Dl"] for k in range(3)])
    dq = np.array([0.7, -1.3, 0.0])
    expected = d[:, 0] * dq + d[:, 1] * np.abs(dq) * dq
    np.testing.assert_allclose(gen.call("dl", dq=dq).ravel(), expected, rtol=1e-15)
    np.testing.assert_allclose(gen.call("Dl_jac", dq=dq), np.diag(d[:, 0] + 2 * d[:, 1] * np.abs(dq)), rtol=1e-15)
    np.testing.assert_array_equal(gen.call("Dl2"), np.diag(d[:, 1]))
    np.testing.assert_allclose(gen.call("reg_dl", dq=dq) @ d.ravel(), expected, rtol=1e-15)


def test_elastic_terms_match_file_coefficients(generate):
    gen = generate(ROBOTS / "seaRRR.yaml")
    cfg = yaml.safe_load((ROBOTS / "seaRRR.yaml").read_text())
    j1 = cfg["elastic"]["joints"]["joint1"]
    q, dq = np.array([0.3, -0.2, 0.5]), np.array([0.4, 0.1, -0.3])
    x, dx, ddx = np.array([0.45]), np.array([-0.2]), np.array([1.5])
    k = j1["K"][0] * (x - q[0])  # K_order 1: linear spring on joint 1 (the R_SEA joint)
    v = dict(q=q, dq=dq, x=x, dx=dx, ddx=ddx)
    np.testing.assert_allclose(gen.call("k", **v).ravel(), k, rtol=1e-15)
    np.testing.assert_allclose(gen.call("K_jac", **v), [[j1["K"][0]]], rtol=1e-15)
    np.testing.assert_allclose(gen.call("K1", **v), [[j1["K"][0]]], rtol=1e-15)
    np.testing.assert_allclose(gen.call("dm", **v).ravel(), j1["Dm"][0] * dx, rtol=1e-15)
    np.testing.assert_allclose(gen.call("Dm_jac", **v), [[j1["Dm"][0]]], rtol=1e-15)
    np.testing.assert_allclose(gen.call("Mm", **v), [[j1["Mm"]]], rtol=1e-15)
    np.testing.assert_allclose(gen.call("reg_Mm", **v) @ [j1["Mm"]], j1["Mm"] * ddx, rtol=1e-15)
    np.testing.assert_allclose(gen.call("reg_k", **v) @ j1["K"], k, rtol=1e-15)
    assert "d" not in gen.names()  # D_order 0: no coupling damping


def test_kinematic_regressors_are_parameter_derivatives(flagged_franka, generate):
    """reg_Jdq and reg_JTw are d(J_ee dq)/dp and d(J_ee' w)/dp over the flagged kinematic
    parameters (DH, then base, then EE), checked by central differences (step 1e-6)."""
    gen = generate(flagged_franka[0])
    rng = np.random.default_rng(7)
    q, dq, w = rng.uniform(-1, 1, 7), rng.uniform(-1, 1, 7), rng.uniform(-1, 1, 6)
    sets = ["par_DHtable", "par_world2L0", "par_Ln2EE"]
    full = {s: np.array(gen.param(s)["values"]) for s in sets}
    flags = {s: np.array(gen.param(s)["symbolic"], bool) for s in sets}
    columns_Jdq, columns_JTw = [], []
    h = 1e-6
    for s in sets:
        for i in np.flatnonzero(flags[s]):
            plus, minus = {k: v.copy() for k, v in full.items()}, {k: v.copy() for k, v in full.items()}
            plus[s][i] += h
            minus[s][i] -= h
            J = lambda p: gen.call("J_ee", params=p, q=q)
            columns_Jdq.append((J(plus) @ dq - J(minus) @ dq) / (2 * h))
            columns_JTw.append((J(plus).T @ w - J(minus).T @ w) / (2 * h))
    np.testing.assert_allclose(gen.call("reg_Jdq", q=q, dq=dq), np.stack(columns_Jdq, 1), atol=1e-8)
    np.testing.assert_allclose(gen.call("reg_JTw", q=q, w=w), np.stack(columns_JTw, 1), atol=1e-8)
    assert "reg_Jdq" not in generate(flagged_franka[1]).names()  # nothing flagged: not generated
