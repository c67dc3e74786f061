"""Find offers recorded twice and offers that overlap — and check a new offer as it is entered.

Copy this into a municipal tool.  Run it on a data directory:

    python examples/detect_duplicates.py examples/oberberg
"""

import sys

import attrs

import ki_network
from ki_network.duplicates import DuplicateIndex, find_duplicates

directory = sys.argv[1] if len(sys.argv) > 1 else "examples/oberberg"
network = ki_network.load(directory)

# 1. The whole network: pairs with the reasons a person can check.  The reasons quote the
#    records, so the library compares only public offers unless told who reads them: here
#    the people who keep the data.
report = find_duplicates(network, audience="internal")
for pair in report.pairs:
    print(f"{pair.band:8} {pair.score:.2f}  {pair.a} / {pair.b}")
    for reason in pair.reasons:
        print(f"           {reason}")
for cluster in report.clusters:
    print("one offer, recorded", len(cluster), "times:", ", ".join(cluster))

# 2. Incremental: build the index once, then check each offer as somebody enters it.
index = DuplicateIndex(network, audience="internal")
first = next(iter(network.offers.values()))
entered = attrs.evolve(first, id="just-entered", title=first.title.get("de").upper())
print(f"\nchecking a new offer {entered.title.get()!r} against {len(index)} offers:")
for pair in index.match(entered):
    print(f"  {pair.band:8} {pair.score:.2f}  like {pair.b}: {pair.reasons[0]}")
index.add(entered)  # later checks see it too
