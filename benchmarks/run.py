#!/usr/bin/env python3
"""claimsafe benchmark: throughput, one-file wall time and peak memory against a spaCy floor.

Run from anywhere (usually the repo root)::

    python benchmarks/run.py            # ~10 MB corpus, best of 3 / best of 5 (a few minutes)
    python benchmarks/run.py --quick    # ~2 MB corpus, 1 repetition (about a minute)
    python benchmarks/run.py --profile  # also profile one lint run (cProfile, top functions)

Prints a table and writes ``benchmarks/out/results.json``. The generated corpus stays in
``benchmarks/out/corpus/`` for profiling. Every figure is the wall time of a whole
subprocess (interpreter start, imports, pipeline build, work, exit), so that the linter and
its floor pay the same fixed costs. The exit code is 0 whatever the figures: this is a
measurement, not a test. Standard library only (spaCy is needed by what it runs).

See benchmarks/README.md for what is measured and why the targets are what they are.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (benchmarks/generate.py, beside this file)

# Targets (see README.md).
THROUGHPUT_RATIO_MIN = 0.40  # lint MB/s >= 40% of the floor's MB/s
ONE_FILE_RATIO_MAX = 1.20  # lint wall time <= 1.2x the floor's
DISTINCT_MIN = 0.90  # share of distinct sentences in the corpus

TIMEOUT_S = 1800  # one subprocess; a hung run is killed and reported, not waited on forever

# The throughput floor: a bare blank pipeline (tokenizer + sentence boundaries) over the raw
# text of the same files, read the same way the linter reads them.
FLOOR_PIPE = r"""
import os, sys
import spacy
nlp = spacy.blank("en")
nlp.add_pipe("sentencizer")
root = sys.argv[1]
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".md"))
def texts():
    for p in paths:
        with open(p, "rb") as fh:
            yield fh.read().decode("utf-8")
tokens = sents = 0
for doc in nlp.pipe(texts(), batch_size=64):
    tokens += len(doc)
    sents += sum(1 for _ in doc.sents)
print(len(paths), tokens, sents)
"""

# The one-file floor, exactly as documented: import spaCy, build the blank pipeline, run it once.
FLOOR_ONE = (
    "import spacy; nlp = spacy.blank('en'); nlp.add_pipe('sentencizer'); nlp(open({path!r}).read())"
)


@dataclass
class Run:
    seconds: float
    returncode: int
    max_rss_mb: float | None
    cpu_seconds: float | None = None  # user + system: far less sensitive to other load
    stdout: str = ""
    stderr: str = ""

    problem: str | None = None  # set when a run exited 0/1 but did not do its job

    @property
    def ok(self) -> bool:
        # 1 = findings: a successful lint. But an uncaught exception also exits with 1.
        return (
            self.returncode in (0, 1)
            and self.problem is None
            and "Traceback (most recent" not in self.stderr
        )


@dataclass
class Series:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if r.ok]

    @property
    def best(self) -> float | None:
        return min((r.seconds for r in self.ok_runs), default=None)

    @property
    def best_cpu(self) -> float | None:
        return min((r.cpu_seconds for r in self.ok_runs if r.cpu_seconds is not None), default=None)

    @property
    def max_rss_mb(self) -> float | None:
        values = [r.max_rss_mb for r in self.ok_runs if r.max_rss_mb is not None]
        return max(values, default=None)

    @property
    def error(self) -> str | None:
        bad = [r for r in self.runs if not r.ok]
        if not bad:
            return None
        tail = bad[0].problem or (bad[0].stderr.strip().splitlines() or ["(no stderr)"])[-1]
        return f"exit code {bad[0].returncode}: {tail[:200]}"

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "best_seconds": self.best,
            "seconds": [round(r.seconds, 4) for r in self.runs],
            "best_cpu_seconds": self.best_cpu,
            "cpu_seconds": [
                None if r.cpu_seconds is None else round(r.cpu_seconds, 4) for r in self.runs
            ],
            "returncodes": [r.returncode for r in self.runs],
            "max_rss_mb": self.max_rss_mb,
            "error": self.error,
        }


def subprocess_env() -> dict[str, str]:
    """The caller's environment with the repo root first on PYTHONPATH (source tree wins)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["NO_COLOR"] = "1"
    return env


ENV = subprocess_env()


def run_timed(
    cmd: list[str], capture_stdout: bool = False, env: dict[str, str] | None = None
) -> Run:
    """Wall time, exit code and peak RSS of one subprocess (RSS from its own rusage);
    ``env``: variables set on top of the usual environment."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        result: dict = {}
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**ENV, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out if capture_stdout else subprocess.DEVNULL,
            stderr=err,
        )

        def reap() -> None:
            if hasattr(os, "wait4"):
                _, status, usage = os.wait4(proc.pid, 0)
                result["end"] = time.perf_counter()
                result["code"] = os.waitstatus_to_exitcode(status)
                rss = usage.ru_maxrss  # KiB on Linux, bytes on macOS
                result["rss"] = rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024
                result["cpu"] = usage.ru_utime + usage.ru_stime
            else:  # no per-child rusage here: time only
                result["code"] = proc.wait()
                result["end"] = time.perf_counter()
                result["rss"] = None
                result["cpu"] = None

        reaper = threading.Thread(target=reap, daemon=True)
        reaper.start()
        reaper.join(TIMEOUT_S)
        if reaper.is_alive():
            proc.kill()
            reaper.join()
            result["code"] = -9
            result.setdefault("end", time.perf_counter())
            result.setdefault("rss", None)
            result.setdefault("cpu", None)
        proc.returncode = result["code"]  # reaped by wait4: keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        return Run(
            seconds=result["end"] - start,
            returncode=result["code"],
            max_rss_mb=result["rss"],
            cpu_seconds=result["cpu"],
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


@dataclass
class Corpus:
    dir: Path
    files: list[str]
    bytes: int
    sentences: int  # sentences the generator wrote
    claims: int  # of which claims
    reused: bool


def prepare_corpus(mb: float, seed: int) -> Corpus:
    """The corpus for (size, seed, generator source), reused if already on disk.

    A fresh corpus is generated into a temporary directory and renamed into place, so a
    second benchmark running at the same time never sees a half-written corpus.
    """
    digest = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:16]
    total = int(mb * 1_000_000)
    corpus_dir = OUT / f"corpus-{mb:g}mb-seed{seed}"
    manifest_path = corpus_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
        files = [str(corpus_dir / name) for name in manifest["files"]]
        if (
            manifest["generator"] == digest
            and manifest["target_bytes"] == total
            and sum(os.path.getsize(f) for f in files) == manifest["bytes"]
        ):
            return Corpus(
                corpus_dir,
                files,
                manifest["bytes"],
                manifest["sentences"],
                manifest["claims"],
                True,
            )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    tmp = Path(tempfile.mkdtemp(prefix=".corpus-", dir=OUT))
    made = generate.generate(str(tmp), total, seed)
    names = [os.path.basename(f) for f in made.files]
    (tmp / "manifest.json").write_text(
        json.dumps(
            {
                "generator": digest,
                "seed": seed,
                "target_bytes": total,
                "bytes": made.bytes,
                "sentences": made.sentences,
                "claims": made.claims,
                "files": names,
            }
        )
        + "\n",
        "utf-8",
    )
    if corpus_dir.exists():
        stale = Path(tempfile.mkdtemp(prefix=".stale-", dir=OUT))
        corpus_dir.rename(stale / "corpus")
        shutil.rmtree(stale, ignore_errors=True)
    tmp.rename(corpus_dir)
    return Corpus(
        corpus_dir,
        [str(corpus_dir / n) for n in names],
        made.bytes,
        made.sentences,
        made.claims,
        False,
    )


def took(run: Run, digits: int) -> str:
    text = f"{run.seconds:.{digits}f} s"
    if run.cpu_seconds is not None:
        text += f" ({run.cpu_seconds:.{digits}f} s CPU)"
    return text + ("" if run.ok else f" (FAILED, exit code {run.returncode})")


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def lint_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "linter", "check", "--no-config", *args]


def environment() -> dict:
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, linter, spacy; print(json.dumps({'linter_file': linter.__file__, "
            "'linter_version': getattr(linter, '__version__', '?'), 'spacy_version': spacy.__version__}))",
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    info = {
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        info.update(json.loads(probe.stdout))
    except ValueError:
        info["probe_error"] = (probe.stderr.strip().splitlines() or ["?"])[-1]
    return info


# --------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------


def measure_throughput(
    corpus_dir: Path, reps: int, report_path: Path, jobs: str = "0"
) -> tuple[Series, Series, dict]:
    lint = Series(f"claimsafe check --no-cache --jobs {jobs} --format json -o FILE DIR")
    floor = Series("spacy.blank('en') + sentencizer, nlp.pipe(batch_size=64)")
    floor_counts: dict = {}
    for i in range(reps):  # interleaved, so that drift in the machine hits both alike
        print(f"  throughput {i + 1}/{reps}: floor ...", end="", flush=True)
        run = run_timed([sys.executable, "-c", FLOOR_PIPE, str(corpus_dir)], capture_stdout=True)
        floor.runs.append(run)
        if run.ok and run.stdout.split():
            files, tokens, sents = (int(x) for x in run.stdout.split()[:3])
            floor_counts = {"files": files, "tokens": tokens, "sentences": sents}
        print(f" {took(run, 2)}; lint ...", end="", flush=True)
        if report_path.exists():
            report_path.unlink()
        run = run_timed(
            lint_cmd(
                "--no-cache",
                "--jobs",
                jobs,
                "--format",
                "json",
                "-o",
                str(report_path),
                str(corpus_dir),
            )
        )
        if run.returncode in (0, 1) and not report_path.exists():
            run.problem = "no JSON report written"
        lint.runs.append(run)
        print(f" {took(run, 2)}", flush=True)
    return lint, floor, floor_counts


# Only the result cache off: the parsed rules come from the cache, the findings do not.
NO_RESULTS = {"CLAIMSAFE_NO_RESULT_CACHE": "1"}


def measure_one_file(path: Path, reps: int) -> tuple[Series, Series, Series, Series]:
    """Uncached (``--no-cache``: nothing cached, not even the parsed rules), warm rules
    (the pre-commit run on a file just edited: rules cached, findings not) and cached
    (the file is unchanged since the last run: its findings come from the result cache)."""
    lint = Series("claimsafe check --no-cache FILE")
    warm = Series("CLAIMSAFE_NO_RESULT_CACHE=1 claimsafe check FILE (rules cached)")
    cached = Series("claimsafe check FILE (cached)")
    floor = Series("import spacy; blank('en') + sentencizer; nlp(text)")
    run_timed(lint_cmd(str(path)))  # fills the rule and result caches
    for i in range(reps):
        print(f"  one file {i + 1}/{reps}: floor ...", end="", flush=True)
        run = run_timed([sys.executable, "-c", FLOOR_ONE.format(path=str(path))])
        floor.runs.append(run)
        print(f" {took(run, 3)}; lint ...", end="", flush=True)
        run = run_timed(lint_cmd("--no-cache", str(path)))
        lint.runs.append(run)
        print(f" {took(run, 3)}; warm rules ...", end="", flush=True)
        run = run_timed(lint_cmd(str(path)), env=NO_RESULTS)
        warm.runs.append(run)
        print(f" {took(run, 3)}; cached ...", end="", flush=True)
        run = run_timed(lint_cmd(str(path)))
        cached.runs.append(run)
        print(f" {took(run, 3)}", flush=True)
    return lint, warm, cached, floor


def findings_summary(report_path: Path) -> dict:
    try:
        data = json.loads(report_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        return {"error": f"no JSON report: {exc}"}
    by_rule: dict[str, int] = {}
    for finding in data.get("findings", []):
        by_rule[finding.get("rule", "?")] = by_rule.get(finding.get("rule", "?"), 0) + 1
    return {
        "files": data.get("summary", {}).get("files"),
        "findings": len(data.get("findings", [])),
        "by_rule": dict(sorted(by_rule.items())),
        "by_category": data.get("summary", {}).get("by_category"),
    }


def profile_lint(corpus_dir: Path, top: int = 15) -> str:
    """One lint run under cProfile; the ``top`` linter functions by cumulative time."""
    prof = OUT / "lint.prof"
    report = OUT / "profile-report.json"
    cmd = [
        sys.executable,
        "-m",
        "cProfile",
        "-o",
        str(prof),
        "-m",
        "linter",
        "check",
        "--no-config",
        "--format",
        "json",
        "-o",
        str(report),
        str(corpus_dir),
    ]
    run = run_timed(cmd)
    if not prof.exists():
        return f"profile failed (exit code {run.returncode}): {run.stderr.strip()[-300:]}"
    import io
    import pstats

    buffer = io.StringIO()
    stats = pstats.Stats(str(prof), stream=buffer)
    stats.sort_stats("cumulative").print_stats(r"[/\\]linter[/\\]", top)
    text = buffer.getvalue()
    start = text.find("   ncalls")
    body = text[start:] if start != -1 else text
    (OUT / "profile.txt").write_text(body, "utf-8")
    return f"(profiled run: {run.seconds:.1f} s wall under cProfile)\n" + body.rstrip()


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def paired_ratio(floor: Series, lint: Series) -> float | None:
    """The median, over the repetitions, of floor time / lint time of runs taken one
    right after the other: a check on the best-of ratio when the machine's speed drifts
    (the best floor and the best lint may come from different moments)."""
    ratios = sorted(
        f.seconds / g.seconds for f, g in zip(floor.runs, lint.runs) if f.ok and g.ok and g.seconds
    )
    if not ratios:
        return None
    mid = len(ratios) // 2
    return ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def fmt(value: float | None, spec: str, unit: str = "") -> str:
    return "error" if value is None else f"{value:{spec}}{unit}"


def table(rows: list[list[str]]) -> str:
    header = ["measure", "claimsafe", "floor", "ratio", "target", "result"]
    rows = [header] + rows
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="claimsafe throughput / latency / memory benchmark"
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 MB corpus, 1 repetition (3 for one file)"
    )
    parser.add_argument(
        "--mb", type=float, help="corpus size in MB (default 10, or 2 with --quick)"
    )
    parser.add_argument("--repeat", type=int, help="throughput repetitions, best kept (default 5)")
    parser.add_argument("--one-file-repeat", type=int, help="one-file repetitions (default 5)")
    parser.add_argument("--seed", type=int, default=20240601, help="corpus seed (default 20240601)")
    parser.add_argument("--profile", action="store_true", help="also run one lint under cProfile")
    args = parser.parse_args(argv)

    mb = args.mb or (2.0 if args.quick else 10.0)
    reps = args.repeat or (1 if args.quick else 5)
    one_reps = args.one_file_repeat or (3 if args.quick else 5)
    OUT.mkdir(parents=True, exist_ok=True)

    env_info = environment()
    load_before = load_average()
    print(
        f"claimsafe benchmark: linter from {env_info.get('linter_file', '?')}, "
        f"spaCy {env_info.get('spacy_version', '?')}, Python {env_info['python']}, {env_info['cpus']} CPUs"
    )

    t0 = time.perf_counter()
    corpus = prepare_corpus(mb, args.seed)
    corpus_dir = corpus.dir
    distinct, total = generate.distinct_share(corpus.files)
    share = distinct / total if total else 0.0
    claim_share = corpus.claims / corpus.sentences if corpus.sentences else 0.0
    how = "reused" if corpus.reused else f"generated in {time.perf_counter() - t0:.1f} s"
    print(
        f"corpus: {len(corpus.files)} Markdown files, {corpus.bytes / 1e6:.2f} MB in "
        f"{os.path.relpath(corpus_dir, ROOT)} ({how}, seed {args.seed})"
    )
    print(
        f"corpus: distinct sentences {distinct}/{total} = {share:.1%} "
        f"({verdict(share > DISTINCT_MIN)}, target > {DISTINCT_MIN:.0%}); "
        f"claims in {claim_share:.1%} of generated sentences"
    )

    report_path = OUT / f"lint-report-{os.getpid()}.json"
    lint_tp, floor_tp, floor_counts = measure_throughput(corpus_dir, reps, report_path)
    print("  single process (--jobs 1):")
    lint_tp1, _, _ = measure_throughput(corpus_dir, 1, report_path, jobs="1")
    findings = findings_summary(report_path)
    if report_path.exists():
        shutil.move(str(report_path), OUT / "lint-report.json")

    one_path = min(corpus.files, key=lambda p: (abs(os.path.getsize(p) - 5000), p))
    one_bytes = os.path.getsize(one_path)
    lint_one, warm_one, cached_one, floor_one = measure_one_file(Path(one_path), one_reps)

    size_mb = corpus.bytes / 1e6
    lint_mbs = size_mb / lint_tp.best if lint_tp.best else None
    floor_mbs = size_mb / floor_tp.best if floor_tp.best else None
    tp_ratio = lint_mbs / floor_mbs if lint_mbs and floor_mbs else None
    lint1_mbs = size_mb / lint_tp1.best if lint_tp1.best else None
    tp1_ratio = lint1_mbs / floor_mbs if lint1_mbs and floor_mbs else None
    cached_ratio = cached_one.best / floor_one.best if cached_one.best and floor_one.best else None
    warm_ratio = warm_one.best / floor_one.best if warm_one.best and floor_one.best else None
    one_ratio = lint_one.best / floor_one.best if lint_one.best and floor_one.best else None
    rss_lint, rss_floor = lint_tp.max_rss_mb, floor_tp.max_rss_mb
    rss_ratio = rss_lint / rss_floor if rss_lint and rss_floor else None
    paired = paired_ratio(floor_tp, lint_tp)
    cpu_tp_ratio = (
        floor_tp.best_cpu / lint_tp.best_cpu if floor_tp.best_cpu and lint_tp.best_cpu else None
    )
    cpu_one_ratio = (
        lint_one.best_cpu / floor_one.best_cpu if lint_one.best_cpu and floor_one.best_cpu else None
    )
    load_after = load_average()

    rows = [
        [
            f"throughput, {size_mb:.1f} MB corpus (MB/s, best of {reps})",
            fmt(lint_mbs, ".3f"),
            fmt(floor_mbs, ".3f"),
            fmt(tp_ratio, ".2f"),
            f">= {THROUGHPUT_RATIO_MIN:.2f}",
            verdict(None if tp_ratio is None else tp_ratio >= THROUGHPUT_RATIO_MIN),
        ],
        ["  wall time (s)", fmt(lint_tp.best, ".2f"), fmt(floor_tp.best, ".2f"), "", "", ""],
        [
            f"  ratio of each floor run to the lint run after it (median of {reps})",
            "",
            "",
            fmt(paired, ".2f"),
            "",
            "info",
        ],
        [
            "  single process (--jobs 1), MB/s",
            fmt(lint1_mbs, ".3f"),
            fmt(floor_mbs, ".3f"),
            fmt(tp1_ratio, ".2f"),
            "",
            "info",
        ],
        [
            "  CPU time (s), ratio floor/lint",
            fmt(lint_tp.best_cpu, ".2f"),
            fmt(floor_tp.best_cpu, ".2f"),
            fmt(cpu_tp_ratio, ".2f"),
            "",
            "info",
        ],
        [
            f"one-file wall time, {one_bytes / 1000:.1f} KB (s, best of {one_reps})",
            fmt(lint_one.best, ".3f"),
            fmt(floor_one.best, ".3f"),
            fmt(one_ratio, ".2f"),
            f"<= {ONE_FILE_RATIO_MAX:.2f}",
            verdict(None if one_ratio is None else one_ratio <= ONE_FILE_RATIO_MAX),
        ],
        [
            "  CPU time (s), ratio lint/floor",
            fmt(lint_one.best_cpu, ".3f"),
            fmt(floor_one.best_cpu, ".3f"),
            fmt(cpu_one_ratio, ".2f"),
            "",
            "info",
        ],
        [
            "one-file wall time, rules cached (pre-commit, edited file)",
            fmt(warm_one.best, ".3f"),
            fmt(floor_one.best, ".3f"),
            fmt(warm_ratio, ".2f"),
            "",
            "info",
        ],
        [
            "one-file wall time, cached (pre-commit re-run)",
            fmt(cached_one.best, ".3f"),
            fmt(floor_one.best, ".3f"),
            fmt(cached_ratio, ".2f"),
            "",
            "info",
        ],
        [
            f"peak RSS, {size_mb:.1f} MB run (MB)",
            fmt(rss_lint, ".0f"),
            fmt(rss_floor, ".0f"),
            fmt(rss_ratio, ".2f"),
            "(none)",
            "info",
        ],
        [
            "distinct sentences in corpus",
            f"{share:.1%}",
            "",
            "",
            f"> {DISTINCT_MIN:.0%}",
            verdict(share > DISTINCT_MIN),
        ],
    ]
    print()
    print(table(rows))
    print()
    for series in (lint_tp, floor_tp, lint_one, warm_one, floor_one):
        if series.error:
            print(f"ERROR in '{series.label}': {series.error}")
    if floor_counts and floor_tp.best:
        print(
            f"floor: {floor_counts['tokens']:,} tokens, {floor_counts['sentences']:,} sentences "
            f"({floor_counts['tokens'] / floor_tp.best:,.0f} tokens/s incl. start-up)"
        )
    if "error" not in findings:
        print(
            f"lint: {findings['findings']:,} findings in {findings['files']} files; by rule: "
            + ", ".join(f"{k} {v}" for k, v in findings["by_rule"].items())
        )
    else:
        print(f"lint: {findings['error']}")
    print(f"one-file sample: {os.path.relpath(one_path, ROOT)}")
    cpus = os.cpu_count() or 1
    if load_before and load_after:
        print(f"load average (1/5/15 min): {load_before} before, {load_after} after")
        if max(load_before[0], load_after[0]) > cpus * 0.75:
            print(
                f"warning: the machine was busy (load above {cpus * 0.75:.1f} on {cpus} CPUs): "
                "wall times are inflated and noisy; the CPU-time rows are steadier"
            )

    profile_text = None
    if args.profile:
        print("\nprofiling one lint run (cProfile, linter functions by cumulative time) ...")
        profile_text = profile_lint(corpus_dir)
        print(profile_text)

    results = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "mode": "quick" if args.quick else "full",
        "environment": env_info,
        "load_average": {"before": load_before, "after": load_after},
        "corpus": {
            "dir": str(corpus_dir),
            "seed": args.seed,
            "files": len(corpus.files),
            "bytes": corpus.bytes,
            "sentences": total,
            "distinct_sentences": distinct,
            "distinct_share": round(share, 4),
            "generated_sentences": corpus.sentences,
            "claim_sentences": corpus.claims,
            "claim_share": round(claim_share, 4),
            "floor_counts": floor_counts,
        },
        "throughput": {
            "repetitions": reps,
            "lint": lint_tp.as_dict(),
            "floor": floor_tp.as_dict(),
            "lint_mb_per_s": lint_mbs,
            "floor_mb_per_s": floor_mbs,
            "ratio": tp_ratio,
            "paired_ratio_median": paired,
            "cpu_ratio": cpu_tp_ratio,
            "single_process": lint_tp1.as_dict(),
            "single_process_mb_per_s": lint1_mbs,
            "single_process_ratio": tp1_ratio,
            "target_ratio_min": THROUGHPUT_RATIO_MIN,
            "pass": None if tp_ratio is None else tp_ratio >= THROUGHPUT_RATIO_MIN,
        },
        "one_file": {
            "path": os.path.relpath(one_path, ROOT),
            "bytes": one_bytes,
            "repetitions": one_reps,
            "lint": lint_one.as_dict(),
            "floor": floor_one.as_dict(),
            "ratio": one_ratio,
            "cpu_ratio": cpu_one_ratio,
            "rules_cached": warm_one.as_dict(),
            "rules_cached_ratio": warm_ratio,
            "cached": cached_one.as_dict(),
            "cached_ratio": cached_ratio,
            "target_ratio_max": ONE_FILE_RATIO_MAX,
            "pass": None if one_ratio is None else one_ratio <= ONE_FILE_RATIO_MAX,
        },
        "peak_rss_mb": {"lint": rss_lint, "floor": rss_floor, "ratio": rss_ratio},
        "distinct_sentences": {
            "share": round(share, 4),
            "target_min": DISTINCT_MIN,
            "pass": share > DISTINCT_MIN,
        },
        "findings": findings,
        "profile": profile_text,
    }
    results_path = OUT / "results.json"
    results_path.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(
        f"\nwrote {os.path.relpath(results_path, Path.cwd()) if results_path.is_relative_to(Path.cwd()) else results_path}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
