"""ONNX ConvTranspose refuses an output too large to build before allocating it
(symtconv.frameworks.onnx.OUTPUT_BYTES), instead of numpy's MemoryError."""

from __future__ import annotations

import numpy as np
import pytest

from symtconv.errors import TooLargeError
from symtconv.frameworks import onnx as onnx_module
from symtconv.frameworks.onnx import onnx_conv_transpose


def test_a_huge_output_shape_is_refused_in_one_line() -> None:
    with pytest.raises(TooLargeError, match="OUTPUT_BYTES=2 GiB") as info:
        onnx_conv_transpose(np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3)),
                            output_shape=[10**6, 10**6])
    assert "1,000,000,000,000 entries" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "attrs", [{"output_shape": [9, 11]}, {"strides": [3, 2], "pads": [1, 0, 0, 2]}]
)
def test_the_estimate_is_the_size_of_the_real_output(monkeypatch, attrs) -> None:
    x, w = np.ones((2, 2, 3, 4)), np.ones((2, 3, 3, 3))
    out = onnx_conv_transpose(x, w, group=2, **attrs)
    needed = 2 * 8 * out.size  # the output and its working copy, 8 bytes an entry
    monkeypatch.setattr(onnx_module, "OUTPUT_BYTES", needed)
    assert onnx_conv_transpose(x, w, group=2, **attrs).shape == out.shape
    monkeypatch.setattr(onnx_module, "OUTPUT_BYTES", needed - 1)
    with pytest.raises(TooLargeError, match=f"{out.size:,} entries"):
        onnx_conv_transpose(x, w, group=2, **attrs)
