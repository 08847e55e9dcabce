"""The explorer page: written by Python, checked in a real headless Chromium.

The page's JavaScript computes every position itself; these tests click output cells and
compare what the page marks with symtconv's engine (``scatter_terms``), the forward
matrix (``conv_matrix_entries`` through the engine's ``transpose_terms``), the overlap
counts (``symtconv.overlap``), the numeric tier and the seed's published numbers.

The browser tests need selenium (``pip install 'symtconv[browser]'``) and Chromium with
its driver (``apt-get install chromium chromium-driver``); without them they skip.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from symtconv import Geometry
from symtconv.cli import main
from symtconv.engine import scatter_terms
from symtconv.errors import ParameterError, ParameterTypeError, ShapeError, TooLargeError
from symtconv.explore import MAX_CELLS, explorer_page, page_cells, write_page
from symtconv.numeric import conv_transpose
from symtconv.overlap import overlap

SEED_Y = [[9, 1, 3], [7, 8, 7], [8, 2, 2]]
SEED_W = [[4, 2, 3], [1, 4, 3], [1, 1, 1]]
#: The seed's published output for k=3, s=2, p=1.
SEED_X = [[36, 28, 4, 6, 12], [23, 63, 17, 56, 17], [28, 29, 32, 31, 28],
          [23, 47, 12, 29, 11], [32, 26, 8, 8, 8]]
SEED = Geometry((3, 3), 3, stride=2, padding=1)

#: 36 geometries: 1-D and 2-D, dilation, output_padding (also s <= a < d, where the
#: page's matrix is not Cᵀ), asymmetric crops, crops longer than d(k-1), outputs that no
#: term reaches, and Dumoulin & Visin's transposed examples.
GEOMETRIES = [
    Geometry(4, 3),
    Geometry(5, 3, stride=2),
    Geometry(5, 3, stride=2, padding=1, output_padding=1),
    Geometry(3, 4, stride=3, padding=2),
    Geometry(4, 2, stride=1, dilation=3),
    Geometry(3, 3, stride=2, dilation=2, output_padding=1),
    Geometry(2, 2, stride=1, dilation=3, output_padding=2),  # s <= a < d
    Geometry(3, 2, stride=4),  # gaps: outputs no term reaches
    Geometry(6, 3, stride=1, padding=(0, 2)),
    Geometry(5, 3, stride=2, padding=(2, 0), output_padding=1),
    Geometry(8, 3, stride=1, padding=3),  # p > d(k-1): flip-and-pad crops
    Geometry(7, 1, stride=3, output_padding=2),
    Geometry(1, 5, stride=2, padding=1, dilation=2),
    Geometry(6, 4, stride=2, padding=1),
    Geometry(3, 3, stride=3, padding=1, dilation=2, output_padding=2),
    SEED,
    Geometry((4, 4), 3),  # Dumoulin & Visin (4, 3, 1, 0)
    Geometry((2, 2), 4, padding=2),
    Geometry((3, 3), 3, stride=2),
    Geometry((3, 3), 3, stride=2, padding=1, output_padding=1),
    Geometry((3, 2), (2, 3), stride=(2, 1), padding=(1, 0)),
    Geometry((2, 3), 3, stride=(1, 2), dilation=(2, 1)),
    Geometry((3, 3), 2, stride=2, dilation=2, output_padding=1),
    Geometry((2, 2), 2, stride=1, dilation=2, output_padding=1),  # s <= a < d
    Geometry((3, 3), 3, stride=2, padding=((0, 1), (2, 1))),
    Geometry((2, 4), (3, 2), stride=(3, 1), padding=((1, 0), 0), output_padding=(1, 0)),
    Geometry((4, 4), 3, stride=2, padding=3),  # a crop on both axes
    Geometry((2, 2), 2, stride=3),  # gaps on both axes
    Geometry((4, 3), (1, 3), stride=(2, 2), padding=(0, 1), output_padding=(1, 0)),
    Geometry((3, 3), 3, stride=2, padding=1, dilation=2),
    Geometry((2, 3), (2, 2), stride=(2, 3), dilation=(3, 1), output_padding=(2, 1)),
    Geometry((5, 5), 3, stride=2, padding=1),
    Geometry((3, 4), 2, stride=2, padding=((1, 0), (0, 1))),
    Geometry((1, 1), 3, stride=2),
    Geometry((2, 2), 3, stride=2, padding=1, dilation=3, output_padding=2),
    Geometry((3, 3), 4, stride=2, padding=1),
]

#: At most this many outputs are clicked per geometry (all of them below it).
CLICKS = 64


# --------------------------------------------------------------------------- #
# without a browser
# --------------------------------------------------------------------------- #


def test_page_is_self_contained():
    page = explorer_page(SEED, SEED_Y, SEED_W)
    assert re.search("https?:", page, flags=re.I) is None
    assert re.search(r"<[a-z]+[^>]*\s(src|href)\s*=", page, flags=re.I) is None
    assert "@import" not in page and "url(" not in page
    assert page.count("<script") == 2 and page.count("<style>") == 1
    assert "@@" not in page  # every marker of the template was filled


def test_page_cells_counts_every_drawn_cell_in_closed_form():
    # independent count: each drawing, from the sizes the geometry reports
    for g in GEOMETRIES:
        y = math.prod(g.input_size)
        w = math.prod(g.kernel_size)
        x = math.prod(g.output_size)
        padded = math.prod(
            (ax.i - 1) * ax.s + 1 + ax.pad_before + ax.pad_after for ax in g.axes
        )
        assert page_cells(g) == y + 2 * w + padded + x + x * y


def test_too_large_is_refused_past_the_limit():
    g = Geometry((11, 11), 3)  # 121 inputs, 169 outputs: 20,449 + ... cells
    assert page_cells(g) > MAX_CELLS >= page_cells(Geometry((10, 10), 3))
    with pytest.raises(TooLargeError, match="20,000"):
        explorer_page(g)
    explorer_page(Geometry((10, 10), 3))


@pytest.mark.parametrize(
    ("call", "error", "needle"),
    [
        (lambda: explorer_page(Geometry((2, 2, 2), 2)), ParameterError, "one or two"),
        (lambda: explorer_page(Geometry(3, 2, in_channels=2)), ParameterError, "in_channels=2"),
        (lambda: explorer_page(SEED, SEED_Y, None), ParameterError, "together"),
        (lambda: explorer_page(SEED, [[1, 2], [3, 4]], SEED_W), ShapeError, r"\(3, 3\)"),
        (lambda: explorer_page(SEED, SEED_Y, [["a"] * 3] * 3), ParameterTypeError, "'a'"),
        (lambda: explorer_page(SEED, SEED_Y, [[True] * 3] * 3), ParameterTypeError, "bool"),
        (lambda: explorer_page(SEED, SEED_Y, [[float("nan")] * 3] * 3), ParameterError,
         "finite"),
        (lambda: explorer_page("3x3"), ParameterTypeError, "Geometry"),
    ],
)
def test_bad_input_raises_symtconv_errors(call, error, needle):
    with pytest.raises(error, match=needle):
        call()


def _run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_writes_the_seed_page(capsys, tmp_path):
    path = tmp_path / "page.html"
    status, out, err = _run(
        capsys, "explore", "--input-values", json.dumps(SEED_Y), "--kernel-values",
        json.dumps(SEED_W), "--stride", "2", "--padding", "1", "-o", str(path), "--json",
    )
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["cells"] == page_cells(SEED) and data["geometry"]["output_size"] == [5, 5]
    assert path.read_text(encoding="utf-8") == explorer_page(SEED, SEED_Y, SEED_W)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--input", "40", "40", "--kernel", "3"], "20,000"),
        (["--input", "3", "3", "3", "--kernel", "2"], "one or two spatial axes"),
        (["--input", "3", "--kernel", "2", "--out-channels", "2"], "out_channels=2"),
        (["--input", "3", "--kernel", "2", "--stride", "0"], "stride"),
        (["--input", "3", "--kernel", "2", "--output-padding", "1"], "output_padding"),
        (["--input-values", "[1, 2]"], "go together"),
        (["--input-values", "[1, 2]", "--kernel-values", "[\"a\"]"], "'a'"),
        (["--input-values", "[1, 2", "--kernel-values", "[1]"], "JSON"),
        (["--kernel", "3"], "--input is required"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(capsys, tmp_path, argv, needle):
    status, out, err = _run(capsys, "explore", *argv, "-o", str(tmp_path / "p.html"))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
    assert not (tmp_path / "p.html").exists()


def test_cli_refuses_other_suffixes(capsys, tmp_path):
    status, _, err = _run(capsys, "explore", "--input", "3", "--kernel", "2",
                          "-o", str(tmp_path / "p.txt"))
    assert status == 2 and ".html" in err


def test_page_files_ship_as_package_data():
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["symtconv.explore"]
    shipped = {p.name for pattern in patterns for p in (root / "symtconv/explore").glob(pattern)}
    assert {"template.html", "explorer.css", "explorer.js"} <= shipped


# --------------------------------------------------------------------------- #
# in headless Chromium
# --------------------------------------------------------------------------- #


def _browser_available() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the browser tests need selenium: pip install 'symtconv[browser]'"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")
            or shutil.which("google-chrome")) or not shutil.which("chromedriver"):
        return "the browser tests need apt-get install chromium chromium-driver"
    return None


browser = pytest.mark.skipif(_browser_available() is not None,
                             reason=str(_browser_available()))


@pytest.fixture(scope="module")
def driver():
    from symtconv.explore.browser import chromium

    with chromium() as d:
        yield d


def _open(driver, tmp_path, g, y=None, w=None, name="page.html"):
    path = write_page(tmp_path / name, g, y, w)
    driver.get(path.resolve().as_uri())
    return path


def _no_console_errors(driver):
    entries = driver.get_log("browser")
    assert [e for e in entries if e["level"] in ("SEVERE", "WARNING")] == []


#: Clicks each output (a real click event on the cell) and reads back what the page marked.
_CLICK_ALL = """
const keys = arguments[0];
const attr = (sel, name) => Array.from(document.querySelectorAll(sel), e => e.getAttribute(name));
return keys.map((key) => {
  document.querySelector('#outputs [data-x="' + key + '"]').click();
  return {
    key: key,
    y: attr('#y-grid [data-y].on', 'data-y'),
    w: attr('#w-grid [data-w].on', 'data-w'),
    flipped: attr('#flipped .on', 'data-wf'),
    terms: Array.from(document.querySelectorAll('#formula .term'),
                      e => [e.dataset.termY, e.dataset.termW]),
    row: Array.from(document.querySelectorAll('#matrix td.sel'),
                    e => [e.dataset.n, e.dataset.m || null]),
    window: Array.from(document.querySelectorAll('#padded .win'),
                       e => [e.dataset.q, e.dataset.src || null, e.classList.contains('on')]),
    selected: attr('#outputs .sel', 'data-x'),
    everyOn: document.querySelectorAll('.on').length,
  };
});
"""


def _key(index) -> str:
    return ",".join(str(int(v)) for v in index)


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(","))


def _outputs_to_click(g: Geometry) -> list[tuple[int, ...]]:
    every = list(np.ndindex(*g.output_size))
    if len(every) <= CLICKS:
        return every
    corners = [tuple(0 if c == 0 else o - 1 for c, o in zip(corner, g.output_size, strict=True))
               for corner in np.ndindex(*(2,) * g.ndim)]
    rng = np.random.default_rng(len(every))
    picked = [every[int(v)] for v in rng.choice(len(every), CLICKS - len(corners), replace=False)]
    return sorted(set(corners + picked))


def _check_marks(g: Geometry, results: list[dict]) -> None:
    """What the page marked for each clicked output equals the engine's terms."""
    reference = scatter_terms(g)  # the engine's scatter, the library's reference
    for result in results:
        j = _ints(result["key"])
        expected = {(n[1:], m[2:]) for _, n, m in reference.output_terms((0, *j))}
        assert all(c == 1 for c, _, _ in reference.output_terms((0, *j)))
        where = f"{g.describe()}, output {j}"
        # the scatter: the formula's terms and the marked y and w cells
        terms = {(_ints(n), _ints(m)) for n, m in result["terms"]}
        assert terms == expected, where
        assert len(result["terms"]) == len(expected), where
        assert {_ints(v) for v in result["y"]} == {n for n, _ in expected}, where
        assert {_ints(v) for v in result["w"]} == {m for _, m in expected}, where
        assert result["selected"] == [result["key"]], where
        # the matrix: the marked row has one cell per input, w[m] where C[n, j] ∋ w[m]
        assert len(result["row"]) == math.prod(g.input_size), where
        row = {(_ints(n), _ints(m)) for n, m in result["row"] if m is not None}
        assert row == expected, where
        # flip-and-pad: the window j + d·t (t = 0..k-1 per axis) of the padded input; each
        # y there meets the flipped tap t, which is w[k-1-t]
        window = {_ints(q) for q, _, _ in result["window"]}
        assert window == {
            tuple(jj + ax.d * t for jj, ax, t in zip(j, g.axes, ts, strict=True))
            for ts in np.ndindex(*g.kernel_size)
        }, where
        met = set()
        for q, src, on in result["window"]:
            assert on == (src is not None), where
            if src is not None:
                t = [(qq - jj) // ax.d for qq, jj, ax in zip(_ints(q), j, g.axes, strict=True)]
                met.add((_ints(src), tuple(ax.k - 1 - tt for ax, tt in zip(g.axes, t,
                                                                           strict=True))))
        assert met == expected, where
        assert {_ints(v) for v in result["flipped"]} == {
            tuple(ax.k - 1 - mm for ax, mm in zip(g.axes, m, strict=True)) for _, m in expected
        }, where
        n_on = len(result["y"]) + len(result["w"]) + len(result["flipped"])
        assert result["everyOn"] == n_on + sum(on for _, _, on in result["window"]), where


@browser
def test_seed_click_shows_36(driver, tmp_path):
    from selenium.webdriver.common.by import By

    _open(driver, tmp_path, SEED, SEED_Y, SEED_W)
    driver.find_element(By.CSS_SELECTOR, '#outputs [data-x="0,0"]').click()
    formula = driver.find_element(By.ID, "formula").text
    assert formula.startswith("x₀,₀ = w₁,₁·y₀,₀") and formula.endswith("= 36")
    driver.find_element(By.CSS_SELECTOR, '#outputs [data-x="1,1"]').click()
    assert driver.find_element(By.ID, "formula").text.endswith(f"= {SEED_X[1][1]}")
    marked = {e.get_attribute("data-y") for e in
              driver.find_elements(By.CSS_SELECTOR, "#y-grid [data-y].on")}
    assert marked == {"0,0", "0,1", "1,0", "1,1"}
    shown = {
        _ints(cell.get_attribute("data-x")): int(cell.find_element(By.CLASS_NAME, "val").text)
        for cell in driver.find_elements(By.CSS_SELECTOR, "#outputs [data-x]")
    }
    assert shown == {(r, c): SEED_X[r][c] for r in range(5) for c in range(5)}
    _no_console_errors(driver)


@browser
@pytest.mark.parametrize("g", GEOMETRIES, ids=lambda g: g.describe())
def test_marked_terms_equal_the_engine(driver, tmp_path, g):
    _open(driver, tmp_path, g)
    keys = [_key(j) for j in _outputs_to_click(g)]
    _check_marks(g, driver.execute_script(_CLICK_ALL, keys))
    # every drawn cell is counted by page_cells (the cost the CLI checks)
    drawn = driver.execute_script(
        "return document.querySelectorAll('#panels .cell').length"
        " + document.querySelectorAll('#matrix td').length")
    assert drawn == page_cells(g) == int(driver.execute_script(
        "return document.body.dataset.cells"))
    # the checkerboard shading: the number of terms of every output
    counts = driver.execute_script(
        "return Array.from(document.querySelectorAll('#outputs [data-x]'),"
        " e => [e.dataset.x, Number(e.dataset.count)])")
    expected = overlap(g).terms()
    assert {_ints(k): c for k, c in counts} == {j: int(expected[j]) for j in np.ndindex(
        *g.output_size)}
    _no_console_errors(driver)


@browser
@pytest.mark.parametrize("g", GEOMETRIES[::5], ids=lambda g: g.describe())
def test_values_sum_like_the_numeric_tier(driver, tmp_path, g):
    rng = np.random.default_rng(7)
    y = rng.integers(-9, 10, size=g.input_size)
    w = rng.integers(-9, 10, size=g.kernel_size)
    _open(driver, tmp_path, g, y.tolist(), w.tolist())
    expected = conv_transpose(
        y[None, None].astype(object), w[None, None].astype(object), stride=g.stride,
        padding=g.padding, output_padding=g.output_padding, dilation=g.dilation,
    )[0, 0]
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('#outputs [data-x]'),"
        " e => [e.dataset.x, Number(e.querySelector('.val').textContent)])")
    assert {_ints(k): v for k, v in shown} == {j: int(expected[j]) for j in np.ndindex(
        *g.output_size)}
    # the formula's numbers add up to the cell's value
    j = _key(np.unravel_index(int(np.argmax(np.abs(expected))), expected.shape))
    driver.execute_script(f"document.querySelector('#outputs [data-x=\"{j}\"]').click()")
    formula = driver.execute_script("return document.getElementById('formula').textContent")
    assert formula.endswith(f"= {int(expected[_ints(j)])}")
    _no_console_errors(driver)


def _type(driver, element_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.ID, element_id)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    box.send_keys(text)


def _output_shape(driver) -> tuple[int, ...]:
    keys = driver.execute_script(
        "return Array.from(document.querySelectorAll('#outputs [data-x]'), e => e.dataset.x)")
    return tuple(max(v) + 1 for v in zip(*(_ints(k) for k in keys), strict=True))


@browser
def test_controls_rerender_with_the_library_sizes(driver, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(driver, tmp_path, SEED, SEED_Y, SEED_W)
    _type(driver, "i", "4")
    assert _output_shape(driver) == Geometry((4, 4), 3, stride=2, padding=1).output_size
    assert "shows symbols" in driver.find_element(By.ID, "note").text  # values no longer fit
    _type(driver, "d2", "2")
    _type(driver, "a1", "1")
    _type(driver, "pe2", "0")
    g = Geometry((4, 4), 3, stride=2, padding=(1, (1, 0)), dilation=(1, 2),
                 output_padding=(1, 0))
    assert _output_shape(driver) == g.output_size
    _check_marks(g, driver.execute_script(_CLICK_ALL, [_key(j) for j in _outputs_to_click(g)]))
    Select(driver.find_element(By.ID, "ndim")).select_by_value("1")
    g1 = Geometry(4, 3, stride=2, padding=1, output_padding=1)
    assert _output_shape(driver) == g1.output_size
    _check_marks(g1, driver.execute_script(_CLICK_ALL, [_key(j) for j in _outputs_to_click(g1)]))
    _type(driver, "k", "2")
    _type(driver, "s", "3")
    _type(driver, "p", "0")
    g2 = Geometry(4, 2, stride=3, output_padding=1)
    assert _output_shape(driver) == g2.output_size
    _check_marks(g2, driver.execute_script(_CLICK_ALL, [_key(j) for j in _outputs_to_click(g2)]))
    _no_console_errors(driver)


@browser
@pytest.mark.parametrize(
    ("control", "text", "message"),
    [
        ("s", "0", "non-positive stride is not supported"),
        ("d1", "0", "dilation should be greater than zero"),
        ("a", "2", "output padding must be smaller than either stride or dilation, but got "
                   "output_padding_height: 2 output_padding_width: 2 stride_height: 2"),
        ("p", "-1", "negative padding is not supported"),
        ("p", "9", "Given input size per channel: (3 x 3). Calculated output size per "
                   "channel: (-11 x -11). Output size is too small"),
        ("i", "12", "more than the explorer draws (at most 20,000)"),
        ("k2", "x", "kernel_size must be an integer"),
    ],
)
def test_invalid_controls_show_pytorchs_rule(driver, tmp_path, control, text, message):
    from selenium.webdriver.common.by import By

    _open(driver, tmp_path, SEED, SEED_Y, SEED_W)
    _type(driver, control, text)
    error = driver.find_element(By.ID, "error")
    assert error.is_displayed() and message in error.text
    assert "PyTorch's rule" in error.text
    assert driver.find_elements(By.CSS_SELECTOR, "#outputs [data-x]") == []
    _type(driver, control, {"s": "2", "d1": "1", "a": "0", "p": "1", "i": "3", "k2": "3"}[
        control])
    assert not error.is_displayed()
    assert _output_shape(driver) == (5, 5)
    _no_console_errors(driver)


@browser
def test_overlap_toggle_and_matrix_toggle(driver, tmp_path):
    from selenium.webdriver.common.by import By

    g = Geometry((3, 3), 3, stride=2)
    _open(driver, tmp_path, g)
    outputs = driver.find_element(By.ID, "outputs")
    assert "overlap" not in outputs.get_attribute("class")
    driver.find_element(By.ID, "overlap").click()
    assert "overlap" in outputs.get_attribute("class")
    count = driver.find_element(By.CSS_SELECTOR, '#outputs [data-x="2,2"] .count')
    assert count.is_displayed() and int(count.text) == int(overlap(g).terms()[2, 2]) == 4
    driver.find_element(By.ID, "show-c").click()
    driver.find_element(By.CSS_SELECTOR, '#outputs [data-x="1,2"]').click()
    head = driver.find_element(By.CSS_SELECTOR, "#matrix th").text
    assert head == "C"
    # C's marked column: one entry per input, the taps of the scatter
    column = driver.execute_script(
        "return Array.from(document.querySelectorAll('#matrix td.sel'),"
        " e => [e.dataset.n, e.dataset.m || null])")
    expected = {(n[1:], m[2:]) for _, n, m in scatter_terms(g).output_terms((0, 1, 2))}
    assert len(column) == 9
    assert {(_ints(n), _ints(m)) for n, m in column if m} == expected
    _no_console_errors(driver)


@browser
def test_screenshot_writes_a_png(tmp_path):
    from symtconv.explore.browser import screenshot

    page = write_page(tmp_path / "seed.html", SEED, SEED_Y, SEED_W)
    png = screenshot(page, tmp_path / "seed.png", select="1,1")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


@browser
def test_console_check_sees_an_error(driver, tmp_path):
    """The console check used above can fail: an error thrown in the page is logged."""
    _open(driver, tmp_path, SEED)
    driver.get_log("browser")  # start from an empty log
    driver.execute_script("setTimeout(() => { throw new Error('planted'); }, 0)")
    driver.execute_script("return new Promise((done) => setTimeout(done, 50))")
    entries = driver.get_log("browser")
    assert any(e["level"] == "SEVERE" and "planted" in e["message"] for e in entries)
