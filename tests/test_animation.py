"""The animation (symtconv.figures.animation): frames as data checked against the engine,
the GIF written by matplotlib's Pillow writer, the CLI's --kind animation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_figures import no_matplotlib  # noqa: F401 (a fixture)

from symtconv import Geometry
from symtconv.cli import main
from symtconv.engine import scatter_terms
from symtconv.errors import MissingDependencyError, ParameterError, ShapeError, TooLargeError
from symtconv.figures.animation import (
    MAX_FRAMES,
    animation_captions,
    animation_cost,
    animation_frames,
    write_animation,
)

SEED = Geometry((3, 3), 3, stride=2, padding=1)
SEED_Y = [[9, 1, 3], [7, 8, 7], [8, 2, 2]]
SEED_W = [[4, 2, 3], [1, 4, 3], [1, 1, 1]]
#: The seed's published output.
SEED_X = [[36, 28, 4, 6, 12], [23, 63, 17, 56, 17], [28, 29, 32, 31, 28],
          [23, 47, 12, 29, 11], [32, 26, 8, 8, 8]]

GEOMETRIES = [
    SEED,
    Geometry(4, 3),
    Geometry(5, 3, stride=2, padding=1, output_padding=1),
    Geometry(2, 2, stride=1, dilation=3, output_padding=2),  # s <= a < d
    Geometry(8, 3, stride=1, padding=3),  # a crop
    Geometry(3, 2, stride=4),  # outputs no term reaches
    Geometry((3, 2), (2, 3), stride=(2, 1), padding=((1, 0), 0), dilation=(1, 2)),
    Geometry((2, 3), 2, stride=(3, 1), output_padding=(1, 0)),
]


@pytest.mark.parametrize("g", GEOMETRIES, ids=lambda g: g.describe())
def test_each_sliding_frame_holds_the_engines_terms(g):
    frames = animation_frames(g)
    slides = [f for f in frames if f.stage == "slide"]
    assert [f.stage for f in frames[:4]] == ["input", "zeros", "pad", "flip"]
    assert [f.output for f in slides] == list(np.ndindex(*g.output_size))
    assert len(frames) == animation_cost(g)[0] == 4 + int(np.prod(g.output_size))
    reference = scatter_terms(g)
    i_shape, k_shape = g.input_size, g.kernel_size
    for frame in slides:
        expected = sorted(
            (int(np.ravel_multi_index(n[1:], i_shape)), int(np.ravel_multi_index(m[2:], k_shape)))
            for _, n, m in reference.output_terms((0, *frame.output))
        )
        assert list(frame.terms) == expected, (g.describe(), frame.output)
        # the window: j + d·t for every tap t, inside the padded input
        assert len(frame.window) == int(np.prod(k_shape))
        assert all(0 <= q < n for pos in frame.window
                   for q, n in zip(pos, frame.grid.shape, strict=True))


def test_the_steps_are_zero_insertion_then_padding():
    frames = animation_frames(Geometry(3, 3, stride=2, padding=((1, 0),), output_padding=1))
    assert frames[0].grid.tolist() == [0, 1, 2]
    assert frames[1].grid.tolist() == [0, -1, 1, -1, 2]
    # pad d(k-1)-p = 1 before and d(k-1)-p_end+a = 3 after
    assert frames[2].grid.tolist() == [-1, 0, -1, 1, -1, 2, -1, -1, -1]
    assert frames[3].kernel.tolist() == [2, 1, 0]
    assert "pad 1 before, pad 3 after" in frames[2].caption
    crop = animation_frames(Geometry(8, 3, stride=1, padding=3))
    assert "crop 1 before, crop 1 after" in crop[2].caption


def test_captions_reproduce_the_seed_numbers():
    captions = animation_captions(SEED, SEED_Y, SEED_W)
    assert captions[4] == "x_{0,0} = w_{1,1}·y_{0,0} = 4·9 = 36"
    for caption, j in zip(captions[4:], np.ndindex(5, 5), strict=True):
        assert caption.endswith(f" = {SEED_X[j[0]][j[1]]}"), caption
    assert animation_captions(Geometry(3, 2, stride=4))[6] == "x_{2} = 0 (no term lands here)"


def test_gif_has_one_frame_per_step(tmp_path):
    pytest.importorskip("matplotlib", reason="the animation needs the 'plot' extra")
    from PIL import Image

    g = Geometry(4, 2, stride=2, output_padding=1)
    path = write_animation(g, tmp_path / "steps.gif", y=[1, 2, 3, 4], w=[1, -1], dpi=60)
    with Image.open(path) as gif:
        assert gif.n_frames == 4 + 9
        frames = []
        for n in range(gif.n_frames):
            gif.seek(n)
            frames.append(np.asarray(gif.convert("RGB")))
    assert len({f.tobytes() for f in frames}) == len(frames)  # every frame shows something new
    assert all(f.std() > 10 for f in frames)  # none is blank


@pytest.mark.parametrize(
    ("call", "error", "needle"),
    [
        (lambda p: write_animation(SEED, p / "a.png"), ParameterError, ".gif"),
        (lambda p: write_animation(Geometry((2, 2, 2), 2), p / "a.gif"), ParameterError,
         "one or two"),
        (lambda p: write_animation(Geometry(3, 2, in_channels=2), p / "a.gif"), ParameterError,
         "in_channels=2"),
        (lambda p: write_animation(SEED, p / "a.gif", y=SEED_Y), ParameterError, "together"),
        (lambda p: write_animation(SEED, p / "a.gif", y=[1, 2], w=SEED_W), ShapeError, "(3, 3)"),
        (lambda p: write_animation(Geometry(MAX_FRAMES, 1), p / "a.gif"), TooLargeError,
         "frames"),
        (lambda p: write_animation(SEED, p / "a.gif", size=(40, 40)), TooLargeError, "pixels"),
    ],
)
def test_bad_requests(tmp_path, call, error, needle):
    with pytest.raises(error, match=needle.replace(".", r"\.").replace("(", r"\(")
                       .replace(")", r"\)")):
        call(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_the_animation(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib", reason="the animation needs the 'plot' extra")
    monkeypatch.chdir(tmp_path)
    status = main(["figure", "--kind", "animation", "--input", "3", "--kernel", "2",
                   "--stride", "2", "-o", "steps.gif", "--dpi", "50", "--json"])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert json.loads(out)["path"] == "steps.gif" and (tmp_path / "steps.gif").stat().st_size
    status = main(["figure", "--kind", "animation", "--input", "3", "--kernel", "2",
                   "-o", "steps.png"])
    _, err = capsys.readouterr()
    assert status == 2 and ".gif" in err and err.count("\n") == 1


def test_missing_matplotlib_names_the_extra(no_matplotlib, tmp_path):  # noqa: F811
    with pytest.raises(MissingDependencyError, match=r"pip install 'symtconv\[plot\]'"):
        write_animation(SEED, tmp_path / "a.gif")
    assert not (tmp_path / "a.gif").exists()
    assert animation_frames(SEED)  # the frames are data: no matplotlib needed
