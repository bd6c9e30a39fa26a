"""Native backend: the robot functions compiled by ``thunder gen --native`` (OUT/native/).

The libraries (libthunder_<robot>_f64.so / _f32.so, cuda/libthunder_<robot>_cuda_f64.so / _f32.so)
export the C ABI of OUT/native/thunder_native.h. Each call goes through one generic torch operator,
``torch.ops.thunder.native_call(lib, entry, batch, inputs) -> outputs``, so that autograd (the
compiled reverse-mode partner, entry + 1), ``torch.compile`` (fake implementation from the
library's sizes) and CUDA graphs (kernels launched on the current stream) see an ordinary op.

Inputs are (batch, size) tensors of any strides (a batch stride of 0 gives one vector to every
instance, e.g. parameters): the kernels read them in place. Outputs are (batch, size) tensors in
the layout the library writes fastest (thunder_native_out_layout): slot-major, i.e. the
transposed view of a contiguous (size, batch) tensor, for the SIMD and CUDA kernels (whole
vectors per tile, coalesced per warp); contiguous for the scalar kernels. Matrices are flattened
row-major per instance. ctypes releases the GIL during the call.
"""
from __future__ import annotations

import ctypes
import json
import math
import os
import pathlib
import shutil
import struct
import sys
import tempfile
import threading
import types
from typing import List

import torch

from . import _artifacts
from ._module import forward_mode
from ._state import in_transform

ABI_VERSION = 2

_ENTRY = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                          ctypes.c_void_p, ctypes.c_longlong, ctypes.c_void_p)

# Process-wide state kept outside this module, so that a second import of thunder_torch (tests
# load the package from a path) shares the loaded libraries and the registered operator.
_STATE = sys.modules.setdefault("_thunder_torch_native_state", types.ModuleType("_thunder_torch_native_state"))
if not hasattr(_STATE, "libraries"):
    _STATE.libraries = []      # library id (index) -> NativeLibrary
    _STATE.by_path = {}        # (resolved path, mtime) -> library id
    _STATE.lock = threading.Lock()
_LIBRARIES: list = _STATE.libraries
_BY_PATH: dict = _STATE.by_path
_LOCK = _STATE.lock


class NativeLibraryError(RuntimeError):
    """A native library is missing, or was built for another robot, generation, dtype or device."""


def robot_identifier(robot: str) -> str:
    """The C identifier of the robot in file and symbol names (as the C++ exporters write it)."""
    ident = "".join(c if (c.isascii() and (c.isalnum() or c == "_")) else "_" for c in robot)
    return ident or "robot"


def manifest_hash(data: bytes) -> str:
    """FNV-1a 64 of `data`, 16 hex digits (the exporter's fnv1a64_hex); applied to manifest.json
    without its artifacts entry (_artifacts.generation_bytes)."""
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def _dtype_tag(dtype):
    if dtype == torch.float64:
        return "f64", "float64"
    if dtype == torch.float32:
        return "f32", "float32"
    raise TypeError(f"thunder_torch native: dtype must be torch.float32 or torch.float64, got {dtype}")


def library_path(out_dir, robot, device_type, dtype) -> pathlib.Path:
    """Where ``thunder gen --native`` puts the library for this device type and dtype."""
    tag, _ = _dtype_tag(dtype)
    ident = robot_identifier(robot)
    native = pathlib.Path(out_dir) / "native"
    if device_type == "cuda":
        return native / "cuda" / f"libthunder_{ident}_cuda_{tag}.so"
    return native / f"libthunder_{ident}_{tag}.so"


class NativeLibrary:
    """One loaded library: its functions, their sizes and the callable entries."""

    def __init__(self, path, robot, expected_hash, dtype, device_type, shown_as=None):
        load_from = pathlib.Path(path)
        path = pathlib.Path(shown_as or path)   # the name in messages: the generated file
        self.path = path
        if not load_from.is_file():
            raise NativeLibraryError(f"thunder_torch native: {path} not found (generate with "
                                     f"`thunder gen ... --native`{'' if device_type == 'cpu' else ' on a machine with nvcc'})")
        try:
            lib = ctypes.CDLL(str(load_from))
        except OSError as e:
            raise NativeLibraryError(f"thunder_torch native: cannot load {path}: {e}") from None
        for sym in ("thunder_native_abi", "thunder_native_robot", "thunder_native_hash",
                    "thunder_native_dtype", "thunder_native_device", "thunder_native_n_functions",
                    "thunder_native_entry"):
            if not hasattr(lib, sym):
                raise NativeLibraryError(f"thunder_torch native: {path} is not a Thunder native "
                                         f"library (no symbol {sym})")
        self.lib = lib
        for name, res, args in (("abi", ctypes.c_int, []), ("robot", ctypes.c_char_p, []),
                                ("hash", ctypes.c_char_p, []), ("dtype", ctypes.c_char_p, []),
                                ("device", ctypes.c_char_p, []), ("n_functions", ctypes.c_int, []),
                                ("name", ctypes.c_char_p, [ctypes.c_int]),
                                ("n_in", ctypes.c_int, [ctypes.c_int]),
                                ("n_out", ctypes.c_int, [ctypes.c_int]),
                                ("size_in", ctypes.c_longlong, [ctypes.c_int, ctypes.c_int]),
                                ("size_out", ctypes.c_longlong, [ctypes.c_int, ctypes.c_int]),
                                ("entry", ctypes.c_void_p, [ctypes.c_int]),
                                ("max_threads", ctypes.c_int, []),
                                ("kernels", ctypes.c_char_p, []), ("lanes", ctypes.c_int, []),
                                ("out_layout", ctypes.c_int, [])):
            f = getattr(lib, "thunder_native_" + name)
            f.restype, f.argtypes = res, args
        abi = lib.thunder_native_abi()
        if abi != ABI_VERSION:
            raise NativeLibraryError(f"thunder_torch native: {path} has ABI {abi}, this runtime "
                                     f"reads ABI {ABI_VERSION}: regenerate")
        lib_robot = lib.thunder_native_robot().decode()
        lib_hash = lib.thunder_native_hash().decode()
        lib_dtype = lib.thunder_native_dtype().decode()
        lib_device = lib.thunder_native_device().decode()
        _, dtype_name = _dtype_tag(dtype)
        if lib_robot != robot:
            raise NativeLibraryError(f"thunder_torch native: {path} was built for robot "
                                     f"'{lib_robot}', not '{robot}'")
        if lib_hash != expected_hash:
            raise NativeLibraryError(f"thunder_torch native: {path} was built from another "
                                     f"generation of {robot} (manifest hash {lib_hash}, "
                                     f"manifest.json beside it hashes to {expected_hash}): regenerate")
        if lib_dtype != dtype_name:
            raise NativeLibraryError(f"thunder_torch native: {path} computes in {lib_dtype}, "
                                     f"requested {dtype_name}")
        if lib_device != device_type:
            raise NativeLibraryError(f"thunder_torch native: {path} runs on {lib_device}, "
                                     f"requested {device_type}")
        self.robot, self.dtype, self.device_type = robot, dtype, device_type
        n = lib.thunder_native_n_functions()
        self.names = [lib.thunder_native_name(i).decode() for i in range(n)]
        self.index = {name: i for i, name in enumerate(self.names)}
        self.sizes_in, self.sizes_out, self.entries = [], [], []
        for e in range(2 * n):
            self.sizes_in.append([lib.thunder_native_size_in(e, j)
                                  for j in range(lib.thunder_native_n_in(e))])
            self.sizes_out.append([lib.thunder_native_size_out(e, j)
                                   for j in range(lib.thunder_native_n_out(e))])
            self.entries.append(_ENTRY(lib.thunder_native_entry(e)))
        self.max_threads = lib.thunder_native_max_threads()
        self.kernels = lib.thunder_native_kernels().decode()
        self.lanes = lib.thunder_native_lanes()
        self.slot_major = lib.thunder_native_out_layout() == 1
        # torch.set_num_threads governs the CPU kernels: the count goes to the library whenever it
        # changed (libraries of an older Thunder have no setter and use OpenMP's default).
        self._set_threads = getattr(lib, "thunder_native_set_threads", None)
        if self._set_threads is not None:
            self._set_threads.restype, self._set_threads.argtypes = None, [ctypes.c_int]
        self._threads = None

    def sync_threads(self):
        """Passes torch.get_num_threads() to the library when it changed since the last call."""
        n = torch.get_num_threads()
        if n != self._threads and self._set_threads is not None:
            self._set_threads(n)
            self._threads = n

    def check_spec(self, spec):
        """Raises NativeLibraryError unless function `spec` (a _FnSpec) matches the library."""
        i = self.index.get(spec.name)
        if i is None:
            raise NativeLibraryError(f"thunder_torch native: {self.path} has no function '{spec.name}'")
        want_in = []
        for kind, k in spec.order:
            if kind == "var":
                _, r, c = spec.vars[k]
                want_in.append(r * c)
            else:
                want_in.append(spec.pars[k][1])
        want_out = [r * c for _, r, c in spec.outputs]
        if self.sizes_in[2 * i] != want_in or self.sizes_out[2 * i] != want_out:
            raise NativeLibraryError(f"thunder_torch native: {self.path}: function '{spec.name}' "
                                     f"takes sizes {self.sizes_in[2 * i]} -> {self.sizes_out[2 * i]}, "
                                     f"the manifest says {want_in} -> {want_out}: regenerate")
        return i

    def row_stride(self, batch):
        """Elements between the rows of a slot-major output. Rows of 4 KiB or more are padded to an
        odd number of 64-byte lines: a tile writes one line in every row, and rows a multiple of
        4 KiB apart put all of those lines in the same cache sets (Panda M at batch 4096, float64,
        one thread: 1.6e7 -> 3.1e7 evals/s). Smaller outputs stay dense."""
        size = self.dtype.itemsize
        if self.device_type != "cpu" or batch * size < 4096:
            return batch
        lines = -(-batch * size // 64)
        lines += 1 - lines % 2
        return lines * 64 // size

    def new_outputs(self, entry, batch, like):
        """Empty output tensors of `entry` for `batch` instances, in the library's layout."""
        if self.slot_major:
            ld = self.row_stride(batch)
            return [like.new_empty_strided((batch, n), (1, ld)) for n in self.sizes_out[entry]]
        return [like.new_empty((batch, n)) for n in self.sizes_out[entry]]

    def call(self, entry, batch, inputs):
        sizes_in = self.sizes_in[entry]
        if len(inputs) != len(sizes_in):
            raise ValueError(f"thunder native_call: entry {entry} takes {len(sizes_in)} inputs, "
                             f"got {len(inputs)}")
        ptrs, strides = [], []
        for j, (t, n) in enumerate(zip(inputs, sizes_in)):
            if t.dtype != self.dtype or t.device.type != self.device_type or t.dim() != 2 \
                    or t.shape[1] != n or t.shape[0] not in (1, batch):
                raise ValueError(f"thunder native_call: input {j} must be a ({batch}, {n}) "
                                 f"{self.dtype} tensor on {self.device_type}, got "
                                 f"{tuple(t.shape)} {t.dtype} on {t.device}")
            sb, se = t.stride()
            if t.shape[0] == 1:
                sb = 0
            if sb < 0 or se < 0:   # flipped views: the kernels take non-negative strides
                t = t.contiguous()
                sb, se = (0 if t.shape[0] == 1 else n), 1
            ptrs.append(t.data_ptr())
            strides += (sb, se)
        ref = inputs[0] if inputs else torch.empty(0, dtype=self.dtype, device=self.device_type)
        outs = self.new_outputs(entry, batch, ref)
        if batch == 0:
            return outs
        return self._run(entry, batch, ptrs, strides, outs, ref.device)

    def _run(self, entry, batch, ptrs, strides, outs, device):
        c_in = (ctypes.c_void_p * max(1, len(ptrs)))(*ptrs)
        c_stride = (ctypes.c_longlong * max(1, len(strides)))(*strides)
        c_out = (ctypes.c_void_p * max(1, len(outs)))(*[o.data_ptr() for o in outs])
        o_stride = []
        for o in outs:
            o_stride += o.stride()
        c_ostride = (ctypes.c_longlong * max(1, len(o_stride)))(*o_stride)
        stream = None
        if self.device_type == "cuda":
            stream = torch.cuda.current_stream(device).cuda_stream
            with torch.cuda.device(device):
                rc = self.entries[entry](c_in, c_stride, c_out, c_ostride, batch, stream)
        else:
            self.sync_threads()
            rc = self.entries[entry](c_in, c_stride, c_out, c_ostride, batch, stream)
        if rc != 0:
            raise RuntimeError(f"thunder native_call: {self.path} entry {entry} "
                               f"({self.names[entry // 2]}{' reverse' if entry % 2 else ''}) "
                               f"failed with code {rc}")
        return outs


def check_elf(path) -> None:
    """NativeLibraryError unless `path` is a whole ELF shared object: its header, program headers,
    section headers and every segment and section that has file contents lie inside the file.
    Mapping a library whose segments reach past the end of the file kills the process with SIGBUS
    at the first touch of the missing pages; this turns a truncated library (whatever manifest.json
    says of it) into an error before dlopen."""
    path = pathlib.Path(path)
    size = path.stat().st_size

    def bad(msg):
        raise NativeLibraryError(f"thunder_torch native: {path}: {msg} (truncated or not a shared "
                                 "library): regenerate with thunder gen --native")

    with open(path, "rb") as f:
        head = f.read(64)
        if len(head) < 64 or head[:4] != b"\x7fELF":
            bad("not an ELF file")
        if head[4] != 2 or head[5] != 1:
            bad("not a 64-bit little-endian ELF file")
        e_type, = struct.unpack_from("<H", head, 16)
        phoff, shoff = struct.unpack_from("<QQ", head, 32)
        phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", head, 54)
        if e_type != 3:
            bad("not a shared object (ELF type %d)" % e_type)
        if phentsize < 56 or phoff + phnum * phentsize > size:
            bad(f"program headers end at byte {phoff + phnum * phentsize}, the file has {size}")
        if shnum and (shentsize < 64 or shoff + shnum * shentsize > size):
            bad(f"section headers end at byte {shoff + shnum * shentsize}, the file has {size}")
        f.seek(phoff)
        ph = f.read(phnum * phentsize)
        for i in range(phnum):
            p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
            if p_type == 1 and p_offset + p_filesz > size:   # PT_LOAD: mapped from the file
                bad(f"segment {i} ends at byte {p_offset + p_filesz}, the file has {size}")
        if shnum:
            f.seek(shoff)
            sh = f.read(shnum * shentsize)
            for i in range(shnum):
                sh_type, = struct.unpack_from("<I", sh, i * shentsize + 4)
                sh_offset, sh_size = struct.unpack_from("<QQ", sh, i * shentsize + 24)
                if sh_type != 8 and sh_offset + sh_size > size:   # SHT_NOBITS (.bss) has no bytes
                    bad(f"section {i} ends at byte {sh_offset + sh_size}, the file has {size}")


def _fresh_copy(path: pathlib.Path) -> pathlib.Path:
    """A private copy of `path` for dlopen: the dynamic loader hands back the library already
    mapped under a path (or inode) instead of the new file a regeneration wrote there, so a second
    generation in one process would be refused as "another generation". The copy is unlinked
    once mapped (closed in open_library)."""
    fd, tmp = tempfile.mkstemp(prefix=path.stem + "-", suffix=".so")
    with os.fdopen(fd, "wb") as f, open(path, "rb") as src:
        shutil.copyfileobj(src, f)
    return pathlib.Path(tmp)


def open_library(out_dir, robot, device_type, dtype) -> int:
    """Loads (once per file version) the library of `out_dir` for this device type and dtype;
    returns its id for native_call. Raises NativeLibraryError if it is missing, truncated or does
    not match, ArtifactError if manifest.json's checksum of it differs."""
    path = library_path(out_dir, robot, device_type, dtype)
    manifest = pathlib.Path(out_dir) / "manifest.json"
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        raise NativeLibraryError(f"thunder_torch native: {path} not found (generate with "
                                 "`thunder gen ... --native`)") from None
    with _LOCK:
        if key in _BY_PATH:
            return _BY_PATH[key]
        data = manifest.read_bytes()
        # Verified before it is mapped: a truncated library would kill the process (SIGBUS).
        _artifacts.verify(out_dir, _artifacts.read_manifest(manifest), path)
        check_elf(path)
        # An earlier version of this path mapped in this process: dlopen would return it.
        stale = any(k[0] == key[0] for k in _BY_PATH)
        load_from = _fresh_copy(path) if stale else path
        try:
            lib = NativeLibrary(load_from, robot, manifest_hash(_artifacts.generation_bytes(data)),
                                dtype, device_type, shown_as=path)
        finally:
            if stale:
                load_from.unlink(missing_ok=True)
        _LIBRARIES.append(lib)
        _BY_PATH[key] = len(_LIBRARIES) - 1
        return _BY_PATH[key]


# -- the torch operator -------------------------------------------------------------------------

def _native_call_impl(lib: int, entry: int, batch: int, inputs: List[torch.Tensor]) -> List[torch.Tensor]:
    """Entry `entry` (2*function + reverse) of native library `lib` over `batch` instances."""
    return _LIBRARIES[lib].call(entry, batch, inputs)


def _native_call_fake(lib, entry, batch, inputs):
    return _LIBRARIES[lib].new_outputs(entry, batch, inputs[0])


def _setup_context(ctx, inputs, output):
    lib, entry, batch, xs = inputs
    ctx.lib, ctx.entry, ctx.batch, ctx.n_in = lib, entry, batch, len(xs)
    ctx.save_for_backward(*xs, *output)


def _backward(ctx, grads):
    if ctx.entry % 2:
        raise RuntimeError("thunder native: second-order derivatives are not compiled (the reverse "
                           "partner has no reverse partner); use backend='torch' for them")
    saved = ctx.saved_tensors
    xs, ys = list(saved[:ctx.n_in]), list(saved[ctx.n_in:])
    seeds = [g if g is not None else torch.zeros_like(y) for g, y in zip(grads, ys)]
    adj = torch.ops.thunder.native_call(ctx.lib, ctx.entry + 1, ctx.batch, xs + ys + seeds)
    return None, None, None, list(adj)


if not hasattr(_STATE, "op"):
    _STATE.op = torch.library.custom_op("thunder::native_call", _native_call_impl, mutates_args=())
    _STATE.op.register_fake(_native_call_fake)
    _STATE.op.register_autograd(_backward, setup_context=_setup_context)
native_call = _STATE.op


# -- torch.func: the same calls as autograd.Functions with vmap and jvp rules ------------------
# A custom op's registered autograd is invisible to torch.func (vmap, grad, jacrev, jacfwd), so
# outside torch.compile the module calls the kernels through these two Functions instead.

def _split_rows(Y, outputs):
    """(sum of sizes, B) schedule result -> per-output (B, size) tensors."""
    res, r = [], 0
    for n in outputs:
        res.append(Y[r:r + n].t())
        r += n
    return res


class _NativeEval(torch.autograd.Function):
    """Entry `entry` (2 * function) of library `lib`; backward: the compiled reverse partner.
    Forward mode runs the module's torch schedule of the same function under torch.func.jvp
    (the kernels have no forward-mode partner)."""

    @staticmethod
    def forward(lib, entry, batch, spec, *inputs):
        return tuple(_LIBRARIES[lib].call(entry, batch, list(inputs)))

    @staticmethod
    def setup_context(ctx, inputs, output):
        lib, entry, batch, spec, *xs = inputs
        ctx.lib, ctx.entry, ctx.batch, ctx.spec, ctx.n_in = lib, entry, batch, spec, len(xs)
        ctx.save_for_backward(*xs, *output)
        ctx.save_for_forward(*xs)

    @staticmethod
    def backward(ctx, *grads):
        saved = ctx.saved_tensors
        xs, ys = list(saved[:ctx.n_in]), list(saved[ctx.n_in:])
        seeds = [g if g is not None else torch.zeros_like(y) for g, y in zip(grads, ys)]
        adj = _NativeRev.apply(ctx.lib, ctx.entry + 1, ctx.batch, ctx.spec, *xs, *ys, *seeds)
        return (None, None, None, None, *adj)

    @staticmethod
    def jvp(ctx, _lib, _entry, _batch, _spec, *tangents):
        spec, batch = ctx.spec, ctx.batch
        xs = ctx.saved_tensors[:ctx.n_in]
        ref = xs[0]

        def run(*ps):   # the schedules take (n, B) blocks; the kernels' inputs are (B, n)
            return spec.fwd.run([p.expand(batch, -1).t() for p in ps], batch, ref.device,
                                ref.dtype, tape=True)
        return tuple(_split_rows(forward_mode(run, xs, tangents), spec.sizes))

    @staticmethod
    def vmap(info, in_dims, lib, entry, batch, spec, *inputs):
        from ._module import fold_vmap
        folded, V = fold_vmap(info, in_dims[4:], inputs, 0, batch)
        outs = _NativeEval.apply(lib, entry, V * batch, spec, *folded)
        return tuple(y.unflatten(0, (V, batch)) for y in outs), (0,) * len(outs)


class _NativeRev(torch.autograd.Function):
    """The reverse partner as a Function: first derivatives under every torch.func transform,
    forward-over-reverse (torch.func.hessian) through the torch reverse schedule, and a clear
    error for reverse-over-reverse (the partner has no compiled partner of its own)."""

    @staticmethod
    def forward(lib, entry, batch, spec, *inputs):
        return tuple(_LIBRARIES[lib].call(entry, batch, list(inputs)))

    @staticmethod
    def setup_context(ctx, inputs, output):
        lib, entry, batch, spec, *xs = inputs
        ctx.batch, ctx.spec, ctx.n_in = batch, spec, len(xs)
        ctx.save_for_forward(*xs)

    @staticmethod
    def jvp(ctx, _lib, _entry, _batch, _spec, *tangents):
        spec, batch = ctx.spec, ctx.batch
        xs = ctx.saved_tensors[:ctx.n_in]
        ref = xs[0]

        def run(*ps):
            return spec.rev.run([p.expand(batch, -1).t() for p in ps], batch, ref.device,
                                ref.dtype, tape=True)
        dX = forward_mode(run, xs, tangents)
        sizes = [x.shape[1] for x in xs[:len(xs) - 2 * len(spec.sizes)]]
        return tuple(_split_rows(dX, sizes))

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("thunder native: second-order derivatives are not compiled (the reverse "
                           "kernel has no reverse partner): load the robot with backend='torch' "
                           "for them (double backward, jacrev of jacrev; torch.func.hessian, forward over "
                           "reverse, works on both backends)")

    @staticmethod
    def vmap(info, in_dims, lib, entry, batch, spec, *inputs):
        from ._module import fold_vmap
        folded, V = fold_vmap(info, in_dims[4:], inputs, 0, batch)
        outs = _NativeRev.apply(lib, entry, V * batch, spec, *folded)
        return tuple(y.unflatten(0, (V, batch)) for y in outs), (0,) * len(outs)


# -- the batch-1 fast path ---------------------------------------------------------------------

class _CallPlan:
    """Everything about one function's native call that does not depend on the inputs: the entry,
    sizes, trailing shapes, output shapes, the symbolic-subset index of each parameter input.
    A call then only checks its arguments and passes their pointers and strides."""

    def __init__(self, lib, entry, spec, device, dtype):
        self.lib, self.entry, self.device, self.dtype = lib, entry, device, dtype
        self.fn = lib.entries[entry]
        self.vars = [((r,) if c == 1 else (r, c), r * c) for _, r, c in spec.vars]
        self.order = spec.order
        self.pars = [(name, size, None if idx is None else torch.tensor(idx, device=device))
                     for name, size, idx in spec.pars]
        self.outputs = [((r,) if c == 1 else (r, c), r * c) for _, r, c in spec.outputs]
        self.n_in, self.n_out = len(spec.order), len(spec.outputs)
        self.single = len(spec.outputs) == 1
        self._subset = {}   # parameter name -> (data_ptr, version, subset tensor)
        self.cuda = device.type == "cuda"

    def _param(self, module, k, grad):
        name, size, idx = self.pars[k]
        p = module.param_vector(name)
        if grad and p.requires_grad:
            return None
        if idx is None:
            return p
        got = self._subset.get(name)
        ver = (p.data_ptr(), p._version)
        if got is None or got[0] != ver:
            got = (ver, p.detach()[idx])
            self._subset[name] = got
        return got[1]

    def __call__(self, module, args, grad):
        if len(args) != len(self.vars):
            return NotImplemented
        if module._folded_sets:   # a folded element changed in place is an error at next use
            module._verify_folded()
        dtype, device = self.dtype, self.device
        batch = None
        ptrs, strides = [], []
        for x, (trail, n) in zip(args, self.vars):
            if not isinstance(x, torch.Tensor) or x.dtype is not dtype or x.device != device \
                    or (grad and x.requires_grad):
                return NotImplemented
            shape, st = x.shape, x.stride()
            nb = len(shape) - len(trail)
            if nb < 0 or nb > 1 or shape[nb:] != trail:
                return NotImplemented   # several batch dimensions: the general path reshapes
            if len(trail) == 2 and st[-2] != trail[1] * st[-1]:
                return NotImplemented
            b = shape[:nb]
            if batch is None:
                batch = b
            elif b != batch:
                return NotImplemented
            ptrs.append(x.data_ptr())
            strides += (st[0] if nb and shape[0] != 1 else 0, st[-1])
        if batch is None:
            batch = ()
        B = batch[0] if batch else 1
        if B == 0:
            return NotImplemented
        if self.pars:
            j = 0
            for kind, i in self.order:
                if kind == "par":
                    p = self._param(module, i, grad)
                    if p is None or p.dim() != 1:
                        return NotImplemented
                    ptrs.insert(j, p.data_ptr())
                    strides[2 * j:2 * j] = (0, p.stride(0))
                j += 1
        if B == 1:   # one instance: every layout is the contiguous one; allocate the final shapes
            outs = [torch.empty((*batch, *trail), dtype=dtype, device=device) for trail, _ in self.outputs]
            o_strides = [0, 1] * len(outs)
        else:
            outs = self.lib.new_outputs(self.entry, B, args[0])
            o_strides = []
            for o in outs:
                o_strides += o.stride()
        vals = ptrs + strides + [o.data_ptr() for o in outs] + o_strides
        buf = (ctypes.c_longlong * len(vals))(*vals)
        n_in, n_out = self.n_in, self.n_out
        args_c = (ctypes.byref(buf), ctypes.byref(buf, 8 * n_in), ctypes.byref(buf, 24 * n_in),
                  ctypes.byref(buf, 8 * (3 * n_in + n_out)))
        if self.cuda:
            with torch.cuda.device(device):
                rc = self.fn(*args_c, B, torch.cuda.current_stream(device).cuda_stream)
        else:
            self.lib.sync_threads()
            rc = self.fn(*args_c, B, None)
        if rc != 0:
            lib = self.lib
            raise RuntimeError(f"thunder native_call: {lib.path} entry {self.entry} "
                               f"({lib.names[self.entry // 2]}) failed with code {rc}")
        if B != 1:
            outs = [y.view(*batch, *trail) for y, (trail, _) in zip(outs, self.outputs)]
        return outs[0] if self.single else tuple(outs)


# -- the module backend -------------------------------------------------------------------------

class NativeBackend:
    """Attached to a ThunderModule by load(backend="native"|"auto"): evaluates every function with
    the compiled library of the inputs' device type and dtype. strict=True (backend="native")
    raises when that library is missing; strict=False falls back to the torch schedules."""

    def __init__(self, out_dir, manifest, specs, strict):
        self.out_dir = pathlib.Path(out_dir)
        self.robot = manifest.get("robot", "")
        self.specs = specs
        self.strict = strict
        self._libs = {}   # (device type, dtype) -> (lib id, {function name: index}) or error
        self._plans = {}  # (function, device, dtype) -> _CallPlan, or None where no library

    def library(self, device_type, dtype):
        """(lib id, {name: function index}); raises NativeLibraryError when missing/mismatched."""
        key = (device_type, dtype)
        got = self._libs.get(key)
        if got is None:
            try:
                if device_type not in ("cpu", "cuda"):
                    raise NativeLibraryError(f"thunder_torch native: no native kernels for device "
                                             f"type '{device_type}' (cpu and cuda only)")
                lib_id = open_library(self.out_dir, self.robot, device_type, dtype)
                lib = _LIBRARIES[lib_id]
                index = {name: lib.check_spec(spec) for name, spec in self.specs.items()}
                got = (lib_id, index)
            except NativeLibraryError as e:
                got = e
            self._libs[key] = got
        if isinstance(got, Exception):
            raise got
        return got

    def available(self, device_type, dtype):
        got = self._libs.get((device_type, dtype))
        if got is not None:   # decided: no raise (torch.compile cannot trace re-raising it)
            return not isinstance(got, Exception)
        try:
            self.library(device_type, dtype)
            return True
        except NativeLibraryError:
            return False

    def fast(self, module, spec, args):
        """The outputs of the call `spec(*args)` without keyword arguments through the cached
        plan of (function, device, dtype), or NotImplemented when the call needs the general
        path: an argument that is not a tensor of the module's dtype and device with the exact
        trailing shape, batch shapes that differ, anything autograd must record, or tracing by
        torch.compile. The general path then checks and reports as always."""
        device, dtype = module._ref.device, module._ref.dtype
        key = (spec.name, device, dtype)
        plan = self._plans.get(key, False)
        if plan is False:
            plan = None
            if spec.order and (device.type in ("cpu", "cuda")) and (self.strict or self.available(device.type, dtype)):
                lib_id, index = self.library(device.type, dtype)
                plan = _CallPlan(_LIBRARIES[lib_id], 2 * index[spec.name], spec, device, dtype)
            self._plans[key] = plan
        if plan is None or torch.compiler.is_compiling() or in_transform():
            return NotImplemented
        return plan(module, args, torch.is_grad_enabled())

    def evaluate(self, module, spec, xs, ps, batch):
        """The function's outputs, or None to let the torch schedules evaluate it."""
        device, dtype = module.device, module.dtype
        if not spec.order:
            return None   # no inputs to carry device and dtype: the torch path handles it
        if self.strict:
            lib_id, index = self.library(device.type, dtype)
        elif self.available(device.type, dtype):
            lib_id, index = self.library(device.type, dtype)
        else:
            return None
        B = math.prod(batch)
        inputs = []
        for kind, i in spec.order:
            t, trail = xs[i] if kind == "var" else ps[i]
            inputs.append(t.expand(*batch, *trail).reshape(B, math.prod(trail)))
        entry = 2 * index[spec.name]
        if torch.compiler.is_compiling():   # the custom op: a fake implementation for tracing
            outs = torch.ops.thunder.native_call(lib_id, entry, B, inputs)
        elif in_transform() or (torch.is_grad_enabled() and any(t.requires_grad for t in inputs)):
            outs = _NativeEval.apply(lib_id, entry, B, spec, *inputs)
        else:
            outs = _LIBRARIES[lib_id].call(entry, B, inputs)   # no graph to record: skip dispatch
        res = []
        for y, (_, rows, cols) in zip(outs, spec.outputs):
            res.append(y.reshape(*batch, rows) if cols == 1 else y.reshape(*batch, rows, cols))
        return res[0] if len(res) == 1 else tuple(res)
