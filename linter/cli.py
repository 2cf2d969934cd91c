"""The command line: parse arguments, load config, run the engine, render, exit.

``claimsafe check PATH... [options]`` (``--diff BASE``/``--diff-file``: only what a change
touched, see :mod:`linter.diffs`; ``--baseline FILE``: only what ``claimsafe baseline write
FILE`` did not record, see :mod:`linter.baseline`). Exit codes: 0 when nothing at or above
the failing severity was found, 1 when something was, 2 for usage, configuration or rule
errors (always one line on stderr naming the file and the reason, never a traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterable
from dataclasses import replace
from typing import NoReturn

from linter import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
DEFAULT_AUDIT_DB = "claimsafe-audit.sqlite3"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's default prints usage; one line is enough
        raise _Usage(message)


class _Usage(Exception):
    pass


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    from linter.reporters import FORMATS

    parser = _Parser(
        prog="claimsafe", description="Lint clinic marketing copy for unsupported health claims."
    )
    parser.add_argument("--version", action="version", version=f"claimsafe {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    check = commands.add_parser("check", help="lint files, directories or stdin (-)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; - for stdin")
    check.add_argument(
        "--format", choices=sorted(FORMATS), default="text", help="output format (default: text)"
    )
    audit = _audit_parser(commands)
    baseline = commands.add_parser(
        "baseline", help="record today's findings so that check reports only new ones"
    )
    baseline_commands = baseline.add_subparsers(
        dest="baseline_command", metavar="ACTION", parser_class=_Parser
    )
    write = baseline_commands.add_parser(
        "write", help="write FILE with the findings in PATH... (default: .)"
    )
    write.add_argument("file", metavar="FILE", help="baseline file to write (JSON)")
    write.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    for sub in (check, write, audit):
        sub.add_argument(
            "--select",
            action="append",
            metavar="RULES",
            help="only these codes, names or categories (comma-separated)",
        )
        sub.add_argument(
            "--ignore",
            action="append",
            metavar="RULES",
            help="skip these codes, names or categories",
        )
    for sub in (check, audit):
        sub.add_argument(
            "--fail-on",
            choices=["info", "warning", "error"],
            help="lowest severity that fails the run (default: warning)",
        )
    for sub in (check, write):
        sub.add_argument(
            "--stdin-filename",
            metavar="NAME",
            help="name (and format, by suffix) for text read from stdin",
        )
    for sub in (check, write, audit):
        sub.add_argument(
            "--config",
            metavar="FILE",
            help="config file (default: nearest pyproject.toml [tool.claimsafe] or .claimsafe.yaml)",
        )
        sub.add_argument("--no-config", action="store_true", help="ignore config files")
        sub.add_argument(
            "--rules", action="append", metavar="DIR", help="extra rule directory (repeatable)"
        )
        sub.add_argument(
            "--exclude",
            action="append",
            metavar="GLOB",
            help="skip matching paths when walking directories",
        )
        sub.add_argument(
            "--no-cache",
            action="store_true",
            help="do not read or write caches (parsed rules, findings of unchanged files)",
        )
    check.add_argument(
        "--color", choices=["auto", "always", "never"], default="auto", help="colour in text output"
    )
    for sub in (check, write):
        sub.add_argument(
            "-j",
            "--jobs",
            type=int,
            default=0,
            metavar="N",
            help="worker processes (default 0: one per CPU for inputs over 1 MB; 1: no workers)",
        )
    for sub in (check, audit):
        sub.add_argument(
            "-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout"
        )
    changed = check.add_mutually_exclusive_group()
    changed.add_argument(
        "--diff",
        metavar="BASE",
        help="report only what changed since git ref BASE (PATH defaults to the changed files)",
    )
    changed.add_argument(
        "--diff-file",
        metavar="FILE",
        help="like --diff, with the changes read from a unified diff (- for stdin)",
    )
    check.add_argument(
        "--baseline",
        metavar="FILE",
        help="report only findings not recorded in FILE (see: baseline write)",
    )
    facts = commands.add_parser("facts", help="work with the fact base")
    facts_commands = facts.add_subparsers(
        dest="facts_command", metavar="ACTION", parser_class=_Parser
    )
    verify = facts_commands.add_parser(
        "verify", help="check every quote, hash, id and rule reference"
    )
    explain = commands.add_parser("explain", help="show a rule or a fact with its evidence")
    explain.add_argument("key", metavar="CODE|NAME|FACT-ID")
    for sub in (check, write, audit, verify, explain):
        sub.add_argument(
            "--facts", action="append", metavar="DIR", help="extra fact base directory (repeatable)"
        )
    for sub in (verify, explain):
        sub.add_argument("--config", metavar="FILE", help="config file")
        sub.add_argument("--no-config", action="store_true", help="ignore config files")
        sub.add_argument(
            "--rules", action="append", metavar="DIR", help="extra rule directory (repeatable)"
        )
    return parser


def _audit_parser(commands) -> argparse.ArgumentParser:
    audit = commands.add_parser(
        "audit", help="audit published pages: folders, sitemaps, URL lists or URLs"
    )
    audit.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="folder of pages, sitemap.xml (file or URL), file of URLs, or URL",
    )
    audit.add_argument(
        "--report", metavar="FILE.html", help="write the self-contained HTML report to FILE"
    )
    audit.add_argument(
        "--format",
        choices=["text", "json", "csv"],
        default="text",
        help="what to print (default: text)",
    )
    audit.add_argument(
        "--db",
        default=DEFAULT_AUDIT_DB,
        metavar="FILE",
        help=f"SQLite database of audit runs, for --resume and trends (default: {DEFAULT_AUDIT_DB})",
    )
    audit.add_argument(
        "--resume", action="store_true", help="continue the last unfinished run of these sources"
    )
    audit.add_argument(
        "-j", "--jobs", type=int, default=0, metavar="N", help="lint processes (default: all cores)"
    )
    audit.add_argument(
        "--concurrency", type=int, default=8, metavar="N", help="requests in flight (default: 8)"
    )
    audit.add_argument(
        "--delay",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="least time between two requests to one host (default: 1.0)",
    )
    audit.add_argument(
        "--timeout", type=float, default=15.0, metavar="SECONDS", help="per request (default: 15)"
    )
    audit.add_argument(
        "--retries", type=int, default=3, metavar="N", help="retries on 429/5xx (default: 3)"
    )
    audit.add_argument(
        "--max-bytes",
        type=int,
        default=5_000_000,
        metavar="N",
        help="largest page read (default: 5000000)",
    )
    audit.add_argument("--user-agent", metavar="UA", help="User-Agent header to send")
    audit.add_argument(
        "--ignore-robots", action="store_true", help="fetch pages robots.txt disallows"
    )
    audit.add_argument(
        "--all-content",
        action="store_true",
        help="lint every page whole, as check does (default: each page's main content, and "
        "claims in its navigation, header and footer once per site)",
    )
    audit.add_argument(
        "--no-progress", action="store_true", help="no progress bar (shown only on a terminal)"
    )
    return audit


def run() -> NoReturn:
    """The ``claimsafe`` command (and ``python -m linter``): :func:`main`, then exit at once.

    A large run ends holding millions of small objects (markup tokens, findings), and the
    interpreter's shutdown frees them one by one: ~0.1 s after a 10 MB lint, for nothing,
    since by then every report is written and every file closed. Only standard output and
    error still need flushing; a flush that fails is said, like any unwritable report.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # the reader left (``claimsafe check . | head``): nothing to tell it
        except OSError as exc:
            if code == EXIT_USAGE:
                continue  # the run failed already, and said why (maybe this very write)
            code = EXIT_USAGE
            with contextlib.suppress(OSError):
                print(f"claimsafe: error: cannot write output: {exc.strerror}", file=sys.stderr)
                sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except _Usage as exc:
        print(f"claimsafe: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("claimsafe: interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    from linter.baseline import BaselineError
    from linter.config import ConfigError, find_config, load_settings
    from linter.diffs import DiffError
    from linter.documents import UsageError
    from linter.factbase import FactError
    from linter.rulebook import RuleError

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command == "facts" and args.facts_command is None:
        raise _Usage("facts: give an action (verify)")
    if args.command == "baseline" and args.baseline_command is None:
        raise _Usage("baseline: give an action (write)")
    diff_mode = args.command == "check" and (args.diff is not None or args.diff_file is not None)
    if args.command == "check" and not args.paths and not diff_mode:
        raise _Usage("check: give at least one PATH (or - for stdin)")
    if diff_mode and "-" in args.paths:
        raise _Usage(
            f"{'--diff' if args.diff is not None else '--diff-file'}: cannot lint stdin (-); name the files"
        )
    if getattr(args, "no_cache", False):
        os.environ["CLAIMSAFE_NO_CACHE"] = "1"
    try:
        config = args.config if args.config else None if args.no_config else find_config()
        if args.config and not os.path.isfile(args.config):
            raise ConfigError(f"{args.config}: config file not found")
        settings = _apply_options(load_settings(config), args)
        if args.command == "facts":
            return _facts_verify(settings)
        from linter.engine import Engine

        engine = Engine(settings)
        if args.command == "explain":
            return _explain(engine, args.key)
        _check_selectors(engine, settings)
        if args.command == "baseline":
            return _baseline_write(engine, args)
        if args.command == "audit":
            return _audit(engine, settings, args)
        report, notes = _lint(engine, settings, args)
    except (
        ConfigError,
        RuleError,
        UsageError,
        FactError,
        DiffError,
        BaselineError,
    ) as exc:
        print(f"claimsafe: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    from linter.reporters import FORMATS

    colour = args.color == "always" or (
        args.color == "auto"
        and not args.output
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
    )
    rendered = FORMATS[args.format](report, engine.rulebook, colour=colour)
    if not _emit(rendered, args.output):
        return EXIT_USAGE
    for note in notes:
        print(f"claimsafe: {note}", file=sys.stderr)
    return EXIT_FINDINGS if report.failed(settings.fail_on) else EXIT_OK


def _emit(rendered: str | Iterable[str], output: str | None) -> bool:
    """Write a report, whole or in pieces, to ``output`` (stdout when None); False, with
    the error said, when the file cannot be written."""
    pieces = [rendered] if isinstance(rendered, str) else rendered
    if output is None:
        try:
            sys.stdout.writelines(pieces)
            sys.stdout.flush()
        except BrokenPipeError:
            pass  # the reader stopped reading (``claimsafe check . | head``): its choice
        except OSError as exc:
            print(f"claimsafe: error: cannot write report: {exc.strerror}", file=sys.stderr)
            return False
        return True
    try:
        _write_whole(output, pieces)
    except OSError as exc:
        print(f"claimsafe: error: {output}: cannot write report: {exc.strerror}", file=sys.stderr)
        return False
    return True


def _write_whole(output: str, pieces: Iterable[str]) -> None:
    """Write ``output`` so that it only ever holds a whole report: the pieces go to a
    temporary file beside it, which replaces it at the end. A report is written while the
    files are still being linted, so an interrupted or failed run would otherwise leave
    half a report where the last whole one was (a CI step may read it)."""
    import tempfile

    target = os.path.realpath(output)  # through a symlink, which stays one
    exists = os.path.exists(target)
    try:
        if exists and not os.path.isfile(target):
            raise IsADirectoryError  # a device or a pipe (or a folder: open() says so)
        fd, temporary = tempfile.mkstemp(
            dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".part"
        )
    except OSError:
        if not exists:
            raise  # no folder, or no right to create the file there
        # A device, a pipe, or a file we may write in a folder we may not: in place.
        with open(target, "w", encoding="utf-8") as handle:
            handle.writelines(pieces)
        return
    if exists:
        mode = os.stat(target).st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(pieces)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _audit(engine, settings, args) -> int:
    """``claimsafe audit``: fetch and lint every page of the sources into the database,
    then print the results (``--format``) and write the HTML report (``--report``)."""
    from linter.audit.fetch import FetchSettings
    from linter.audit.run import AuditOptions, audit
    from linter.audit.store import StoreError
    from linter.findings import SEVERITY_RANK

    # The least each numeric option may be (jobs 0: one per core; delay 0: no pause).
    least = {"jobs": 0, "concurrency": 1, "retries": 0, "max_bytes": 1, "delay": 0}
    for option, low in least.items():
        if getattr(args, option) < low:
            raise _Usage(f"--{option.replace('_', '-')}: must be at least {low}")
    if args.timeout <= 0:
        raise _Usage("--timeout: must be a positive number of seconds")
    fetch = FetchSettings(
        timeout=args.timeout,
        concurrency=args.concurrency,
        per_host_delay=args.delay,
        retries=args.retries,
        max_bytes=args.max_bytes,
        respect_robots=not args.ignore_robots,
        **({"user_agent": args.user_agent} if args.user_agent else {}),
    )
    options = AuditOptions(args.sources, args.db, args.resume, args.jobs, fetch)
    with _progress_bar(not args.no_progress and sys.stderr.isatty()) as progress:
        try:
            report = audit(engine, options, progress)
        except StoreError as exc:
            print(f"claimsafe: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:
            print(
                f"claimsafe: interrupted; {progress.done} pages saved in {args.db}; "
                "run the same command with --resume to finish",
                file=sys.stderr,
            )
            return 130
    from linter.reporters import AUDIT_FORMATS

    if args.report:
        if not _emit(AUDIT_FORMATS["html"](report, engine.rulebook), args.report):
            return EXIT_USAGE
    if not _emit(AUDIT_FORMATS[args.format](report, engine.rulebook), args.output):
        return EXIT_USAGE
    threshold = SEVERITY_RANK[settings.fail_on]
    failed = any(not page.ok for page in report.pages) or any(
        SEVERITY_RANK[pf.finding.severity] >= threshold for pf in report.findings
    )
    return EXIT_FINDINGS if failed else EXIT_OK


@contextlib.contextmanager
def _progress_bar(shown: bool):
    """A rich progress bar on stderr (pages done of those found so far, failures,
    findings, rate), or none when stderr is not a terminal."""
    from linter.audit.run import Progress

    if not shown:
        yield Progress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(
        TextColumn("auditing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("audit", total=None, status="")

        def update(p: Progress) -> None:
            status = f"{p.failed} failed · {p.findings} findings · {p.rate:.1f} pages/s"
            bar.update(task, completed=p.done, total=p.total, status=status)

        yield Progress(update=update)


def _lint(engine, settings, args):
    """Lint as asked: every finding in PATH..., or (--diff, --diff-file) only what the
    change touched, then (--baseline) only what the baseline does not know. Returns the
    report and the notes for stderr (stale baseline entries, which never fail a run)."""
    from linter import baseline, diffs

    known = baseline.read(args.baseline) if args.baseline else None
    paths, scope, changes = args.paths, None, None
    if args.diff is not None or args.diff_file is not None:
        if args.diff is not None:
            changes = diffs.from_git(args.diff, args.paths)
        else:
            changes = diffs.from_file(args.diff_file)
        outer = baseline.Scope.of(args.paths)
        if args.paths:  # what PATH... names, as usual, if the change touched it
            from linter.documents import discover

            touched = set(changes.touched_paths())
            paths = [
                p
                for p in discover(args.paths, settings.include, settings.exclude)
                if changes.key(p) in touched
            ]
        else:
            paths = diffs.lint_targets(changes, settings.include, settings.exclude)
        deleted = [os.path.join(changes.root, *d.split("/")) for d in changes.deleted]
        scope = baseline.Scope(paths + [d for d in deleted if not args.paths or outer.covers(d)])
    elif known is not None:
        scope = baseline.Scope.of(args.paths, args.stdin_filename)
    with _stdin_kept(args, known is not None and "-" in paths) as given:
        report = engine.lint_paths(paths, args.stdin_filename, jobs=args.jobs)
    notes = []
    if known is not None:  # before the diff filter: an unchanged line's entry is not stale
        report, outcome = baseline.filter_report(
            report, known, scope, baseline.Sources(given), _codes(engine, settings)
        )
        if outcome.stale:
            notes.append(baseline.stale_message(len(outcome.stale)))
    if changes is not None:
        report = diffs.filter_report(report, changes)
    return report, notes


def _codes(engine, settings) -> set[str]:
    """The codes this run can report: the selected rules and the problems not ignored."""
    from linter.findings import PROBLEM_CATEGORY, PROBLEMS

    problems = {
        code
        for code, name, _ in PROBLEMS.values()
        if not any(s in (code, name, PROBLEM_CATEGORY) for s in settings.ignore)
    }
    return {rule.code for rule in engine.rulebook} | problems


@contextlib.contextmanager
def _stdin_kept(args, wanted: bool):
    """Read stdin here when the baseline needs the text the engine lints from it; yields
    ``{path: text}`` (empty when not wanted) while the engine reads a copy."""
    if not wanted:
        yield {}
        return
    import io

    from linter.documents import decode

    data = sys.stdin.buffer.read()
    text, _ = decode(data, args.stdin_filename or "-")
    saved, sys.stdin = sys.stdin, io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        yield {args.stdin_filename or "-": text} if text is not None else {}
    finally:
        sys.stdin = saved


def _baseline_write(engine, args) -> int:
    from linter import baseline

    paths = args.paths or ["."]
    with _stdin_kept(args, "-" in paths) as given:
        report = engine.lint_paths(paths, args.stdin_filename, jobs=args.jobs)
    count = baseline.write(args.file, report, baseline.Sources(given))
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    print(f"Wrote {count} finding{'s' if count != 1 else ''} in {files} to {args.file}.")
    return EXIT_OK


def _facts_verify(settings) -> int:
    from linter.factbase import default_sources_dir, load_factbase, verify
    from linter.rulebook import default_rules_dir, load_rulebook

    base = load_factbase([default_sources_dir(), *settings.fact_dirs])
    rulebook = load_rulebook([default_rules_dir(), *settings.rule_dirs])
    problems = verify(base, rulebook)
    for problem in problems:
        print(f"claimsafe: error: {problem}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    quotes = sum(len(f.evidence) for f in base.facts.values())
    print(
        f"{len(base.facts)} facts, {quotes} quotes in {len(base.documents)} documents: all verified."
    )
    return EXIT_OK


def _explain(engine, key: str) -> int:
    from linter.explain import explain

    text = explain(key, engine.all_rules, engine.factbase)
    if text is None:
        raise _Usage(f"explain: no rule or fact named {key!r}")
    sys.stdout.write(text)
    return EXIT_OK


def _apply_options(settings, args):
    from linter.config import ConfigError

    changes = {}
    for option, key, what in (("facts", "fact_dirs", "fact base"), ("rules", "rule_dirs", "rule")):
        dirs = getattr(args, option, None)
        if dirs:
            missing = [d for d in dirs if not os.path.isdir(d)]
            if missing:
                raise ConfigError(f"{missing[0]}: {what} directory does not exist")
            changes[key] = tuple(getattr(settings, key)) + tuple(os.path.abspath(d) for d in dirs)
    if args.command == "audit":
        changes["main_content"] = not args.all_content
    if args.command not in ("check", "baseline", "audit"):
        return replace(settings, **changes)
    if args.select:
        changes["select"] = _split(args.select)
    if args.ignore:
        changes["ignore"] = settings.ignore + _split(args.ignore)
    if getattr(args, "fail_on", None):
        changes["fail_on"] = args.fail_on
    if args.exclude:
        changes["exclude"] = tuple(settings.exclude) + tuple(_split(args.exclude))
    return replace(settings, **changes)


def _check_selectors(engine, settings) -> None:
    """An unknown code, name or category in select/ignore/severity is a usage error."""
    from linter.config import ConfigError
    from linter.findings import PROBLEM_CATEGORY, PROBLEMS

    problem_names = (
        {PROBLEM_CATEGORY}
        | {c for c, _, _ in PROBLEMS.values()}
        | {n for _, n, _ in PROBLEMS.values()}
    )
    selectors = list(settings.select) + list(settings.ignore) + list(settings.severity)
    for override in settings.per_path:
        selectors += list(override.ignore) + list(override.severity)
    for selector in selectors:
        if selector not in problem_names and not engine.all_rules.known_selector(selector):
            source = f"{settings.source}: " if settings.source else ""
            raise ConfigError(f"{source}unknown rule, name or category {selector!r}")
