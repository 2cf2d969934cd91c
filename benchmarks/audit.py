"""Audit benchmark: pages per second and peak memory of ``claimsafe audit`` on a local site.

    python benchmarks/audit.py [--pages 2000] [--jobs 1,2] [--concurrency 16]

Generates ``--pages`` varied HTML pages (the Markdown of ``generate.py`` rendered into a
page with a header, navigation, cookie banner and footer around its ``<main>``), serves
them from a loopback HTTP server in this process behind a sitemap, and runs
``claimsafe audit SITEMAP`` in a subprocess once per ``--jobs`` value, with no politeness
delay (it is our own server). For each run it prints wall time, pages per second, the
speed-up over the first ``--jobs`` value, and the peak memory of the audit's processes:
the main process, the largest lint worker and all of them together (sampled from /proc
every 50 ms). To see that memory stays flat as the site grows, compare the peak at
``--pages 2000`` and ``--pages 10000``; the figures also go to
``benchmarks/out/audit.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from generate import generate  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402

from tests.siteserver import Route, SiteServer  # noqa: E402

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="description" content="Hair loss treatments in {city}."></head>
<body><div id="cookie-notice">We use cookies to improve your experience. Accept all?</div>
<header><a href="/">Home</a><nav><ul><li><a href="/treatments">Treatments</a></li>
<li><a href="/prices">Prices</a></li><li><a href="/book">Book now: painless, guaranteed
results</a></li></ul></nav></header>
<main>{body}</main>
<footer><p>Clinic {city}, 1 High Street. Open Monday to Saturday.</p>
<p>Painless treatments, guaranteed results.</p></footer></body></html>
"""


def build_site(pages: int, workdir: Path) -> dict[str, Route]:
    markdown = workdir / "md"
    corpus = generate(str(markdown), total_bytes=pages * 4400 + 50_000, file_bytes=4000)
    render = MarkdownIt("commonmark", {"html": False}).enable("table").render
    routes: dict[str, Route] = {}
    for i, path in enumerate(corpus.files[:pages]):
        text = Path(path).read_text(encoding="utf-8")
        if text.startswith("---\n"):  # front matter is the generator's, not the page's
            text = text[text.index("\n---", 4) + 4 :]
        city = Path(path).stem.split("-", 1)[1]
        page = _PAGE.format(title=f"Mesotherapy in {city}", city=city, body=render(text))
        routes[f"/page/{i:05d}"] = Route(page.encode("utf-8"))
    return routes


def sitemap(base: str, paths) -> Route:
    locs = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    xml = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return Route(f"{xml}{locs}</urlset>".encode(), content_type="application/xml")


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_audit(sitemap: str, jobs: int, concurrency: int, workdir: Path) -> dict:
    db = workdir / f"audit-{jobs}.db"
    command = [
        sys.executable, "-m", "linter", "audit", sitemap, "--db", str(db), "--jobs", str(jobs),
        "--concurrency", str(concurrency), "--delay", "0", "--format", "json",
        "--no-progress", "--no-config", "-o", str(workdir / f"audit-{jobs}.json"),
    ]  # fmt: skip
    env = {**os.environ, "CLAIMSAFE_NO_CACHE": "1"}
    peak = {"main": 0.0, "worker": 0.0, "total": 0.0}
    cpu: dict[int, float] = {}  # last CPU seconds seen per process of the audit
    server_cpu = time.process_time()  # this process serves the pages
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    while proc.poll() is None:
        tree = _tree(proc.pid)
        sizes = {p: _rss_mb(p) for p in tree}
        cpu.update({p: max(cpu.get(p, 0.0), _cpu_s(p)) for p in tree})
        peak["main"] = max(peak["main"], sizes.get(proc.pid, 0.0))
        workers = [v for p, v in sizes.items() if p != proc.pid]
        peak["worker"] = max([peak["worker"], *workers])
        peak["total"] = max(peak["total"], sum(sizes.values()))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    server_cpu = time.process_time() - server_cpu
    err = proc.stderr.read().decode()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"audit failed ({proc.returncode}): {err.strip()}")
    report = json.loads((workdir / f"audit-{jobs}.json").read_text())
    pages = report["summary"]["pages"]
    return {
        "jobs": jobs,
        "pages": pages,
        "failed": report["summary"]["failed"],
        "findings": report["summary"]["findings"],
        "wall_s": round(wall, 2),
        "pages_per_s": round(pages / wall, 1),
        "peak_rss_mb": {k: round(v) for k, v in peak.items()},
        # Where the CPU went (sampled, so slightly low): the audit's main process (fetch,
        # store, report), its lint workers together, and the test server in this process.
        "cpu_s": {
            "main": round(cpu.get(proc.pid, 0.0), 1),
            "workers": round(sum(v for p, v in cpu.items() if p != proc.pid), 1),
            "server": round(server_cpu, 1),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="claimsafe-audit-bench-") as tmp:
        workdir = Path(tmp)
        routes = build_site(args.pages, workdir)
        size = sum(len(r.body) for r in routes.values())
        with SiteServer(routes) as server:
            base = server.url("")
            server.add("/sitemap.xml", sitemap(base, list(routes)))
            print(f"{args.pages} pages, {size / 1e6:.1f} MB of HTML, served at {base}")
            results = [
                run_audit(server.url("/sitemap.xml"), int(j), args.concurrency, workdir)
                for j in args.jobs.split(",")
            ]
    first = results[0]["pages_per_s"]
    print(f"{'jobs':>4} {'pages':>6} {'failed':>6} {'wall s':>7} {'pages/s':>8} {'speed-up':>8}"
          f" {'main MB':>8} {'worker MB':>9} {'total MB':>8}"
          f" {'CPU s: main':>11} {'workers':>7} {'server':>6}")  # fmt: skip
    for r in results:
        rss, cpu = r["peak_rss_mb"], r["cpu_s"]
        print(
            f"{r['jobs']:>4} {r['pages']:>6} {r['failed']:>6} {r['wall_s']:>7.2f} "
            f"{r['pages_per_s']:>8.1f} {r['pages_per_s'] / first:>7.2f}x "
            f"{rss['main']:>8} {rss['worker']:>9} {rss['total']:>8} "
            f"{cpu['main']:>11} {cpu['workers']:>7} {cpu['server']:>6}"
        )
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "audit.json").write_text(
        json.dumps({"pages": args.pages, "cpus": os.cpu_count(), "runs": results}, indent=2)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
