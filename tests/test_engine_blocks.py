"""The engine in blocks (symtconv.engine.blocks): the blocks partition the outputs, every
method run block by block agrees with a SymPy scatter written here, a method that drops,
duplicates or moves a block's terms is caught, a block's keys only need to fit for the
block, and the layer-wide limits refuse in one line before any work.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine import sympy_scatter

from symtconv import Geometry
from symtconv import engine as E
from symtconv.engine import blocks as engine_blocks
from symtconv.engine import term_sets as engine_term_sets
from symtconv.errors import ShapeError, TooLargeError
from symtconv.limits import require
from symtconv.strategies import geometries


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch):
    """Set the block budgets (terms, outputs) for one test."""

    def set_budget(terms: int, outputs: int) -> None:
        monkeypatch.setattr(engine_blocks, "BLOCK_TERMS", terms)
        monkeypatch.setattr(engine_blocks, "BLOCK_OUTPUTS", outputs)

    return set_budget


def brute_force_terms_in(g: Geometry, block: E.Block) -> int:
    """The y·w products landing in ``block``, by looping over every n, m and channel pair."""
    per_axis = []
    for ax, (low, high) in zip(g.axes, block.spatial, strict=True):
        per_axis.append(
            sum(
                1
                for n in range(int(ax.i))
                for m in range(int(ax.k))
                if max(low, 0) <= n * ax.s + m * ax.d - ax.p_begin < min(high, int(ax.output))
            )
        )
    channels = block.channels[1] - block.channels[0]
    return channels * (g.in_channels // g.groups) * math.prod(per_axis)


# --------------------------------------------------------------------------- #
# The plan partitions the outputs
# --------------------------------------------------------------------------- #


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(geometries(max_input=5), st.integers(1, 40), st.integers(1, 30))
def test_blocks_partition_the_outputs_within_the_budget(g, terms, outputs) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_blocks, "BLOCK_TERMS", terms)
        patch.setattr(engine_blocks, "BLOCK_OUTPUTS", outputs)
        try:
            blocks = E.plan(g)
        except TooLargeError as error:
            # only when one output alone has more terms than a block holds
            assert "a single output" in str(error)
            assert str(error).count("\n") == 0
            return
    covered = np.zeros(g.output_shape, dtype=int)
    for block in blocks:
        box = (slice(*block.channels), *(slice(lo, hi) for lo, hi in block.spatial))
        covered[box] += 1
        assert brute_force_terms_in(g, block) <= terms
        assert block.outputs <= outputs
    assert (covered == 1).all()  # every output in exactly one block


def test_a_layer_too_large_for_one_block_is_tiled_and_proved(small_blocks) -> None:
    g = Geometry((5, 4), 3, stride=(2, 1), padding=(1, 0), in_channels=2, out_channels=3)
    small_blocks(30, 12)
    blocks = E.plan(g)
    assert len(blocks) > 3 * 2  # several tiles per output channel
    assert all(b.channels[1] - b.channels[0] == 1 for b in blocks)
    proof = E.prove_fast(g, progress=False)
    assert proof.proved and proof.terms == g.count_terms()
    assert f"in {len(blocks)} blocks" in proof.comparisons[0].detail


def test_whole_channels_are_grouped_when_they_fit(small_blocks) -> None:
    g = Geometry(4, 3, stride=2, in_channels=2, out_channels=6, groups=2)
    per_channel = g.count_terms() // g.out_channels
    small_blocks(2 * per_channel, 10**6)
    blocks = E.plan(g)
    assert [b.channels for b in blocks] == [(0, 2), (2, 4), (4, 6)]
    assert all(b.spatial == ((0, int(g.output_size[0])),) for b in blocks)


# --------------------------------------------------------------------------- #
# Every method, block by block, against SymPy
# --------------------------------------------------------------------------- #


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(geometries(max_input=4), st.integers(1, 12))
def test_every_method_in_blocks_agrees_with_sympy_scatter(g, budget) -> None:
    expected = sympy_scatter(g)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_blocks, "BLOCK_TERMS", budget)
        patch.setattr(engine_blocks, "BLOCK_OUTPUTS", budget)
        try:
            blocks = E.plan(g)
        except TooLargeError:
            return
        proof = E.prove_fast(g, progress=False)
    assert proof.terms == g.count_terms()
    assert proof.proved is bool(g.is_adjoint)
    for block in blocks:
        box = (slice(*block.channels), *(slice(lo, hi) for lo, hi in block.spatial))
        for method in E.METHOD_TERMS:
            if method in ("transpose", "vjp") and not g.is_adjoint:
                continue
            ts = E.terms(g, method, block)
            assert ts.space.output_shape == block.shape
            assert ts.space.origin == block.origin
            for local in np.ndindex(*block.shape):
                index = tuple(v + o for v, o in zip(local, block.origin, strict=True))
                assert sp.expand(ts.expression(index) - expected[index]) == 0, (method, index)
            assert (ts.to_sympy() == expected[box]).all()


# --------------------------------------------------------------------------- #
# Planted mistakes, block by block
# --------------------------------------------------------------------------- #

PLANTED = Geometry((4, 3), (3, 2), stride=(2, 1), padding=(1, 0), in_channels=2, out_channels=2)


def planted_proof(method, small_blocks) -> tuple[E.Block, ...]:
    small_blocks(20, 6)
    blocks = E.plan(PLANTED)
    assert len(blocks) >= 4
    return blocks


def test_a_method_that_drops_a_block_is_caught(small_blocks) -> None:
    blocks = planted_proof(None, small_blocks)
    dropped = blocks[2]

    def drops_one_block(g, block=None):
        ts = E.terms(g, "flip_and_pad", block)
        return E.TermSet(ts.space) if block == dropped else ts

    proof = E.prove_fast(PLANTED, methods={"flip_and_pad": drops_one_block}, progress=False)
    (comparison,) = proof.comparisons
    assert not proof.proved and comparison.holds is False
    first = comparison.mismatches[0]
    assert first.extra == () and first.missing
    inside = zip(first.output, dropped.origin, dropped.shape, strict=True)
    assert all(lo <= v < lo + n for v, lo, n in inside)
    assert comparison.differing == np.count_nonzero(
        [E.terms(PLANTED, "scatter", dropped).expression(i) != 0 for i in _indices(dropped)]
    )


def test_a_method_that_duplicates_a_block_is_caught(small_blocks) -> None:
    blocks = planted_proof(None, small_blocks)

    def duplicates_one_block(g, block=None):
        ts = E.terms(g, "transpose", block)
        return ts + ts if block == blocks[-1] else ts

    proof = E.prove_fast(PLANTED, methods={"transpose": duplicates_one_block}, progress=False)
    (comparison,) = proof.comparisons
    assert not proof.proved
    first = comparison.mismatches[0]
    assert first.missing == ()
    # one copy too many: the difference is the output's own polynomial
    assert first.difference == str(E.terms(PLANTED).expression(first.output))
    assert first.output[:1] == blocks[-1].channels[:1] or first.output[0] >= blocks[-1].origin[0]


def test_a_method_that_answers_for_another_block_is_caught(small_blocks) -> None:
    blocks = planted_proof(None, small_blocks)

    def shifted(g, block=None):
        number = blocks.index(block)
        other = blocks[(number + 1) % len(blocks)]
        wrong = E.terms(g, "vjp", other)
        if other.shape != block.shape:
            return wrong
        return E.TermSet(E.TermSpace.of(g, block), wrong.keys, wrong.coefficients)

    proof = E.prove_fast(PLANTED, methods={"vjp": shifted}, progress=False)
    assert not proof.proved
    assert proof.comparisons[0].holds is False


def test_a_method_that_ignores_the_block_is_caught(small_blocks) -> None:
    planted_proof(None, small_blocks)
    proof = E.prove_fast(
        PLANTED, methods={"scatter_whole": lambda g, block=None: E.terms(g)}, progress=False
    )
    assert not proof.proved
    detail = proof.comparisons[0].detail
    assert detail.startswith("block of shape (2, 7, 4) at (0, 0, 0) differs from the reference's")
    assert "more blocks" in detail


def test_a_longer_output_is_caught_even_past_the_last_block(small_blocks) -> None:
    # one extra row of padding after: the correlation's output is one row longer than the
    # layer's, in outputs that no block of the plan contains
    small_blocks(20, 6)

    def one_row_too_many(g, block=None):
        axes = g.axes
        before = [ax.d * (ax.k - 1) - ax.p_begin for ax in axes]
        after = [ax.d * (ax.k - 1) - ax.p_end + ax.a for ax in axes]
        after[0] += 1
        padded = E.pad_or_crop(E.zero_insertion(g), before, after)
        return E.correlate(g, padded, E.flip_kernel(g), block)

    proof = E.prove_fast(PLANTED, methods={"flip_and_pad": one_row_too_many}, progress=False)
    assert not proof.proved
    assert "output shape (2, 8, 4) differs from the reference's (2, 7, 4)" in str(proof)


def _indices(block: E.Block):
    for local in np.ndindex(*block.shape):
        yield tuple(v + o for v, o in zip(local, block.origin, strict=True))


def test_a_reference_that_drops_a_block_is_not_a_proof(small_blocks) -> None:
    # the reference and the method agree on the blocks they both have, but one block is
    # missing from both: the proof's terms then differ from the closed-form count
    blocks = planted_proof(None, small_blocks)

    def leaky(g, block=None):
        ts = E.terms(g, "scatter", block)
        return E.TermSet(ts.space) if block == blocks[1] else ts

    proof = E.prove_fast(PLANTED, methods={"scatter": leaky, "same": leaky}, progress=False)
    assert proof.terms < PLANTED.count_terms()
    assert not proof.proved


# --------------------------------------------------------------------------- #
# Keys, limits and memory
# --------------------------------------------------------------------------- #


def test_keys_only_need_to_fit_for_a_block(monkeypatch, small_blocks) -> None:
    g = Geometry((6, 5), 3, stride=2, in_channels=2, out_channels=2)
    space = E.TermSpace.of(g)
    limit = space.size // 8  # the whole layer's keys no longer fit, a block's do
    monkeypatch.setattr(engine_term_sets, "_KEY_LIMIT", limit)
    monkeypatch.setattr(engine_blocks, "_KEY_LIMIT", limit)
    with pytest.raises(TooLargeError, match="< 2\\*\\*63"):
        E.terms(g, "scatter")
    blocks = E.plan(g)
    assert all(E.TermSpace.of(g, b).size <= limit for b in blocks)
    proof = E.prove_fast(g, progress=False)
    assert proof.proved and proof.terms == g.count_terms() and len(blocks) >= 8


def test_the_block_budget_bounds_the_estimated_peak_below_2_gib() -> None:
    worst = E.EngineCost(
        terms=E.MAX_TERMS,
        outputs=E.MAX_TERMS,
        map_entries=engine_blocks.MAP_ENTRIES,
        blocks=engine_blocks.MAX_BLOCKS,
        block_terms=engine_blocks.BLOCK_TERMS,
        block_outputs=engine_blocks.BLOCK_OUTPUTS,
    )
    assert worst.peak_bytes <= 2 * 2**30
    g = Geometry((22, 22), 7, in_channels=64, out_channels=64)
    layer = E.estimate(g)
    assert layer.terms == g.count_terms() == 97_140_736
    assert layer.block_terms <= engine_blocks.BLOCK_TERMS and layer.blocks > 1
    # the limits mechanism's closed-form bound is at least the plan's estimate, and accepts it
    assert layer.peak_bytes <= g.cost("engine").bytes <= 2 * 2**30
    require(g.cost("engine"))


@pytest.mark.parametrize(
    "geometry, limit",
    [
        (Geometry(3, 100_000, dilation=1_000), "engine.entries"),  # 10**8 outputs
        (Geometry((100, 100), 10, in_channels=128, out_channels=128), "engine.terms"),
        (Geometry(4, 3, stride=10**7), "engine.entries"),  # a stretched map of 3·10**7 + 1
        (Geometry(10**19, 3), "engine.terms"),
    ],
    ids=["huge-dilation", "too-many-terms", "huge-stride", "huge-input"],
)
def test_layer_wide_limits_refuse_before_any_work(geometry, limit) -> None:
    with pytest.raises(TooLargeError, match=limit) as info:
        E.prove_fast(geometry)
    assert "\n" not in str(info.value)
    with pytest.raises(TooLargeError, match=limit):  # the limits mechanism agrees
        require(geometry.cost("engine"))


def test_a_single_output_larger_than_a_block_is_refused(small_blocks) -> None:
    small_blocks(5, 100)
    with pytest.raises(TooLargeError, match="a single output has up to 6 y·w terms"):
        E.plan(Geometry(4, 3, in_channels=2, out_channels=1))


def test_the_cli_refuses_a_huge_output_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "symtconv", "prove", "--input", "3", "--kernel", "100000",
         "--dilation", "1000", "--engine", "fast"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "engine.entries" in lines[0]


@pytest.mark.parametrize("engine", ["sympy", "fast", "auto"])
def test_huge_padded_arrays_are_refused_by_both_tiers_in_one_line(engine) -> None:
    # one output and four terms per axis, but padded arrays of 10**7 + 1 per axis
    done = subprocess.run(
        [sys.executable, "-m", "symtconv", "prove", "--engine", engine, "--input", "1", "1",
         "--kernel", "2", "2", "--dilation", "10000000", "--padding", "5000000"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert "100,000,020,000,002 entries" in line
    assert ("engine.entries" if engine == "fast" else "SYMPY_ENTRY_LIMIT") in line


def test_block_spaces_name_outputs_in_the_layer() -> None:
    g = Geometry((3, 3), 3, stride=2, padding=1, out_channels=2)
    block = E.Block((1, 2), ((2, 4), (0, 5)))
    ts = E.terms(g, "flip_and_pad", block)
    assert ts.space.output_index(0) == (1, 2, 0)
    whole = E.terms(g, "scatter")
    assert ts.expression((1, 3, 4)) == whole.expression((1, 3, 4))
    with pytest.raises(ShapeError, match="inside the block of shape"):
        ts.expression((0, 0, 0))
