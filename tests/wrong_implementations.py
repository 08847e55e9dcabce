"""Deliberately wrong transposed convolutions, as a kernel author might write them.

One from-scratch flip-and-pad implementation (zero insertion, padding, flipped kernel,
stride-1 correlation, written with plain loops) with a knob for each classic mistake.
"""

from __future__ import annotations

from functools import partial

import numpy as np


def _tuple(value, ndim):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim


def flip_and_pad(
    input,
    weight,
    bias=None,
    stride=1,
    padding=0,
    output_padding=0,
    groups=1,
    dilation=1,
    *,
    flip=True,
    pad_delta=0,
    use_output_padding=True,
    use_dilation=True,
    swap_channels=False,
    use_stride=True,
    use_bias=True,
):
    x = np.asarray(input, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    ndim = w.ndim - 2
    batched = x.ndim == ndim + 2
    if not batched:
        x = x[None]
    s = _tuple(stride, ndim) if use_stride else (1,) * ndim
    d = _tuple(dilation, ndim) if use_dilation else (1,) * ndim
    p = _tuple(padding, ndim)
    a = _tuple(output_padding, ndim) if use_output_padding else (0,) * ndim
    k = w.shape[2:]
    c_in, per_out = w.shape[0], w.shape[1]
    c_out = per_out * groups
    per_in = c_in // groups
    n_batch, _, *i = x.shape
    # 1. zero insertion
    stretched = np.zeros(
        (n_batch, c_in, *[(ii - 1) * ss + 1 for ii, ss in zip(i, s, strict=False)])
    )
    stretched[(slice(None), slice(None), *[slice(None, None, ss) for ss in s])] = x
    # 2. padding d(k-1)-p before, d(k-1)-p+a after (negative: crop)
    before = [dd * (kk - 1) - pp + pad_delta for dd, kk, pp in zip(d, k, p, strict=False)]
    after = [
        dd * (kk - 1) - pp + aa + pad_delta for dd, kk, pp, aa in zip(d, k, p, a, strict=False)
    ]
    shape = [n + b + e for n, b, e in zip(stretched.shape[2:], before, after, strict=False)]
    padded = np.zeros((n_batch, c_in, *shape))
    src = tuple(
        slice(max(0, -b), n - max(0, -e))
        for n, b, e in zip(stretched.shape[2:], before, after, strict=False)
    )
    dst = tuple(
        slice(max(0, b), max(0, b) + sl.stop - sl.start) for b, sl in zip(before, src, strict=False)
    )
    padded[(slice(None), slice(None), *dst)] = stretched[(slice(None), slice(None), *src)]
    # 3. flip the kernel
    kernel = np.flip(w, tuple(range(2, w.ndim))) if flip else w
    # 4. stride-1 correlation with dilation d
    out_size = [n - dd * (kk - 1) for n, dd, kk in zip(shape, d, k, strict=False)]
    out = np.zeros((n_batch, c_out, *out_size))
    for co in range(c_out):
        group, local = divmod(co, per_out)
        for ci in range(group * per_in, (group + 1) * per_in):
            for m in np.ndindex(*k):
                # the swap: the weight read in a convolution's layout (C_out, C_in/g, *k)
                tap = (
                    kernel[co, ci - group * per_in, *m] if swap_channels else kernel[ci, local, *m]
                )
                window = tuple(
                    slice(dd * mm, dd * mm + n) for dd, mm, n in zip(d, m, out_size, strict=False)
                )
                out[:, co] += padded[(slice(None), ci, *window)] * tap
    if bias is not None and use_bias:
        out += np.asarray(bias, dtype=np.float64).reshape(-1, *(1,) * ndim)
    return out if batched else out[0]


# One name per mistake, so that `symtconv check tests/wrong_implementations.py:NAME` works.
correct = flip_and_pad
kernel_not_flipped = partial(flip_and_pad, flip=False)
padding_too_large = partial(flip_and_pad, pad_delta=1)
padding_too_small = partial(flip_and_pad, pad_delta=-1)
output_padding_ignored = partial(flip_and_pad, use_output_padding=False)
dilation_ignored = partial(flip_and_pad, use_dilation=False)
channels_swapped = partial(flip_and_pad, swap_channels=True)
stride_ignored = partial(flip_and_pad, use_stride=False)
bias_ignored = partial(flip_and_pad, use_bias=False)


def batch_mixed(input, weight, bias=None, **kwargs):
    """Right for one sample, but every sample of a batch gets the whole batch's sum."""
    out = flip_and_pad(input, weight, None, **kwargs)
    if input.ndim == weight.ndim and input.shape[0] > 1:  # batched, N > 1
        out = np.broadcast_to(out.sum(axis=0, keepdims=True), out.shape)
    if bias is not None:
        out = out + np.asarray(bias).reshape(-1, *(1,) * (weight.ndim - 2))
    return out


def later_samples_wrong(input, weight, bias=None, **kwargs):
    """Right on the first sample of a batch, one too much on every later sample."""
    out = flip_and_pad(input, weight, bias, **kwargs)
    if input.ndim == weight.ndim and input.shape[0] > 1:  # batched, N > 1
        out[1:] += 1
    return out


def only_2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
            dilation=1):
    """A correct kernel for 2-D only (and no dilation), as many real kernels are."""
    sh, sw = stride  # a 1-D or 3-D call fails here: ValueError, not enough values to unpack
    if tuple(dilation) != (1, 1):
        raise NotImplementedError("no dilation")
    return flip_and_pad(input, weight, bias, (sh, sw), padding, output_padding, groups)


def only_2d_unflipped(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                      groups=1, dilation=1):
    """The same 2-D-only kernel with the classic mistake: the kernel is not flipped."""
    sh, sw = stride
    return flip_and_pad(input, weight, bias, (sh, sw), padding, output_padding, groups,
                        flip=False)


# Misbehaving implementations: each must be a failure with its own diagnosis, never a pass.


def sleeps(input, weight, bias=None, **kwargs):
    import time

    time.sleep(60)


def busy_loop(input, weight, bias=None, **kwargs):
    while True:
        pass


def exits_zero(input, weight, bias=None, **kwargs):
    import sys

    sys.exit(0)


def interrupts(input, weight, bias=None, **kwargs):
    raise KeyboardInterrupt


def segfaults(input, weight, bias=None, **kwargs):
    import os
    import signal

    os.kill(os.getpid(), signal.SIGSEGV)


def aborts(input, weight, bias=None, **kwargs):
    import os

    os.abort()


def prints(input, weight, bias=None, **kwargs):
    """Correct, but chatty on both streams."""
    import sys

    print("hello from the kernel")
    print("a warning from the kernel", file=sys.stderr)
    return flip_and_pad(input, weight, bias, **kwargs)


def mutates_input(input, weight, bias=None, **kwargs):
    """Correct output, but the input is overwritten (e.g. used as scratch space)."""
    out = flip_and_pad(input, weight, bias, **kwargs)
    input[...] = 0
    return out


def returns_input(input, weight, bias=None, **kwargs):
    return input


def returns_strings(input, weight, bias=None, **kwargs):
    return flip_and_pad(input, weight, bias, **kwargs).astype(str)


def returns_bools(input, weight, bias=None, **kwargs):
    return flip_and_pad(input, weight, bias, **kwargs) != 0


def returns_complex(input, weight, bias=None, **kwargs):
    return flip_and_pad(input, weight, bias, **kwargs) + 0j


def returns_nan(input, weight, bias=None, **kwargs):
    out = flip_and_pad(input, weight, bias, **kwargs)
    out.flat[-1] = np.nan
    return out


# The torch and jax conventions: the real libraries, and a planted mistake each.


def torch_functional(input, weight, bias=None, **kwargs):
    """Tensors in, a tensor out: torch.nn.functional.conv_transpose{1,2,3}d itself."""
    import torch

    return getattr(torch.nn.functional, f"conv_transpose{weight.ndim - 2}d")(
        input, weight, bias, **kwargs)


def torch_unflipped(input, weight, bias=None, **kwargs):
    import torch

    return torch_functional(input, torch.flip(weight, tuple(range(2, weight.ndim))), bias,
                            **kwargs)


def jax_lax(lhs, rhs, **kwargs):
    """jax.lax.conv_transpose itself (in float64)."""
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax.lax.conv_transpose(lhs, rhs, **kwargs)


def jax_without_transpose_kernel(lhs, rhs, *, transpose_kernel, **kwargs):
    """The classic port from PyTorch to JAX: transpose_kernel left at False."""
    return jax_lax(lhs, rhs, transpose_kernel=False, **kwargs)
