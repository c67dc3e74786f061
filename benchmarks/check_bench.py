"""Benchmark of ``ki-network check``: all built-in rules on a generated network.

Usage:  python benchmarks/check_bench.py [--offers 100000] [--actors 15000] [--events 2000]
                                         [--relations 30000] [--municipalities 1100]
                                         [--today 2026-03-02]

The network comes from ``benchmarks/generate.py`` (JSON Lines, seeded; no region plugin, so
municipalities are AGS codes; ``main_languages`` is set so that ``language-gap`` has work).
The defaults give the density of the real thing: Germany has about 10,800 municipalities for
the design target of a million offers, so 100,000 offers spread over 1,100 municipalities
(about 90 offers each), and a district's ratio of actors to offers (300 to 2,000).  With
``--municipalities 120 --actors 3000`` every municipality gets 830 weekly offers, which makes
hundreds of thousands of schedule conflicts: a stress case, not a network.
Two measurements, each in a fresh Python process so that its peak memory (``ru_maxrss``) is
its own:

1. the command as a person runs it: ``ki-network check DIR --format json --today ...``
   (load, rules, JSON on stdout; the duplicate pairs are found in a forked second process
   meanwhile), wall-clock time, CPU time of both processes, and peak memory of each (the
   worker shares the loaded network with its parent, copy-on-write, so the two peaks do not
   add up);
2. the same in-process and sequentially, timing loading and each rule (a rule's first run
   pays for a result it shares with others, e.g. the year's occurrences for the conflict
   rules).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROFILE = r"""
import json, resource, sys, time
from datetime import date
from ki_network import load
from ki_network.checks import run_rules
from ki_network.checks.engine import RuleContext

class Timed:
    def __init__(self, rule, times):
        self.rule, self.times = rule, times
        self.id, self.default_severity = rule.id, rule.default_severity
        self.title = getattr(rule, "title", rule.id)
    def check(self, network, settings):
        began = time.perf_counter()
        found = list(self.rule.check(network, settings))
        self.times[self.id] = time.perf_counter() - began
        return found

began = time.perf_counter()
net = load(sys.argv[1])
loaded = time.perf_counter() - began
times = {}
began = time.perf_counter()
result = run_rules(net, language="de", today=date.fromisoformat(sys.argv[2]), audience="internal",
                   rules=[Timed(r, times) for r in net.hooks.rules()])
checked = time.perf_counter() - began
counts = {}
for f in result.findings:
    counts[f.rule] = counts.get(f.rule, 0) + 1
print(json.dumps({"load": loaded, "rules": checked, "per_rule": times, "counts": counts,
                  "failed": [f"{f.rule}: {f.error}" for f in result.failed],
                  "offers": len(net.offers), "actors": len(net.actors),
                  "events": len(net.events), "relations": len(net.relations),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _place_in_town(path: Path) -> None:
    """Add the municipality to each generated location (``Talweg 5`` → ``Talweg 5, <AGS>``).

    The generator draws locations from 1,200 street addresses for the whole country, so
    "Talweg 5" in 1,100 towns would be one place booked thousands of times over; a real
    location names its town, and the place rule compares location texts.
    """
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("location") and record.get("municipality"):
            record["location"] = f"{record['location']}, {record['municipality']}"
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--actors", type=int, default=15_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--relations", type=int, default=30_000)
    parser.add_argument("--municipalities", type=int, default=1_100)
    parser.add_argument("--today", default="2026-03-02")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        directory = generate(Path(tmp) / "net", actors=args.actors, offers=args.offers,
                             relations=args.relations, events=args.events, fmt="jsonl",
                             municipalities=args.municipalities)
        with (directory / "network.yaml").open("a", encoding="utf-8") as fh:
            fh.write("main_languages:\n  default: [de, tr, ar, uk]\n")
        _place_in_town(directory / "offers.jsonl")
        print(f"network: {args.actors} actors, {args.offers} offers, {args.events} events, "
              f"{args.relations} relations, {args.municipalities} municipalities "
              "(generated, JSON Lines)")

        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c",
             "import resource, sys; from ki_network.cli import main\n"
             "try:\n    main()\nexcept SystemExit as exit:\n"
             "    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,\n"
             "          resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
             "    raise",
             "check", str(directory), "--format", "json", "--today", args.today,
             "--fail-on", "never"],
            capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
        if done.returncode != 0:
            sys.exit(done.stderr)
        findings = len(json.loads(done.stdout)["findings"])
        worker_kb, peak_kb = map(int, done.stderr.strip().splitlines()[-1].split())
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"ki-network check --format json: {wall:.1f} s wall, "
              f"{cpu.ru_utime + cpu.ru_stime:.1f} s CPU (both processes), "
              f"peak {peak_kb / 1024:.0f} MB (worker process: "
              f"{worker_kb / 1024:.0f} MB, partly shared), {findings} findings")

        done = subprocess.run([sys.executable, "-c", PROFILE, str(directory), args.today],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(done.stderr)
        profile = json.loads(done.stdout)
        print(f"in-process: load {profile['load']:.1f} s, rules {profile['rules']:.1f} s, "
              f"peak {profile['peak_mb']:.0f} MB; failed rules: {profile['failed'] or 'none'}")
        for rule, seconds in sorted(profile["per_rule"].items(), key=lambda kv: -kv[1]):
            print(f"  {rule:26} {seconds:7.2f} s  {profile['counts'].get(rule, 0):7} findings")


if __name__ == "__main__":
    main()
