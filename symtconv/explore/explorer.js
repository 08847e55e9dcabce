/* symtconv explorer: a view of the transposed convolution x = Cᵀy.
 *
 * Positions follow symtconv's rule, per axis (symtconv.engine.scatter_terms):
 *     y[n]·w[m] lands at x[s·n + d·m − p_begin] when that is inside [0, o),
 *     o = (i−1)·s − p_begin − p_end + d·(k−1) + a + 1   (output_padding a at the high end).
 * The page computes the terms of an output three ways, each from its own definition, and
 * the test suite checks all three against symtconv's engine in a real browser:
 *   - the scatter (loop over n and m, add at s·n + d·m − p_begin);
 *   - the matrix Cᵀ, built from the forward convolution's definition
 *     C[n, j] = Σ_m w[m]·[j = s·n + d·m − p_begin];
 *   - flip-and-pad: insert s−1 zeros, pad d(k−1)−p_begin before and d(k−1)−p_end+a after
 *     (negative = crop), slide the flipped kernel with stride 1 and dilation d.
 */
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("explorer-data").textContent);
  const MAX_CELLS = DATA.max_cells;
  const PARAMS = ["i", "k", "s", "p", "pe", "d", "a"];
  const NAMES = {
    i: "input_size", k: "kernel_size", s: "stride", p: "padding", pe: "padding (end)",
    d: "dilation", a: "output_padding",
  };

  const state = {
    ndim: DATA.geometry.i.length,
    values: {},
    selected: null,
    overlap: false,
    showC: false,
  };
  PARAMS.forEach((name) => { state.values[name] = DATA.geometry[name].slice(); });
  // the controls always hold two axes; the second is used when ndim is 2
  PARAMS.forEach((name) => {
    const v = state.values[name];
    if (v.length === 1) v.push(v[0]);
  });

  // ----------------------------------------------------------------- text helpers

  const SUBSCRIPT = "₀₁₂₃₄₅₆₇₈₉";
  const sub = (index) => index.map((v) => String(v).replace(/[0-9]/g,
    (c) => SUBSCRIPT[Number(c)])).join(",");
  const label = (base, index) => base + sub(index);
  const key = (index) => index.join(",");
  const fmt = (v) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12))));
  const factor = (v) => (v < 0 ? "(" + fmt(v) + ")" : fmt(v));

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    });
    (children || []).forEach((child) => node.appendChild(child));
    return node;
  }

  // ----------------------------------------------------------------- one axis

  const outputLength = (ax) => (ax.i - 1) * ax.s - ax.pb - ax.pe + ax.d * (ax.k - 1) + ax.a + 1;
  const stretchedLength = (ax) => (ax.i - 1) * ax.s + 1;
  const padBefore = (ax) => ax.d * (ax.k - 1) - ax.pb;
  const padAfter = (ax) => ax.d * (ax.k - 1) - ax.pe + ax.a;
  const paddedLength = (ax) => stretchedLength(ax) + padBefore(ax) + padAfter(ax);

  // The scatter on one axis: for every n and m, y[n]·w[m] lands at s·n + d·m − p_begin.
  // Returns, for each output position j, the list of [n, m] landing there.
  function scatterAxis(ax) {
    const o = outputLength(ax);
    const buckets = Array.from({ length: o }, () => []);
    for (let n = 0; n < ax.i; n++) {
      for (let m = 0; m < ax.k; m++) {
        const j = ax.s * n + ax.d * m - ax.pb;
        if (j >= 0 && j < o) buckets[j].push([n, m]);
      }
    }
    return buckets;
  }

  // The forward convolution's matrix on one axis: the tap m with C[n, j] ∋ w[m], or −1.
  // (The forward conv reads x[s·n + d·m − p_begin] for its output n.)
  function forwardTap(ax, n, j) {
    for (let m = 0; m < ax.k; m++) {
      if (ax.s * n + ax.d * m - ax.pb === j) return m;
    }
    return -1;
  }

  // Flip-and-pad on one axis: what sits at position q of the zero-inserted, padded input.
  function paddedSource(ax, q) {
    const t = q - padBefore(ax);
    if (t < 0 || t >= stretchedLength(ax)) return { kind: "pad" };
    if (t % ax.s !== 0) return { kind: "zero" };
    return { kind: "y", n: t / ax.s };
  }

  // ----------------------------------------------------------------- N axes

  function product(lists) {
    return lists.reduce((acc, list) => {
      const out = [];
      acc.forEach((prefix) => list.forEach((item) => out.push(prefix.concat([item]))));
      return out;
    }, [[]]);
  }
  const indices = (shape) => product(shape.map((n) => Array.from({ length: n }, (_, v) => v)));
  const at = (array, index) => index.reduce((a, v) => a[v], array);
  const compareIndex = (a, b) => {
    for (let t = 0; t < a.length; t++) if (a[t] !== b[t]) return a[t] - b[t];
    return 0;
  };
  const sortTerms = (terms) => terms.sort((u, v) => compareIndex(u.n, v.n) || compareIndex(u.m, v.m));

  function geometry() {
    const axes = [];
    for (let t = 0; t < state.ndim; t++) {
      const v = (name) => state.values[name][t];
      axes.push({ i: v("i"), k: v("k"), s: v("s"), pb: v("p"), pe: v("pe"), d: v("d"), a: v("a") });
    }
    return axes;
  }

  function scatterTerms(scatter, j) {
    return sortTerms(product(scatter.map((buckets, t) => buckets[j[t]]))
      .map((pairs) => ({ n: pairs.map((p) => p[0]), m: pairs.map((p) => p[1]) })));
  }

  function windowOf(axes, j) {
    // positions j + d·t of the padded input, t = 0..k−1, times the flipped tap t = w[k−1−t]
    return product(axes.map((ax, a) => Array.from({ length: ax.k }, (_, t) => ({ q: j[a] + ax.d * t, t }))));
  }

  function windowTerms(axes, j) {
    const terms = [];
    windowOf(axes, j).forEach((combo) => {
      const sources = combo.map((c, a) => paddedSource(axes[a], c.q));
      if (sources.every((src) => src.kind === "y")) {
        terms.push({ n: sources.map((src) => src.n), m: combo.map((c, a) => axes[a].k - 1 - c.t) });
      }
    });
    return sortTerms(terms);
  }

  function matrixTap(axes, n, j) {
    const taps = axes.map((ax, a) => forwardTap(ax, n[a], j[a]));
    return taps.every((m) => m >= 0) ? taps : null;
  }

  const prod = (list) => list.reduce((a, b) => a * b, 1);

  // The number of cells the page draws (symtconv.explore.page_cells computes the same):
  // y, w and the flipped w, the padded input, x, and the matrix (|x|·|y| entries).
  function cellCount(axes) {
    const y = prod(axes.map((ax) => ax.i));
    const w = prod(axes.map((ax) => ax.k));
    const padded = prod(axes.map((ax) => Math.max(paddedLength(ax), 0)));
    const x = prod(axes.map((ax) => Math.max(outputLength(ax), 0)));
    return y + 2 * w + padded + x + x * y;
  }

  // ----------------------------------------------------------------- validation

  // PyTorch's rules, in PyTorch's words; null when the geometry is valid.
  function problem(axes) {
    const dims = axes.length === 2 ? ["height", "width"] : [""];
    const list = (name) => axes.map((ax) => ax[name]);
    const perAxis = (name, values) => values.map((v, t) =>
      name + (dims[t] ? "_" + dims[t] : "") + ": " + v).join(" ");
    for (const name of PARAMS) {
      for (let t = 0; t < axes.length; t++) {
        if (!Number.isInteger(state.values[name][t])) {
          return [NAMES[name] + " must be an integer on every axis",
            "every parameter is a whole number"];
        }
      }
    }
    if (list("i").some((v) => v < 1)) {
      return ["input size must be at least 1 on every axis, got " + list("i").join(" x "),
        "input_size >= 1"];
    }
    if (list("k").some((v) => v < 1)) {
      return ["kernel size should be greater than zero, but got " + perAxis("kernel", list("k")),
        "kernel_size >= 1"];
    }
    if (list("s").some((v) => v < 1)) return ["non-positive stride is not supported", "stride >= 1"];
    if (list("d").some((v) => v < 1)) {
      return ["dilation should be greater than zero, but got " + perAxis("dilation", list("d")),
        "dilation >= 1"];
    }
    if (list("pb").some((v) => v < 0) || list("pe").some((v) => v < 0)) {
      return ["negative padding is not supported", "padding >= 0"];
    }
    if (list("a").some((v) => v < 0)) {
      return ["negative output_padding is not supported", "output_padding >= 0"];
    }
    if (axes.some((ax) => !(ax.a < ax.s || ax.a < ax.d))) {
      return ["output padding must be smaller than either stride or dilation, but got " +
        perAxis("output_padding", list("a")) + " " + perAxis("stride", list("s")) + " " +
        perAxis("dilation", list("d")),
      "output_padding < max(stride, dilation) on every axis"];
    }
    const o = axes.map(outputLength);
    if (o.some((v) => v < 1)) {
      return ["Given input size per channel: (" + list("i").join(" x ") + "). Calculated output " +
        "size per channel: (" + o.join(" x ") + "). Output size is too small",
      "o = (i−1)·s − 2p + d·(k−1) + a + 1 >= 1 on every axis"];
    }
    const cells = cellCount(axes);
    if (cells > MAX_CELLS) {
      return ["this geometry needs " + cells.toLocaleString("en") + " cells on the page, more " +
        "than the explorer draws (at most " + MAX_CELLS.toLocaleString("en") + ")",
      "the explorer's size limit (symtconv.explore.MAX_CELLS), so that the page stays usable"];
    }
    return null;
  }

  // ----------------------------------------------------------------- values

  // the values given on the command line, while the sizes are those they were given for
  function valuesFit(axes) {
    return Boolean(DATA.y && DATA.w) && DATA.y_shape.length === axes.length &&
      key(DATA.y_shape) === key(axes.map((ax) => ax.i)) &&
      key(DATA.w_shape) === key(axes.map((ax) => ax.k));
  }

  // ----------------------------------------------------------------- drawing

  function grid(shape, cell) {
    const cols = shape.length === 2 ? shape[1] : shape[0];
    const node = el("div", { class: "grid", style: "grid-template-columns: repeat(" + cols + ", auto)" });
    indices(shape).forEach((index) => node.appendChild(cell(index)));
    return node;
  }

  function valueCell(text, value, attrs) {
    const children = [el("span", { class: "sym", text })];
    if (value !== undefined) children.push(el("span", { class: "val", text: fmt(value) }));
    return el("div", Object.assign({ class: "cell" }, attrs), children);
  }

  function panel(title, caption, body) {
    const children = [el("h2", { text: title })];
    if (caption) children.push(el("p", { class: "caption", text: caption }));
    children.push(body);
    return el("section", { class: "panel" }, children);
  }

  const perAxisText = (axes, fn) => axes.map(fn).join(axes.length === 2 ? " × " : "");

  function render() {
    readControls();
    const axes = geometry();
    const main = document.getElementById("panels");
    const error = document.getElementById("error");
    const note = document.getElementById("note");
    main.textContent = "";
    note.textContent = "";
    const broken = problem(axes);
    document.body.dataset.cells = broken ? "" : String(cellCount(axes));
    if (broken) {
      error.textContent = "";
      error.appendChild(el("strong", { text: "PyTorch's rule: " + broken[1] + ". " }));
      error.appendChild(el("span", { class: "message", text: broken[0] }));
      error.hidden = false;
      document.getElementById("sizes").textContent = "";
      document.getElementById("formula").textContent = "";
      return;
    }
    error.hidden = true;
    error.textContent = "";

    const o = axes.map(outputLength);
    const iShape = axes.map((ax) => ax.i);
    const kShape = axes.map((ax) => ax.k);
    const pShape = axes.map(paddedLength);
    const fit = valuesFit(axes);
    const yv = (n) => (fit ? at(DATA.y, n) : undefined);
    const wv = (m) => (fit ? at(DATA.w, m) : undefined);
    const scatter = axes.map(scatterAxis);
    const counts = (j) => prod(j.map((v, t) => scatter[t][v].length));
    const maxCount = Math.max(1, ...indices(o).map(counts));
    if (state.selected && (state.selected.length !== o.length ||
        state.selected.some((v, t) => v >= o[t]))) state.selected = null;

    document.getElementById("sizes").textContent = "o = (i−1)·s − p_begin − p_end + d·(k−1) + a + 1 = " +
      axes.map((ax, t) => "(" + ax.i + "−1)·" + ax.s + " − " + ax.pb + " − " + ax.pe + " + " + ax.d +
        "·(" + ax.k + "−1) + " + ax.a + " + 1 = " + o[t]).join(";  ");
    if (axes.some((ax) => ax.a >= ax.s)) {
      note.textContent = "output_padding ≥ stride: PyTorch accepts it (output_padding < dilation), " +
        "but then x is not Cᵀy of the forward convolution with these parameters, which maps o " +
        "back to i + ⌊a/s⌋ entries; the matrix below is the transposed convolution's own.";
    }
    if (DATA.y && !fit) {
      note.textContent += (note.textContent ? " " : "") + "The values given fit y of shape " +
        DATA.y_shape.join("×") + " and w of shape " + DATA.w_shape.join("×") +
        "; the page shows symbols until the sizes match again.";
    }

    const yGrid = grid(iShape, (n) => valueCell(label("y", n), yv(n), { "data-y": key(n) }));
    const wGrid = grid(kShape, (m) => valueCell(label("w", m), wv(m), { "data-w": key(m) }));
    const flipped = grid(kShape, (t) => {
      const m = t.map((v, a) => axes[a].k - 1 - v);
      return valueCell(label("w", m), wv(m), { "data-wf": key(t) });
    });
    const padded = grid(pShape, (q) => {
      const sources = q.map((v, a) => paddedSource(axes[a], v));
      const attrs = { "data-q": key(q) };
      if (sources.every((src) => src.kind === "y")) {
        const n = sources.map((src) => src.n);
        attrs["data-src"] = key(n);
        return valueCell(label("y", n), yv(n), attrs);
      }
      attrs.class = sources.some((src) => src.kind === "pad") ? "cell pad" : "cell zero";
      const cell = valueCell("0", undefined, attrs);
      cell.className = attrs.class;
      return cell;
    });

    const outputs = grid(o, (j) => {
      const terms = scatterTerms(scatter, j);
      let value;
      if (fit) value = terms.reduce((acc, t) => acc + wv(t.m) * yv(t.n), 0);
      const cell = valueCell(label("x", j), value, {
        "data-x": key(j), "data-count": String(counts(j)), tabindex: "0", role: "button",
        style: "--share: " + (counts(j) / maxCount).toFixed(3),
      });
      cell.classList.add("out");
      cell.appendChild(el("span", { class: "count", text: String(counts(j)) }));
      cell.addEventListener("click", () => select(j));
      cell.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(j); }
      });
      return cell;
    });
    outputs.classList.toggle("overlap", state.overlap);
    outputs.id = "outputs";
    yGrid.id = "y-grid";
    wGrid.id = "w-grid";
    flipped.id = "flipped";
    padded.id = "padded";

    // the matrix: rows are outputs (Cᵀ) or inputs (C)
    const outIdx = indices(o);
    const inIdx = indices(iShape);
    const rows = state.showC ? inIdx : outIdx;
    const cols = state.showC ? outIdx : inIdx;
    const table = el("table", { class: "matrix", id: "matrix" });
    const head = el("tr", {}, [el("th", { text: state.showC ? "C" : "Cᵀ" })]);
    cols.forEach((c) => head.appendChild(el("th", { text: label(state.showC ? "x" : "y", c) })));
    table.appendChild(head);
    rows.forEach((r) => {
      const tr = el("tr", {}, [el("th", { text: label(state.showC ? "y" : "x", r) })]);
      cols.forEach((c) => {
        const j = state.showC ? c : r;
        const n = state.showC ? r : c;
        const m = matrixTap(axes, n, j);
        const attrs = { "data-j": key(j), "data-n": key(n) };
        if (m) attrs["data-m"] = key(m);
        const td = el("td", attrs);
        td.textContent = m ? label("w", m) : "·";
        if (!m) td.className = "nil";
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });

    const strides = axes.map((ax) => ax.s - 1).join(", ");
    const pads = perAxisText(axes, (ax) => padBefore(ax) + "/" + padAfter(ax));
    main.appendChild(panel("y (input)", "i = " + iShape.join(" × "), yGrid));
    main.appendChild(panel("w (kernel)", "k = " + kShape.join(" × "), wGrid));
    main.appendChild(panel("flipped kernel", "w[k−1−t]: flip-and-pad correlates with it", flipped));
    main.appendChild(panel("zero-inserted and padded input",
      "s−1 = " + strides + " zeros between entries; padding before/after d(k−1)−p_begin / " +
      "d(k−1)−p_end+a = " + pads + " (negative: a crop); the window of the selected output " +
      "is outlined", padded));
    const oToggle = el("label", {}, [el("input", { type: "checkbox", id: "overlap" }),
      document.createTextNode(" shade by the number of y·w terms (the checkerboard)")]);
    main.appendChild(panel("x (output)", "o = " + o.join(" × ") + "; click a cell",
      el("div", {}, [oToggle, outputs])));
    const cToggle = el("label", {}, [el("input", { type: "checkbox", id: "show-c" }),
      document.createTextNode(" show C (the forward convolution) instead of Cᵀ")]);
    const matrixBody = el("div", { class: "scroll" }, [table]);
    main.appendChild(panel(state.showC ? "C" : "Cᵀ", state.showC
      ? "rows: inputs y; columns: outputs x; the selected output's column is marked"
      : "x = Cᵀy: rows are outputs x, columns inputs y; the selected output's row is marked",
    el("div", {}, [cToggle, matrixBody])));
    const showC = document.getElementById("show-c");
    showC.checked = state.showC;
    showC.addEventListener("change", () => { state.showC = showC.checked; render(); });
    const over = document.getElementById("overlap");
    over.checked = state.overlap;
    over.addEventListener("change", () => {
      state.overlap = over.checked;
      document.getElementById("outputs").classList.toggle("overlap", state.overlap);
    });

    state.current = { axes, scatter, fit, yv, wv };
    mark();
  }

  function select(j) {
    state.selected = j;
    mark();
  }

  function mark() {
    document.querySelectorAll(".on, .win, .sel").forEach((node) => {
      node.classList.remove("on", "win", "sel");
    });
    const formula = document.getElementById("formula");
    const { axes, scatter, fit, yv, wv } = state.current;
    const j = state.selected;
    if (!j) {
      formula.textContent = "Click an output cell to see its sum.";
      return;
    }
    const terms = scatterTerms(scatter, j);
    document.querySelector('#outputs [data-x="' + key(j) + '"]').classList.add("sel");
    terms.forEach((t) => {
      document.querySelector('#y-grid [data-y="' + key(t.n) + '"]').classList.add("on");
      document.querySelector('#w-grid [data-w="' + key(t.m) + '"]').classList.add("on");
    });
    windowOf(axes, j).forEach((combo) => {
      const q = combo.map((c) => c.q);
      const cell = document.querySelector('#padded [data-q="' + key(q) + '"]');
      cell.classList.add("win");
      const src = cell.getAttribute("data-src");
      if (src !== null) cell.classList.add("on");
    });
    windowTerms(axes, j).forEach((t) => {
      const tap = t.m.map((m, a) => axes[a].k - 1 - m);
      document.querySelector('#flipped [data-wf="' + key(tap) + '"]').classList.add("on");
    });
    document.querySelectorAll('#matrix td[data-j="' + key(j) + '"]').forEach((td) => {
      td.classList.add("sel");
    });

    formula.textContent = "";
    formula.appendChild(document.createTextNode(label("x", j) + " = "));
    if (!terms.length) {
      formula.appendChild(document.createTextNode("0 (no y·w term lands here)"));
      return;
    }
    terms.forEach((t, u) => {
      if (u) formula.appendChild(document.createTextNode(" + "));
      formula.appendChild(el("span", {
        class: "term", "data-term-y": key(t.n), "data-term-w": key(t.m),
        text: label("w", t.m) + "·" + label("y", t.n),
      }));
    });
    if (fit) {
      const total = terms.reduce((acc, t) => acc + wv(t.m) * yv(t.n), 0);
      formula.appendChild(document.createTextNode(" = " +
        terms.map((t) => factor(wv(t.m)) + "·" + factor(yv(t.n))).join(" + ") + " = " + fmt(total)));
    }
  }

  // ----------------------------------------------------------------- controls

  function readControls() {
    state.ndim = Number(document.getElementById("ndim").value) === 1 ? 1 : 2;
    document.body.classList.toggle("one-axis", state.ndim === 1);
  }

  function parse(text) {
    return /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
  }

  function syncControls() {
    PARAMS.forEach((name) => {
      const v = state.values[name];
      const all = document.getElementById(name);
      const used = v.slice(0, state.ndim);
      if (document.activeElement !== all) {
        all.value = used.every((x) => x === used[0]) && Number.isInteger(used[0]) ? String(used[0]) : "";
      }
      [1, 2].forEach((t) => {
        const box = document.getElementById(name + t);
        if (document.activeElement !== box) box.value = Number.isNaN(v[t - 1]) ? "" : String(v[t - 1]);
      });
    });
  }

  function onControl(event) {
    const id = event.target.id;
    const name = id.replace(/[12]$/, "");
    const value = parse(event.target.value);
    const axes = id === name ? [0, 1] : [Number(id.slice(-1)) - 1];
    axes.forEach((t) => {
      state.values[name][t] = value;
      if (name === "p") state.values.pe[t] = value;  // p crops both ends; "p end" overrides
    });
    syncControls();
    render();
  }

  function start() {
    document.getElementById("ndim").value = String(state.ndim);
    PARAMS.forEach((name) => {
      ["", "1", "2"].forEach((suffix) => {
        document.getElementById(name + suffix).addEventListener("input", onControl);
      });
    });
    document.getElementById("ndim").addEventListener("change", () => {
      readControls();
      state.selected = null;
      syncControls();
      render();
    });
    syncControls();
    render();
  }

  start();
}());
