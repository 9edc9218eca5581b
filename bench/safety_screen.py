"""The cost of the safety screen: compiling the shipped rules, and screening each message of the
safety corpus, a long message, a message of Telegram's maximum length and one crowded with the
parts of a proximity rule, side by side.

    .venv/bin/python -m bench.safety_screen [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from nudgebot.config import bundled_path
from nudgebot.content import load_library
from nudgebot.content.limits import MAX_MESSAGE_CHARS
from nudgebot.content.safety import SafetyRules
from nudgebot.content.safety_corpus import CORPUS_FOLDER, read_corpus


def _timings(rules: SafetyRules, texts: Sequence[str], rounds: int) -> list[float]:
    """Milliseconds per screening of each text, the best of `rounds` for each."""
    best = []
    for text in texts:
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            rules.screen(text)
            samples.append((time.perf_counter() - start) * 1000)
        best.append(min(samples))
    return best


def _row(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"| {name} | {len(timings)} | {statistics.mean(timings):.2f} | "
        f"{statistics.median(timings):.2f} | {p99:.2f} | {max(timings):.2f} |"
    )


def main() -> None:
    """Print a Markdown table of screening times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    messages_dir = bundled_path("messages")
    start = time.perf_counter()
    library = load_library(messages_dir)
    loaded = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    assert library.safety.section is not None
    rules = SafetyRules.compile(library.safety.section)
    compiled = (time.perf_counter() - start) * 1000
    corpus = [m.text for m in read_corpus(messages_dir / CORPUS_FOLDER)]
    long_one = " ".join(corpus[:12])
    # Many occurrences of a proximity rule's parts, none near enough: the worst case of matching.
    crowded = "all " * 341 + "took " * 273 + "pills " * 227
    longest = (long_one + " ") * (MAX_MESSAGE_CHARS // (len(long_one) + 1))
    print(f"library load {loaded:.0f} ms, of which compiling the safety rules {compiled:.0f} ms")
    print()
    print("| messages | count | mean ms | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(_row("the safety corpus, each message", _timings(rules, corpus, arguments.rounds)))
    print(
        _row(
            f"12 corpus messages as one ({len(long_one)} chars)",
            _timings(rules, [long_one], arguments.rounds),
        )
    )
    print(
        _row(
            f"the longest Telegram text ({len(longest)} chars)",
            _timings(rules, [longest], arguments.rounds),
        )
    )
    print(
        _row(
            f"'all took pills' repeated ({len(crowded)} chars)",
            _timings(rules, [crowded], arguments.rounds),
        )
    )


if __name__ == "__main__":
    main()
