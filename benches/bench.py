"""Benchmark: generate tiers once, run the whole job on each, print where time and memory go.

    python3 benches/bench.py                 # tiers S and M, Parquet and CSV inputs
    python3 benches/bench.py --tiers S       # a quick look
    python3 benches/bench.py --tiers L --formats csv --memory-limit 22   # national scale

It builds tongbao in the same (dev) profile as the tests, so no second polars build.
Inputs are generated once per (tier, format, seed) under ~/.cache/tongbao-bench and
reused. It prints figures; it asserts nothing: timing targets are not tests.
"""

import argparse
import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", pathlib.Path.home() / ".cache/tongbao-target"))
CACHE = pathlib.Path(os.environ.get("TONGBAO_BENCH_DIR", pathlib.Path.home() / ".cache/tongbao-bench"))
AS_OF = "2022-12-31"


def build() -> pathlib.Path:
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    subprocess.run(["cargo", "build", "--locked", "--quiet"], cwd=ROOT, env=env, check=True)
    return TARGET / "debug" / "tongbao"


def generate(exe: pathlib.Path, tier: str, fmt: str, seed: int) -> pathlib.Path:
    out = CACHE / f"{tier}-{fmt}-{seed}"
    if (out / "tongbao.toml").exists():
        return out
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([str(exe), "generate", "--tier", tier.lower(), "--format", fmt, "--seed", str(seed), "--out", str(out)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"generated tier {tier} {fmt} in {time.perf_counter() - started:.1f} s -> {out}")
    return out


def run(exe: pathlib.Path, data: pathlib.Path, limit_gib: float | None) -> tuple[float, int, dict]:
    out = data / "out"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    # a child of its own, so that ru_maxrss is the job's peak resident memory alone
    # with a limit, the job's address space is capped (RLIMIT_AS): a run that would need
    # more memory than that fails instead of swapping or taking the machine down
    limit = int(limit_gib * 1024**3) if limit_gib else -1
    probe = (
        "import resource,subprocess,sys;"
        f"l={limit};"
        "l>0 and resource.setrlimit(resource.RLIMIT_AS,(l,l));"
        "r=subprocess.run(sys.argv[1:]).returncode;"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(exe), "-q", "--config", str(data / "tongbao.toml"), "run", "--as-of", AS_OF, "--out", str(out)],
        cwd=data, check=True, capture_output=True, text=True,
    )
    wall = time.perf_counter() - started
    peak_kib, code = (int(x) for x in done.stdout.split()[-2:])
    if code != 0:
        # the job's own words say why (a full disk, a guard, the memory limit)
        said = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise SystemExit(f"run failed with exit code {code}:\n{said}")
    manifest = json.loads((out / f"as_of={AS_OF}" / "manifest.json").read_text(encoding="utf-8"))
    del before
    return wall, peak_kib, manifest


def report(tier: str, fmt: str, wall: float, peak_kib: int, manifest: dict) -> None:
    print(f"\n== tier {tier}, {fmt} inputs: wall {wall:.2f} s, peak RSS {peak_kib / 1024 / 1024:.2f} GiB")
    # cpu/wall near 1 on this 2-core machine: the stage ran on one core
    print(f"   {'stage':<22} {'seconds':>9} {'cpu/wall':>9} {'rows':>12} {'rows/s':>12}")
    for t in manifest["timings"]:
        rows = t.get("rows")
        rate = f"{rows / t['seconds']:,.0f}" if rows and t["seconds"] > 0 else ""
        cpu = t.get("cpu_seconds")
        ratio = f"{cpu / t['seconds']:.2f}" if cpu is not None and t["seconds"] > 0 else ""
        print(f"   {t['stage']:<22} {t['seconds']:>9.2f} {ratio:>9} {rows if rows is not None else '':>12} {rate:>12}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tiers", default="S,M", help="comma-separated tiers (S, M, L)")
    p.add_argument("--formats", default="parquet,csv", help="comma-separated input formats")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--memory-limit", type=float, metavar="GIB", help="cap the job's address space (tier L: prove it fits)")
    a = p.parse_args()
    exe = build()
    for tier in a.tiers.split(","):
        for fmt in a.formats.split(","):
            data = generate(exe, tier.strip().upper(), fmt.strip(), a.seed)
            wall, peak, manifest = run(exe, data, a.memory_limit)
            report(tier, fmt, wall, peak, manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
