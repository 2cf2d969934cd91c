"""Stage 8 reporter: GitHub Actions workflow commands, shown as annotations on a pull request.

One command per finding, in report order, then one plain summary line::

    ::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=CODE name::MESSAGE
    claimsafe: N findings in M files

Choices:

- Severity maps to the command: ``error`` → ``::error``, ``warning`` → ``::warning``,
  ``info`` → ``::notice``.
- Positions are claimsafe's own: 1-based lines and columns counted in characters, with an
  exclusive ``endColumn``. GitHub accepts ``col``/``endColumn`` only when the annotation
  starts and ends on the same line, so a finding that spans lines gets ``line`` and
  ``endLine`` only; a finding with an empty span (a file-level problem such as a binary
  file) gets ``line`` and ``col`` only.
- The message is the finding's message, then the matched text and the suggested rewording
  (whitespace collapsed), each on its own line of the annotation (an escaped newline,
  ``%0A``). Findings without matched text or a suggestion (tool problems) omit those lines.
- Escaping is what the runner un-escapes: in the message (the data after ``::``) ``%`` →
  ``%25``, ``\\r`` → ``%0D``, ``\\n`` → ``%0A``; in property values (the path and the
  title) additionally ``:`` → ``%3A`` and ``,`` → ``%2C``. ``%`` is escaped first so the
  other escapes are not themselves re-escaped.
- No ``::group::`` lines: annotations do not need them, and the output stays one line per
  finding. The summary line is plain text (not a command) and counts the files checked,
  like the text reporter's summary.
- Nothing is truncated here. GitHub shows at most 10 annotations of each kind per step (and
  50 per job) and drops the rest; ``--format sarif`` with code scanning, or the text
  report in the job log, has the full list. An annotation does not fail the job: the exit
  code does.
"""

from __future__ import annotations

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    """Escape a workflow command's message (the part after the second ``::``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value (``file=``, ``title=``...)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(f) -> str:
    props = [("file", f.path), ("line", f.line)]
    if f.end == f.start:
        props.append(("col", f.column))
    elif f.end_line == f.line:
        props += [("col", f.column), ("endLine", f.end_line), ("endColumn", f.end_column)]
    else:
        props.append(("endLine", f.end_line))
    props.append(("title", f"{f.rule} {f.name}"))
    message = f.message
    if f.text:
        message += f'\nmatched: "{" ".join(f.text.split())}"'
    if f.suggestion:
        message += f"\nsuggestion: {' '.join(f.suggestion.split())}"
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{COMMANDS[f.severity]} {rendered}::{escape_data(message)}"


def render(report, rulebook=None, **_options) -> str:
    lines = [annotation(f) for f in report.findings]
    n, m = len(report.findings), report.files
    lines.append(
        f"claimsafe: {n} finding{'s' if n != 1 else ''} in {m} file{'s' if m != 1 else ''}"
    )
    return "\n".join(lines) + "\n"
