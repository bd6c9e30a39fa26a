#!/usr/bin/env python3
"""Measures the test suite's strength: plants each listed bug in a scratch copy of the repository,
runs the tests that should catch it and reports caught / missed (docs/TESTING.md).

    .venv/bin/python scripts/mutation_check.py              # every mutation
    .venv/bin/python scripts/mutation_check.py --only sign,slotine_li --baseline
    .venv/bin/python scripts/mutation_check.py --list

The scratch copy (/tmp/thunder-mutation-*, removed afterwards unless --keep) holds the working
tree as it is (tracked and untracked, not ignored, files), so uncommitted edits are measured too.
Its C++ is built once into scratch/build/mutation (CMake + Ninja with this venv's Python) and
rebuilt incrementally after each C++ mutation; the tests run from the scratch copy with
THUNDER_BIN / THUNDER_TORCH_TOY pointing at its build and its python/ ahead of the editable
install. A mutation whose original text is no longer in its file (the code moved on) is
reported as "stale": update its entry.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

# id, file, original text (must occur exactly once), mutated text, pytest arguments, what it is.
MUTATIONS = [
    ("slotine_li", "src/thunder/algorithm/slotine_li.cpp",
     "I * cross_motion(vel_r[i], vel[i]));", "I * cross_motion(vel[i], vel_r[i]));",
     ["tests/test_model_pinocchio.py", "tests/test_model_coriolis.py", "tests/test_model_identities.py"],
     "Slotine-Li body factor: v x vr instead of vr x v (issue 17)"),
    ("sign", "python/thunder_torch/_engine.py",
     "return torch.where(a > 0, torch.ones_like(a)", "return torch.where(a >= 0, torch.ones_like(a)",
     ["tests/test_torch_runtime.py", "-k", "matches_casadi", "tests/test_native.py"],
     "torch sign(0) = 1 instead of 0 (issue 17)"),
    ("friction_sum", "src/thunder/model/terms.cpp",
     "sum = sum + coeff(i * orders + o - 1) * friction_basis(v(i), o);",
     "sum = sum + coeff((v.numel() - 1 - i) * orders + o - 1) * friction_basis(v(i), o);",
     ["tests/test_model_friction_elastic.py", "tests/test_model_parameters.py", "tests/test_layers.py"],
     "friction of joint i uses link n-1-i's coefficients (issue 17)"),
    ("M_ddot", "src/thunder/model/function_builder.cpp",
     'add("M_ddot", "Second time derivative of M (nvxnv)", {{"M_ddot", SX::jtimes(M_dot, qdq, dqddq)}});',
     'add("M_ddot", "Second time derivative of M (nvxnv)", {{"M_ddot", SX::jtimes(M_dot, q, qdot())}});',
     ["tests/test_model_identities.py"],
     "M_ddot drops the ddq terms (d/dt through q only)"),
    ("J_cm_frame", "src/thunder/model/function_builder.cpp",
     'J.push_back({"J_cm_" + idx(i + 1), model_.reduce_cols(k.jacobian(i, k.p0(i) + k.R0(i) * c))});',
     'J.push_back({"J_cm_" + idx(i + 1), model_.reduce_cols(k.jacobian(i, k.p0(i) + c))});',
     ["tests/test_model_pinocchio.py", "tests/test_model_identities.py"],
     "J_cm_i takes the link-frame CoM as a world offset"),
    ("pinv_damping", "src/thunder/description/robot_spec.h",
     "double pinv_damping = 1e-6;", "double pinv_damping = 1e-4;",
     ["tests/test_model_identities.py"],
     "J_ee_pinv damped with 1e-4 instead of the documented 1e-6"),
    ("op_table_remainder", "src/thunder/export/op_table.cpp",
     '{OP_REMAINDER, {"remainder", 2, nullptr}}', '{OP_REMAINDER, {"fmod", 2, nullptr}}',
     ["tests/test_op_table.py", "tests/test_torch_runtime.py", "-k", "matches_casadi or op"],
     "the op table names CasADi's remainder fmod (torch schedules and native kernels alike)"),
    ("cuda_remainder", "src/thunder/export/native/runtime/thunder_cuda.h",
     "TH_D T_ th_remainder(T_ x, T_ y) { return remainder(x, y); }",
     "TH_D T_ th_remainder(T_ x, T_ y) { return fmod(x, y); }",
     ["tests/test_op_table.py"],
     "the CUDA runtime computes remainder as fmod"),
    ("remainder_tie", "python/thunder_torch/_engine.py",
     "fix = (r.abs() > half) | ((r.abs() == half) & odd)", "fix = (r.abs() > half) | ((r.abs() == half) & ~odd)",
     ["tests/test_op_table.py", "tests/test_torch_runtime.py", "-k", "matches_casadi or op"],
     "torch remainder rounds ties to odd"),
    # issue 26: bugs the suite missed before (each caught by an independent reference)
    ("euler_old_velocity", "python/thunder_torch/simulate.py",
     "        return integrate(robot, q, v, dt), v", "        return integrate(robot, q, dq, dt), v",
     ["tests/test_simulate.py"],
     "semi-implicit Euler integrates q with the old velocity (explicit Euler)"),
    ("ls_std_without_s2", "python/thunder_torch/identify.py",
     "    cov = s2 * np.linalg.pinv(Aw.T @ Aw)", "    cov = np.linalg.pinv(Aw.T @ Aw)",
     ["tests/test_identify.py"],
     "least-squares covariance without the residual variance s^2"),
    ("output_dir_kept", "src/thunder/cli/output_dir.cpp",
     "    if (!generated_here(path, sha256_file(target))) {", "    if (!known(path)) {",
     ["tests/test_gen_output.py"],
     "a file no longer generated is removed when listed, even if the user changed it"),
    ("output_dir_conflict", "src/thunder/cli/output_dir.cpp",
     "if (known(a.path) && !generated_here(a.path, current) && !force)",
     "if (known(a.path) && !known(a.path) && !force)",
     ["tests/test_gen_output.py"],
     "a generated file the user changed is overwritten without --force"),
    ("locked_rodrigues_sign", "src/thunder/description/urdf.cpp",
     "(r == q ? c : 0.0) + s * K[r][q]", "(r == q ? c : 0.0) - s * K[r][q]",
     ["tests/test_spec_urdf.py"],
     "a joint locked at a non-zero position rotates the other way (Rodrigues sign)"),
    ("torch_fmin_nan", "python/thunder_torch/_engine.py",
     '"fmin": (2, torch.fmin)', '"fmin": (2, torch.minimum)',
     ["tests/test_op_table.py"],
     "torch fmin as torch.minimum (nan propagates instead of being ignored)"),
    ("simd_fmax", "src/thunder/export/native/runtime/thunder_simd.h",
     "TH_LANES2(fmax, fmax(a, b))", "TH_LANES2(fmax, fmin(a, b))",
     ["tests/test_op_table.py"],
     "SIMD kernels' fmax computes fmin"),
    ("contact_drift_spatial", "src/thunder/algorithm/frame_acceleration.cpp",
     "const Vec3 a_P = A.v + cross(A.w, F.p) + cross(V.w, v_P);", "const Vec3 a_P = A.v + cross(A.w, F.p);",
     ["tests/test_contact_dynamics.py"],
     "gamma_contact from the spatial instead of the classical acceleration (no w x v_P)"),
    ("contact_mask", "src/thunder/algorithm/contact_dynamics.cpp",
     "K(i, i) += 1 - rows(i);", "K(i, i) += 1;",
     ["tests/test_contact_dynamics.py"],
     "the identity for inactive contact rows added to the active ones too"),
    ("composed_rotation", "src/thunder/multibody/joint.cpp",
     "R_ = E_ * axis_rotation();", "R_ = axis_rotation() * E_;",
     ["tests/test_trees.py"],
     "a joint's composed rotation multiplied in the wrong order (Rot E for E Rot)"),
    ("com_inertia_product", "src/thunder/spatial/motion.cpp",
     "return {I.Ic * m.w + cross(I.c, f), f};", "return {I.Ic * m.w - cross(I.c, f), f};",
     ["tests/test_trees.py"],
     "the moment of a body's momentum about its centre of mass taken with the wrong sign"),
    ("inline_cos_quadrant", "src/thunder/export/cpp/inline_trig.cpp",
     '"  return ((n + 1) & 2) ? -m : m;\\n"', '"  return (n & 2) ? -m : m;\\n"',
     ["tests/test_inline_trig.py", "tests/test_cpp_chunks.py"],
     "the inline cos takes the sign of sin's quadrant (wrong in quadrants 1 and 3)"),
    ("mimic_chain_offset", "src/thunder/description/urdf.cpp",
     "off = mult * b[m] + off;", "off = b[m] + off;",
     ["tests/test_spec_urdf.py", "-k", "mimic"],
     "a mimic chain's offset not scaled by the multiplier in front of it"),
    ("first_moment_shift", "src/thunder/description/inertial_file.cpp",
     "for (int j = 0; j < 3; ++j) b.inertia[i][j] -= shift[i][j];",
     "for (int j = 0; j < 3; ++j) b.inertia[i][j] += shift[i][j];",
     ["tests/test_spec_yaml.py", "-k", "layouts"],
     "par_REG's inertia about the link origin moved away from the CoM instead of to it"),
    ("planar_e2", "src/thunder/description/urdf.cpp",
     "const Vec3 e2{n[1] * e1[2] - n[2] * e1[1], n[2] * e1[0] - n[0] * e1[2], n[0] * e1[1] - n[1] * e1[0]};",
     "const Vec3 e2{n[1] * e1[2] - n[2] * e1[1], n[2] * e1[0] - n[0] * e1[2], n[1] * e1[0] - n[0] * e1[1]};",
     ["tests/test_spec_urdf.py", "-k", "planar"],
     "a planar joint's second in-plane axis not perpendicular to the first"),
    ("solve_descendants", "src/thunder/export/cpp/factored_solve_c.cpp",
     "down_row[i_of[p]].push_back(k_of[p]);", "down_row[i_of[p]].push_back(i_of[p]);",
     ["tests/test_cpp_factored_solve.py"],
     "the C++ solve's leaves-to-root pass pulls a row from itself instead of from its descendant"),
    ("solve_vector_block", "src/thunder/export/cpp/factored_solve_c.cpp",
     'for (int q = 0; q < 4; ++q) b << "      a" << q << " -= s * *(const "',
     'for (int q = 0; q < 4; ++q) b << "      a" << q << (q == 3 ? " += " : " -= ") << "s * *(const "',
     ["tests/test_cpp_factored_solve.py"],
     "the vector solve adds the fourth accumulator's products instead of subtracting them"),
    ("solve_transpose", "src/thunder/export/cpp/factored_solve_c.cpp",
     "s * __builtin_shuffle(t1, t3, (thunder_i4){2, 3, 6, 7});", "s * __builtin_shuffle(t1, t3, (thunder_i4){2, 3, 7, 6});",
     ["tests/test_cpp_factored_solve.py"],
     "the AVX2 4x4 transpose of the solve's copy swaps two entries of its last column"),
    ("twin_chunk_text", "src/thunder/export/cpp/cpp_exporter.cpp",
     "write_file(dir / twin, isa_twin_text(chunks[c], symbol));",
     "write_file(dir / twin, isa_twin_text(chunks[c + 1 < chunks.size() ? c + 1 : c], symbol));",
     ["tests/test_cpp_isa_twin.py"],
     "the x86-64-v3 build's chunk k holds the first build's chunk k + 1"),
]

# Child-process prologue: the editable install's import hook would find the repository's own
# python/ before PYTHONPATH; drop it so that the scratch copy's thunder_torch is the one tested.
PYTEST_BOOT = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path "
               "if not type(f).__module__.startswith('_editable_')]; "
               "import pytest; sys.exit(pytest.main(sys.argv[1:]))")


def copy_tree(dest):
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)


def build(scratch, log):
    b = scratch / "build" / "mutation"
    if not (b / "build.ninja").exists():
        subprocess.run(["cmake", "-S", str(scratch), "-B", str(b), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                        f"-DPython_EXECUTABLE={sys.executable}"], check=True, stdout=log, stderr=log)
    subprocess.run(["cmake", "--build", str(b), "-j2", "--target", "thunder", "thunder-unit-tests",
                    "thunder-torch-toy"], check=True, stdout=log, stderr=log)
    return b


def run_tests(scratch, bdir, args, log):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(scratch / "python"), str(scratch / "tests")])
    if bdir is not None:
        env["THUNDER_BIN"] = str(bdir / "thunder")
        env["THUNDER_TORCH_TOY"] = str(bdir / "thunder-torch-toy")
        env["PATH"] = str(bdir) + os.pathsep + env.get("PATH", "")
    cmd = [sys.executable, "-c", PYTEST_BOOT, "-q", "-x", "-p", "no:cacheprovider", *args]
    proc = subprocess.run(cmd, cwd=scratch, env=env, capture_output=True, text=True)
    log.write(proc.stdout + proc.stderr)
    log.flush()
    first = next((l.split(" - ")[0].split(" ", 1)[1] for l in proc.stdout.splitlines() if l.startswith(("FAILED ", "ERROR "))), "")
    return proc.returncode, first


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="comma-separated mutation ids")
    ap.add_argument("--list", action="store_true", help="print the mutations and exit")
    ap.add_argument("--baseline", action="store_true", help="first run each mutation's tests unmutated")
    ap.add_argument("--keep", action="store_true", help="keep the scratch copy")
    a = ap.parse_args()
    # cmake and ninja come with the venv
    os.environ["PATH"] = str(pathlib.Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    chosen = [m for m in MUTATIONS if not a.only or m[0] in a.only.split(",")]
    if a.list:
        for mid, path, _, _, tests, what in chosen:
            print(f"{mid:22s} {path:45s} {what}\n{'':22s} tests: {' '.join(tests)}")
        return 0
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="thunder-mutation-"))
    log_path = scratch / "mutation.log"
    print(f"scratch copy: {scratch} (log: {log_path})", flush=True)
    rows = []
    try:
        copy_tree(scratch)
        with open(log_path, "w") as log:
            bdir = build(scratch, log)
            if a.baseline:
                for mid, _, _, _, tests, _ in chosen:
                    rc, first = run_tests(scratch, bdir, tests, log)
                    if rc != 0:
                        print(f"baseline: the tests of {mid} fail unmutated ({first}); see the log", flush=True)
                        return 1
            for mid, path, original, mutated, tests, what in chosen:
                f = scratch / path
                text = f.read_text()
                t0 = time.time()
                if text.count(original) != 1:
                    rows.append((mid, path, "stale", f"original text found {text.count(original)} times", 0.0))
                    print(f"{mid}: stale", flush=True)
                    continue
                log.write(f"\n===== {mid}: {path}\n")
                f.write_text(text.replace(original, mutated))
                try:
                    cpp = path.endswith((".cpp", ".h"))
                    if cpp:
                        build(scratch, log)
                    rc, first = run_tests(scratch, bdir, tests, log)
                finally:
                    f.write_text(text)
                    if path.endswith((".cpp", ".h")):
                        build(scratch, log)
                status = "caught" if rc == 1 else "missed" if rc == 0 else f"error (pytest exit {rc})"
                rows.append((mid, path, status, first, time.time() - t0))
                print(f"{mid}: {status} {first}", flush=True)
    finally:
        if not a.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(f"| {'mutation':22s} | {'file':45s} | result | first failing test |")
    print(f"|{'-' * 24}|{'-' * 47}|--------|--------------------|")
    for mid, path, status, first, secs in rows:
        print(f"| {mid:22s} | {path:45s} | {status} | {first} ({secs:.0f} s) |")
    return 0 if all(r[2] == "caught" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
