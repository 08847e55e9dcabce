"""Benchmark ``symtconv audit --prove`` on a DCGAN generator: time and peak memory.

Usage::

    python benchmarks/bench_audit.py [--repeat N] [--quick]

The generator is DCGAN's (Radford et al.): 100 → 512 → 256 → 128 → 64 → 3 channels,
kernel 4; the first layer stride 1, padding 0 (1×1 → 4×4), the others stride 2,
padding 1, up to a 64×64 output: five transposed convolutions, 90,538,752 ``y·w``
terms in all.  Each case runs in its own Python process (``symtconv.cli.main`` with
the arguments below) which reports its wall time and its own peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``); medians over ``--repeat`` runs.

1. baseline: ``symtconv audit gen.py:dcgan --input-shape 1 100 1 1 --json``
   (import, trace, translations, findings — no proof);
2. ``... --prove`` on the PyTorch module.  Target: ≤ 60 s and ≤ 2 GiB;
3. ``... --prove --runtime onnxruntime`` on the same generator written as an ONNX file
   with ``onnx.helper`` (skipped without onnx/onnxruntime, and with ``--quick``).

``--quick`` uses a 4× narrower generator (25→128→64→32→16→3).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

GENERATOR = '''
from symtconv.audit.examples import dcgan as _dcgan


def dcgan():
    return _dcgan({channels!r})
'''

#: Runs one audit in this (child) process and prints seconds, peak MiB and the JSON.
CHILD = '''
import contextlib, io, json, resource, sys, time
from symtconv.cli import main
out = io.StringIO()
start = time.perf_counter()
with contextlib.redirect_stdout(out):
    status = main(sys.argv[1:])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"status": status, "seconds": seconds, "peak_mib": peak,
                  "audit": json.loads(out.getvalue())}))
'''


def onnx_generator(channels: tuple[int, ...], path: Path) -> None:
    """The same generator as an ONNX file, built with onnx.helper (random weights)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper, save

    rng = np.random.default_rng(0)
    nodes, weights = [], []
    current = "z"
    for n, (a, b) in enumerate(itertools.pairwise(channels)):
        first = n == 0
        pads = [0, 0, 0, 0] if first else [1, 1, 1, 1]
        weights.append(numpy_helper.from_array(
            rng.standard_normal((a, b, 4, 4)).astype(np.float32), f"w{n}"))
        nodes.append(helper.make_node("ConvTranspose", [current, f"w{n}"], [f"t{n}"],
                                      name=f"up{n}", strides=[1, 1] if first else [2, 2],
                                      pads=pads))
        act = "Relu" if n < len(channels) - 2 else "Tanh"
        nodes.append(helper.make_node(act, [f"t{n}"], [f"a{n}"]))
        current = f"a{n}"
    graph = helper.make_graph(
        nodes, "dcgan", [helper.make_tensor_value_info("z", TensorProto.FLOAT,
                                                       [1, channels[0], 1, 1])],
        [helper.make_tensor_value_info(current, TensorProto.FLOAT, [1, channels[-1], 64, 64])],
        initializer=weights,
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def run(args: list[str], cwd: Path) -> dict[str, Any]:
    env_path = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, cwd=cwd,
        env={**__import__("os").environ, "PYTHONPATH": env_path}, check=False, timeout=3600,
    )
    if done.returncode != 0:
        raise SystemExit(f"audit {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def measure(args: list[str], cwd: Path, repeat: int) -> tuple[float, float, dict[str, Any]]:
    runs = [run(args, cwd) for _ in range(repeat)]
    return (statistics.median(r["seconds"] for r in runs), max(r["peak_mib"] for r in runs),
            runs[-1]["audit"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (median)")
    parser.add_argument("--quick", action="store_true",
                        help="a 4x narrower generator, no ONNX case")
    args = parser.parse_args(argv)
    repeat = max(args.repeat, 1)
    channels = (25, 128, 64, 32, 16, 3) if args.quick else (100, 512, 256, 128, 64, 3)
    from symtconv.engine import count_terms
    from symtconv.geometry import Geometry

    sizes = [1, 4, 8, 16, 32]
    terms = sum(
        count_terms(Geometry((i, i), 4, stride=1 if n == 0 else 2, padding=0 if n == 0 else 1,
                             in_channels=a, out_channels=b))
        for n, (i, a, b) in enumerate(zip(sizes, channels, channels[1:], strict=False))
    )
    print(f"DCGAN generator {' → '.join(map(str, channels))}, k=4, 64×64 output: "
          f"{terms:,} y·w terms over 5 layers")
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "gen.py").write_text(GENERATOR.format(channels=channels))
        common = ["audit", "gen.py:dcgan", "--input-shape", "1", str(channels[0]), "1", "1",
                  "--json", "--to", "torch", "onnx"]
        base_s, base_mib, _ = measure(common, cwd, repeat)
        print(f"  baseline (no proof): {base_s:.2f} s, peak {base_mib:,.0f} MiB", flush=True)
        prove_s, prove_mib, audit = measure([*common, "--prove"], cwd, repeat)
        assert audit["summary"]["proved"] == 5, audit["summary"]
        print(f"  --prove:             {prove_s:.2f} s, peak {prove_mib:,.0f} MiB", flush=True)
        rows = [
            "| case | median | peak memory | ratio to the baseline | target |",
            "|---|---:|---:|---:|---|",
            f"| audit, PyTorch module, no proof | {base_s:.2f} s | {base_mib:,.0f} MiB | 1× | |",
            f"| audit --prove, PyTorch module ({terms:,} terms) | {prove_s:.2f} s | "
            f"{prove_mib:,.0f} MiB | {prove_s / base_s:,.1f}× | ≤ 60 s, ≤ 2 GiB |",
        ]
        if not args.quick:
            try:
                onnx_generator(channels, cwd / "dcgan.onnx")
                import onnxruntime  # noqa: F401
            except ImportError:
                print("  ONNX case skipped: pip install 'symtconv[runtime]'")
            else:
                onnx_s, onnx_mib, audit = measure(
                    ["audit", "dcgan.onnx", "--json", "--prove", "--runtime", "onnxruntime"],
                    cwd, repeat)
                assert audit["summary"]["proved"] == 5, audit["summary"]
                assert not audit["summary"]["by_code"].get("runtime-deviation"), audit["summary"]
                print(f"  ONNX --prove --runtime: {onnx_s:.2f} s, peak {onnx_mib:,.0f} MiB")
                rows.append(f"| audit --prove --runtime onnxruntime, ONNX file | {onnx_s:.2f} s "
                            f"| {onnx_mib:,.0f} MiB | {onnx_s / base_s:,.1f}× | |")
    print()
    print(f"medians over {repeat} run(s), each in its own process")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
