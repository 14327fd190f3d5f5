#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns the JSON of mapixx_bench into a Markdown report and one gnuplot PNG per topic.

Usage: bench_report.py RESULTS_JSON OUT_DIR [--goals GOALS_JSON]

Writes OUT_DIR/results.md and, for every topic of goals.json that names a plot, OUT_DIR/<plot>
(e.g. yield.png) together with the files it is drawn from (<topic>.dat and <topic>.gp, so
`cd OUT_DIR && gnuplot yield.gp` redraws it by hand). Only reads the JSON: it never runs a
benchmark. Benchmark names follow '<topic>/<implementation>/<N>' (see
benchmarks/support/bench_support.hpp); other names are listed but not judged.

Exit status: 0 when the report was written (whether or not goals are met), 1 on bad input.
"""

import argparse
import fnmatch
import json
import os
import shutil
import statistics
import subprocess
import sys

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Keys of a benchmark entry that are not user counters.
STANDARD_KEYS = {
    "name", "family_index", "per_family_instance_index", "run_name", "run_type",
    "repetitions", "repetition_index", "threads", "aggregate_name", "aggregate_unit",
    "iterations", "real_time", "cpu_time", "time_unit", "error_occurred", "error_message",
    "label",
}


class Row:
    """The median of one benchmark over its repetitions."""

    def __init__(self, topic, impl, n):
        self.topic, self.impl, self.n = topic, impl, n
        self.cpu_ns = None      # median time per iteration, ns
        self.real_ns = None
        self.cv = None          # coefficient of variation of the chosen time, as a fraction
        self.cv_by_field = {}   # the same for cpu_time and real_time
        self.counters = {}
        self.error = None
        self.repetitions = 0

    @property
    def name(self):
        return f"{self.topic}/{self.impl}/{self.n}"


def parse_name(run_name):
    """'yield/mapixx/16' or 'yield/thread_handoff/2/process_time' -> ('yield', 'mapixx', 16)."""
    parts = run_name.split("/")
    if len(parts) < 3 or not parts[2].isdigit():
        return None
    return parts[0], parts[1], int(parts[2])


def load_rows(data, time_field):
    groups = {}
    unnamed = []
    for b in data.get("benchmarks", []):
        run_name = b.get("run_name", b.get("name", ""))
        key = parse_name(run_name)
        if key is None:
            unnamed.append(run_name)
            continue
        g = groups.setdefault(key, {"aggregates": {}, "iterations": [], "error": None})
        if b.get("error_occurred"):
            g["error"] = b.get("error_message") or "error"
        elif b.get("run_type") == "aggregate":
            g["aggregates"][b.get("aggregate_name")] = b
        else:
            g["iterations"].append(b)

    rows = {}
    for key, g in groups.items():
        row = Row(*key)
        row.error = g["error"]
        med = g["aggregates"].get("median")
        if med is not None:
            unit = TO_NS[med.get("time_unit", "ns")]
            row.cpu_ns = med["cpu_time"] * unit
            row.real_ns = med["real_time"] * unit
            row.counters = {k: v for k, v in med.items()
                            if k not in STANDARD_KEYS and isinstance(v, (int, float))}
            row.repetitions = med.get("repetitions", 0)
            cv = g["aggregates"].get("cv")
            if cv is not None:
                row.cv = cv.get(time_field)
                row.cv_by_field = {k: cv.get(k) for k in ("cpu_time", "real_time")}
        elif g["iterations"]:
            # No aggregates (run without repetitions): take the median of what is there.
            its = g["iterations"]
            unit = [TO_NS[b.get("time_unit", "ns")] for b in its]
            row.cpu_ns = statistics.median(b["cpu_time"] * u for b, u in zip(its, unit))
            row.real_ns = statistics.median(b["real_time"] * u for b, u in zip(its, unit))
            names = set().union(*(b.keys() for b in its)) - STANDARD_KEYS
            row.counters = {k: statistics.median(b[k] for b in its if k in b) for k in names
                            if all(isinstance(b.get(k, 0), (int, float)) for b in its)}
            row.repetitions = len(its)
        rows[key] = row
    return rows, unnamed


class Report:
    def __init__(self, data, goals):
        self.data = data
        self.goals = goals
        self.time_field = goals.get("time_field", "cpu_time")
        self.topics = goals.get("topics", {})
        self.rows, self.unnamed = load_rows(data, self.time_field)

    # -- numbers ---------------------------------------------------------------------------

    def topic_time_field(self, topic):
        """The time a topic's goals judge: its own `time_field` in goals.json (e.g. real_time
        for a benchmark whose work happens partly in other processes), else the global one."""
        return self.topics.get(topic, {}).get("time_field", self.time_field)

    def per_op(self, row, which=None):
        """Median time of one operation in ns (None if unknown)."""
        which = which or self.topic_time_field(row.topic)
        total = row.cpu_ns if which == "cpu_time" else row.real_ns
        counter = self.topics.get(row.topic, {}).get("per_iteration_counter")
        per_iter = row.counters.get(counter, 1.0) if counter else 1.0
        if total is None or not per_iter:
            return None
        return total / per_iter

    def impl_order(self, topic):
        order = self.topics.get(topic, {}).get("series_order", [])
        impls = sorted({r.impl for r in self.rows.values() if r.topic == topic},
                       key=lambda i: (order.index(i) if i in order else len(order), i))
        return impls

    def sorted_rows(self):
        out = []
        for topic in sorted({r.topic for r in self.rows.values()}):
            for impl in self.impl_order(topic):
                out += sorted((r for r in self.rows.values()
                               if r.topic == topic and r.impl == impl), key=lambda r: r.n)
        return out

    # -- goals -----------------------------------------------------------------------------

    def judge(self, goal):
        """Returns (lines, verdicts): one table line per benchmark the goal applies to."""
        lines, verdicts = [], []
        metric = goal["metric"]
        matching = [r for r in self.sorted_rows() if fnmatch.fnmatchcase(r.name, goal["benchmark"])]
        if not matching:
            lines.append([goal["benchmark"], "", "", goal["text"], "no such benchmark in this run",
                          "n/a"])
            return lines, verdicts
        if metric == "ratio" and not any(f"{r.topic}/{r.impl}" == goal["peer"]
                                         for r in self.rows.values()):
            lines.append([goal["benchmark"], "", "", goal["text"],
                          f"peer {goal['peer']} not in this run "
                          f"({self.absent_peer_reason(goal['peer'])})", "n/a"])
            return lines, verdicts
        for row in matching:
            t = self.per_op(row)
            time_text = fmt_ns(t) if t is not None else ""
            ratio_text = ""
            if row.error:
                lines.append([row.name, "", "", goal["text"], f"error: {row.error}", "**not met**"])
                verdicts.append((row, False))
                continue
            if row.n in goal.get("skip_n", []):
                measured, verdict = goal.get("skip_reason", "does not apply at this N"), None
                if metric == "ratio":
                    peer = self.peer_row(goal["peer"], row.n)
                    if peer is not None and self.per_op(peer) and t:
                        ratio_text = f"{self.per_op(peer) / t:.1f}x vs {peer.name}"
                lines.append([row.name, time_text, ratio_text, goal["text"], measured, "n/a"])
                continue
            if metric == "time":
                value, measured = t, time_text
            elif metric == "ratio":
                peer = self.peer_row(goal["peer"], row.n)
                if peer is None:
                    continue  # the peer does not run at this N (the summary names the N judged)
                pt = self.per_op(peer)
                if peer.error or not pt or not t:
                    lines.append([row.name, time_text, "", goal["text"],
                                  f"peer {peer.name} failed: {peer.error}", "n/a"])
                    continue
                value = pt / t
                ratio_text = f"{value:.1f}x vs {peer.name} ({fmt_ns(pt)})"
                measured = f"{value:.1f}x"
            elif metric == "growth":
                # How much slower than the same implementation at N = base_n (same run).
                base = self.rows.get((row.topic, row.impl, goal["base_n"]))
                if row.n == goal["base_n"]:
                    lines.append([row.name, time_text, "", goal["text"], "the base of the comparison", "n/a"])
                    continue
                bt = self.per_op(base) if base is not None and not base.error else None
                if not bt or not t:
                    lines.append([row.name, time_text, "", goal["text"],
                                  f"no {row.topic}/{row.impl}/{goal['base_n']} in this run", "n/a"])
                    continue
                value = t / bt
                ratio_text = f"{value:.2f}x of {base.name} ({fmt_ns(bt)})"
                measured = f"{value:.2f}x"
            elif metric.startswith("counter:"):
                name = metric.split(":", 1)[1]
                value = row.counters.get(name)
                measured = "missing counter" if value is None else f"{fmt_num(value)} ({name})"
            else:
                raise ValueError(f"unknown metric {metric!r} in goals.json")
            ok = value is not None and compare(value, goal["op"], goal["target"])
            lines.append([row.name, time_text, ratio_text, goal["text"], measured,
                          "met" if ok else "**not met**"])
            verdicts.append((row, ok))
        return lines, verdicts

    def peer_row(self, peer, n):
        topic, _, impl = peer.partition("/")
        return self.rows.get((topic, impl, n))

    def absent_peer_reason(self, peer):
        """mapixx_bench notes '<impl>_peer: absent: why' in the context when it can't build one."""
        impl = peer.partition("/")[2]
        note = str(self.data.get("context", {}).get(f"{impl}_peer", ""))
        return note if note.startswith("absent") else "filtered out by --benchmark_filter?"

    # -- output ----------------------------------------------------------------------------

    def markdown(self):
        ctx = self.data.get("context", {})
        out = ["# mapixx benchmark results", ""]
        field = "CPU" if self.time_field == "cpu_time" else "wall-clock"
        reps = max((r.repetitions for r in self.rows.values()), default=0)
        out += [
            f"Times are the **median over {reps} repetitions of the {field} time per "
            "operation** (iteration time divided by the operations per iteration). CPU time is "
            "used because the machine may be shared: time during which another program held "
            "the CPU is not counted. Ratios divide the peer's median by mapixx's at the same N.",
            "",
        ]
        own = {t: spec["time_field"] for t, spec in sorted(self.topics.items())
               if spec.get("time_field", self.time_field) != self.time_field}
        if own:
            out += ["Topics judged on another time: " + ", ".join(
                f"`{t}` on {f.replace('_', ' ')} ({self.topics[t].get('time_reason', '')})".replace(" ()", "")
                for t, f in own.items()) + ".", ""]
        out += ["## Goals", ""]
        out += ["| benchmark | median time/op | ratio to named peer or base | goal | measured | met |",
                "|---|---:|---|---|---|---|"]
        summary = []
        for goal in self.goals.get("goals", []):
            lines, verdicts = self.judge(goal)
            for line in lines:
                out.append("| " + " | ".join(line) + " |")
            summary.append(summarise(goal, verdicts))
        out += ["", "### Summary", ""]
        out += [f"- {s}" for s in summary]
        out += ["", "## All measurements", ""]
        out += ["| benchmark | N | CPU time/op | wall time/op | CV | ops/s | allocs/op | "
                "heap bytes per actor | other counters |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for row in self.sorted_rows():
            if row.error:
                out.append(f"| {row.name} | {row.n} | error: {row.error} | | | | | | |")
                continue
            c = dict(row.counters)
            op = self.topics.get(row.topic, {}).get("op", "op")
            c.pop(self.topics.get(row.topic, {}).get("per_iteration_counter", ""), None)
            allocs = c.pop(f"allocs_per_{op}", None)
            heap = None
            for k in [k for k in c if k.startswith("heap_bytes_per_")]:
                heap = f"{fmt_num(c.pop(k))} ({k[len('heap_bytes_per_'):]})"
            ips = c.pop("items_per_second", None)
            others = ", ".join(f"{k}={fmt_num(v)}" for k, v in sorted(c.items()))
            cv_value = row.cv_by_field.get(self.topic_time_field(row.topic), row.cv)
            cv = f"{cv_value * 100:.1f}%" if cv_value is not None else ""
            out.append(
                f"| {row.name} | {row.n} | {fmt_ns(self.per_op(row, 'cpu_time'))} | "
                f"{fmt_ns(self.per_op(row, 'real_time'))} | {cv} | "
                f"{fmt_rate(ips)} | {fmt_num(allocs) if allocs is not None else ''} | "
                f"{heap or ''} | {others} |")
        if self.unnamed:
            out += ["", "Not judged (names not of the form topic/implementation/N): "
                    + ", ".join(sorted(set(self.unnamed)))]
        out += ["", "## Run", "", "| | |", "|---|---|"]
        keys = ["date", "host_name", "num_cpus", "mhz_per_cpu", "load_avg", "compiler",
                "mapixx_bench_flags", "library_build_type", "pinned_cpu", "asio_peer",
                "thread_handoff_peer", "alloc_counting", "threading", "mapixx_version"]
        for k in keys + sorted(k for k in ctx if k not in keys and k != "caches"):
            if k in ctx:
                v = ctx[k]
                if isinstance(v, list):
                    v = ", ".join(f"{x:.2f}" if isinstance(x, float) else str(x) for x in v)
                out.append(f"| {k} | {v} |")
        caches = ctx.get("caches", [])
        if caches:
            out.append(f"| caches | {', '.join(describe_cache(c) for c in caches)} |")
        out.append("")
        return "\n".join(out)

    def plot(self, out_dir, gnuplot):
        """Writes <topic>.dat, <topic>.gp and the PNG for every topic with a plot."""
        made = []
        for topic, spec in self.topics.items():
            png = spec.get("plot")
            impls = self.impl_order(topic)
            if not png or not impls:
                continue
            dat, gp = f"{topic}.dat", f"{topic}.gp"
            blocks, titles, ns = [], [], set()
            for impl in impls:
                pts = [(r.n, self.per_op(r)) for r in sorted(self.rows.values(), key=lambda r: r.n)
                       if r.topic == topic and r.impl == impl and not r.error and self.per_op(r)]
                if not pts:
                    continue
                ns.update(n for n, _ in pts)
                blocks.append(f"# {topic}/{impl}\n" + "\n".join(f"{n} {t:.4f}" for n, t in pts))
                titles.append(spec.get("series_titles", {}).get(impl, impl))
            if not blocks:
                continue
            with open(os.path.join(out_dir, dat), "w") as f:
                f.write("# N  median ns per operation; one block per implementation\n")
                f.write("\n\n\n".join(blocks) + "\n")
            goal_lines = sorted({(g["target"], g["text"]) for g in self.goals.get("goals", [])
                                 if g["metric"] == "time"
                                 and g["benchmark"].startswith(topic + "/")})
            field = "CPU" if self.time_field == "cpu_time" else "wall-clock"
            points = [5, 13, 7, 9, 11, 15, 4, 6]  # filled square, diamond, circle, triangle...
            plots = [f"'{dat}' index {i} with linespoints pt {points[i % len(points)]} ps 1.4 "
                     f"lw 2 title '{gp_escape(t)}'" for i, t in enumerate(titles)]
            plots += [f"{target} with lines dt 2 lw 1 lc rgb 'gray40' title 'goal: "
                      f"{gp_escape(text)}'" for target, text in goal_lines]
            xtics = ", ".join(f'"{n}" {n}' for n in sorted(ns))
            script = "\n".join([
                "# Drawn by scripts/bench-report.sh from results.json; redraw with "
                f"`gnuplot {gp}` in this folder.",
                "set terminal pngcairo size 760,440 font ',9' noenhanced",
                f"set output '{png}'",
                f"set title '{gp_escape(spec.get('title', topic))}, median {field} time'",
                "set logscale xy",
                "set xlabel 'N (actors taking turns)'",
                f"set ylabel 'ns per {spec.get('op', 'op')} (log)'",
                f"set xtics ({xtics})",
                "set grid",
                "set key outside bottom center horizontal maxrows 3 box",
                "set offsets graph 0.05, graph 0.05, 0, 0",
                "plot " + ", \\\n     ".join(plots),
                "",
            ])
            with open(os.path.join(out_dir, gp), "w") as f:
                f.write(script)
            if gnuplot is None:
                print(f"bench-report: gnuplot not found; wrote {gp} and {dat} but no {png} "
                      "(apt-get install gnuplot-nox)", file=sys.stderr)
                continue
            run = subprocess.run([gnuplot, gp], cwd=out_dir, capture_output=True, text=True)
            if run.returncode != 0:
                # Some gnuplot builds lack cairo; the libgd terminal is the fallback.
                with open(os.path.join(out_dir, gp), "w") as f:
                    f.write(script.replace("set terminal pngcairo size 760,440 font ',9'",
                                           "set terminal png size 760,440"))
                run = subprocess.run([gnuplot, gp], cwd=out_dir, capture_output=True, text=True)
            if run.returncode != 0:
                print(f"bench-report: gnuplot failed on {gp}:\n{run.stderr}", file=sys.stderr)
                continue
            made.append(os.path.join(out_dir, png))
        return made


def describe_cache(c):
    size = c.get("size", 0)
    text = f"{size // (1024 * 1024)} MiB" if size >= 1024 * 1024 else f"{size // 1024} KiB"
    return f"L{c.get('level')} {c.get('type', '').lower()} {text}"


def summarise(goal, verdicts):
    if not verdicts:
        return f"{goal['text']}: not judged in this run (no applicable measurement)"
    met = [r for r, ok in verdicts if ok]
    missed = [r for r, ok in verdicts if not ok]
    where = goal.get("skip_n")
    scope = f" (N = {', '.join(map(str, where))} excluded)" if where else ""
    if goal["metric"] == "ratio":
        scope += f"; judged where {goal['peer']} ran: N = " + ", ".join(
            str(r.n) for r, _ in verdicts)
    if not missed:
        return f"{goal['text']}: **met** by all {len(met)} benchmarks judged{scope}"
    if not met:
        return (f"{goal['text']}: **not met** ({', '.join(r.name for r in missed)}){scope}")
    return (f"{goal['text']}: **partly met**: met by {', '.join(r.name for r in met)}; "
            f"not met by {', '.join(r.name for r in missed)}{scope}")


def compare(value, op, target):
    return {"<=": value <= target, "<": value < target, ">=": value >= target,
            ">": value > target, "==": value == target}[op]


def fmt_ns(v):
    if v is None:
        return ""
    if v >= 1e6:
        return f"{v / 1e6:.3g} ms"
    if v >= 1e3:
        return f"{v / 1e3:.3g} µs"
    return f"{v:.3g} ns"


def fmt_num(v):
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.3g}"


def fmt_rate(v):
    if v is None:
        return ""
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if v >= scale:
            return f"{v / scale:.3g}{unit}"
    return f"{v:.3g}"


def gp_escape(text):
    return text.replace("'", "''")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", help="results.json written by mapixx_bench --benchmark_out")
    p.add_argument("out_dir", help="folder for results.md and the plots")
    p.add_argument("--goals", default=os.path.join(here, "..", "goals.json"))
    args = p.parse_args()
    try:
        with open(args.results) as f:
            data = json.load(f)
        with open(args.goals) as f:
            goals = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"bench-report: {e}", file=sys.stderr)
        return 1
    os.makedirs(args.out_dir, exist_ok=True)
    report = Report(data, goals)
    if not report.rows:
        print(f"bench-report: {args.results} holds no benchmark named topic/implementation/N",
              file=sys.stderr)
        return 1
    md_path = os.path.join(args.out_dir, "results.md")
    with open(md_path, "w") as f:
        f.write(report.markdown())
    made = report.plot(args.out_dir, shutil.which("gnuplot"))
    print(f"bench-report: wrote {md_path}" + "".join(f", {m}" for m in made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
