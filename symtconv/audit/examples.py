"""Example models to audit (need torch): ``symtconv audit symtconv.audit.examples:dcgan``.

``dcgan`` is DCGAN's generator (Radford et al., 2016): 100 → 512 → 256 → 128 → 64 → 3
channels, kernel 4, the first layer stride 1 (1×1 → 4×4), the others stride 2 and
padding 1, up to a 64×64 image; run it on ``--input-shape 1 100 1 1``.  Its kernels are
divisible by the stride: no checkerboard.  ``upsampler`` doubles an image's size twice
with 3×3 kernels and stride 2 — the classic source of checkerboard artifacts
(``--input-shape 1 8 16 16``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["dcgan", "upsampler"]


def _nn() -> Any:
    from .torch_model import import_torch

    return import_torch().nn


def dcgan(channels: tuple[int, ...] = (100, 512, 256, 128, 64, 3)) -> Any:
    """DCGAN's generator: ConvTranspose2d, BatchNorm2d and ReLU blocks, then Tanh."""
    nn = _nn()
    layers: list[Any] = []
    for n in range(len(channels) - 1):
        first = n == 0
        layers.append(nn.ConvTranspose2d(channels[n], channels[n + 1], 4, 1 if first else 2,
                                         0 if first else 1, bias=False))
        last = n == len(channels) - 2
        layers += [nn.Tanh()] if last else [nn.BatchNorm2d(channels[n + 1]), nn.ReLU(True)]
    return nn.Sequential(*layers)


def upsampler() -> Any:
    """Two 3×3, stride-2 transposed convolutions (8 → 8 → 3 channels), each ×2 in size."""
    nn = _nn()
    return nn.Sequential(
        nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(8, 3, 3, stride=2, padding=1, output_padding=1),
    )
