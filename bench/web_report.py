"""bench/web.py's tables: plain text or markdown, from the results of a run (also a saved JSON)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from web_servers import BENCH

# --- the report -----------------------------------------------------------------------------------


def _ms(seconds):
    return (
        "–"
        if seconds is None
        else f"{seconds * 1000:.1f} ms"
        if seconds < 0.1
        else f"{seconds * 1000:.0f} ms"
    )


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    model = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    return {
        "cpus": os.cpu_count(),
        "ram_gb": round(int(mem) / 1024 / 1024, 1),
        "cpu": model.group(1) if model else "",
        "python": sys.version.split()[0],
    }


def database_facts(url: str) -> dict:
    sys.path.insert(0, str(BENCH))
    import generate

    marker = generate.generated_marker(url) or {}
    return {
        "size": generate.database_size(url),
        "counts": marker.get("counts"),
        "generated_in_s": marker.get("seconds"),
    }


def report(results: dict, *, markdown: bool) -> str:
    wrk_runs = results["wrk"]
    probes = results["probes"]
    names = list(wrk_runs)

    def joined(values, fmt):
        return " / ".join(fmt(v) for v in values)

    rows = []
    for name in names:
        runs = wrk_runs[name]
        if all(r is not None and r["requests"] == 0 for r in runs):
            rows.append(
                [
                    name,
                    f"none finished within {results['args']['duration']} s",
                    "",
                    "",
                    "",
                    _size(probes[name]["bytes"]),
                ]
            )
            continue
        if all(r is None for r in runs):
            rows.append(
                [
                    name,
                    f"not under wrk: one request {_probe_text(probes[name])}",
                    "",
                    "",
                    "",
                    _size(probes[name]["bytes"]),
                ]
            )
            continue
        runs = [r for r in runs if r]
        rows.append(
            [
                name,
                joined(runs, lambda r: f"{r['rps']:,.1f}"),
                joined(runs, lambda r: _ms(r["p50"])),
                joined(runs, lambda r: _ms(r["p99"])),
                joined(runs, lambda r: str(r["socket_errors"] + r["non_2xx"])),
                _size(probes[name]["bytes"]),
            ]
        )
    header = ["target", "req/s (round 1 / 2 …)", "p50", "p99", "errors", "response"]
    lines = [_table(header, rows, markdown)]

    def rps(name):
        runs = [r for r in wrk_runs.get(name, []) if r]
        return [r["rps"] for r in runs]

    hello, template = rps("baseline: hello"), rps("baseline: meeting page from a template")
    ratios = []
    for label, name, base, base_label, target in (
        (
            "meeting page, visitor, uncached",
            "meeting page, visitor, uncached (?_=unique)",
            template,
            "template",
            "≥ 25 %",
        ),
        ("meeting page, member", "meeting page, member", template, "template", "≥ 25 %"),
        ("meeting page, visitor, plain URL", "meeting page, visitor, plain URL", hello, "hello", "≥ 50 %"),
        (
            "meeting page, visitor, uncached",
            "meeting page, visitor, uncached (?_=unique)",
            hello,
            "hello",
            "",
        ),
    ):
        values = rps(name)
        if values and base:
            per_round = [v / b * 100 for v, b in zip(values, base, strict=False)]
            ratios.append(
                [f"{label} / baseline {base_label}", " / ".join(f"{p:.1f} %" for p in per_round), target]
            )
    lines.append("")
    lines.append(_table(["ratio (req/s, per round)", "measured", "target (#12)"], ratios, markdown))

    extra = []
    for name, found in results.get("queries", {}).items():
        extra.append([f"queries: {name}", f"{found['queries']} ({found['ms']:.0f} ms in-process)"])
    search = results.get("search", {})
    if search.get("done"):
        extra.append(
            [
                f"search, {search['done']} of {search['queries']} Norwegian queries, sequential",
                f"p50 {search['p50_ms']:.0f} ms, p95 {search['p95_ms']:.0f} ms, "
                f"max {search['max_ms']:.0f} ms, "
                f"answers {', '.join(map(str, search['statuses']))}"
                + (
                    f" ({search['not_run_budget']} not run: over the time budget)"
                    if search["not_run_budget"]
                    else ""
                ),
            ]
        )
    pdf = results.get("pdf")
    if pdf:
        extra.append(
            [
                f"stored notice PDF, {pdf['n']} sequential requests",
                f"median {pdf['median_ms']:.1f} ms, max {pdf['max_ms']:.1f} ms",
            ]
        )
    mem = results.get("memory")
    if mem:
        same = [str(pid) for pid in mem["same_workers"]]
        mem = mem | {k: {str(pid): v for pid, v in mem[k].items()} for k in ("before_kb", "after_kb")}
        text = (
            ", ".join(
                f"{int(mem['before_kb'][pid]) // 1024} → {int(mem['after_kb'][pid]) // 1024} MB"
                for pid in same
            )
            or f"workers replaced: {sorted(mem['before_kb'])} → {sorted(mem['after_kb'])}"
        )
        extra.append([f"worker RSS across {mem['requests']:,} requests ({mem['errors']} errors)", text])
    if any(n.startswith("case list") for n in names):
        extra.append(["first-page vs last-page of the case list (req/s)", _ratio(rps, names)])
    lines.append("")
    lines.append(_table(["measure", "value"], extra, markdown))
    db = results.get("database", {})
    counts = db.get("counts") or {}
    m = results["machine"]
    loads = ", ".join(f"{q['load_end']:.2f}" for q in results.get("quiet", []))
    lines.append("")
    lines.append(
        f"Run {results['started']}; machine: {m['cpus']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, "
        f"Python {m['python']}; "
        f"load average at the start of each round: {loads}. Database: {db.get('size')}, "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f". Portal: make serve, {results['servers']['workers']} sync workers; wrk "
        f"{results['args']['connections']} connections, {results['args']['threads']} threads, "
        f"{results['args']['duration']} s per target and round."
    )
    return "\n".join(lines)


def _ratio(rps, names) -> str:
    first_name = next((n for n in names if n.startswith("case list, first page")), None)
    first = rps(first_name) if first_name else []
    last_name = next((n for n in names if n.startswith("case list, last page")), None)
    last = rps(last_name) if last_name else []
    if not first or not last:
        return "–"
    return " / ".join(
        f"last page {b / a * 100:.0f} % of the first" for a, b in zip(first, last, strict=False)
    )


def _probe_text(probe: dict) -> str:
    if "error" in probe:
        return probe["error"]
    return f"{probe['seconds']:.1f} s"


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} B"


def _table(header, rows, markdown: bool) -> str:
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
        return "\n".join(out)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)
