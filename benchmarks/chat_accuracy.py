"""Chat accuracy: the corpus (`tests/data/chats/`) played through the real flow, as the tests play it.

Prints, for the public chats and the held-out ones separately, the pass rate and the count of
silently dropped items (an item the customer named that is neither in the final cart nor named
back), per file and per `about` topic word, then the totals and the time per chat. Held-out chats
are shown by figures only, never by text. The unseen set (`unseen/`: chats an engineer of the chat
brain wrote in one sitting before running them, never tuned to) is printed apart the same way.
Targets: public 100 % and 0 silent drops; held out and unseen >= 97 % and 0 silent drops.

    .venv/bin/python benchmarks/chat_accuracy.py [--failures] [--sample N] [--database-url URL (unused: pure)]

`--sample N` plays only the first N chats of each set: the test suite's smoke run, which shows the
script works without playing the whole corpus a second time (test_corpus.py plays it).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.server.chat.corpus import HELDOUT, PUBLIC, UNSEEN, Played, load_chats, load_menus, play


def _table(title: str, rows: dict[str, list[Played]]) -> None:
    print(f"  {title:<34} {'chats':>6} {'pass':>6} {'rate':>7} {'silent':>7} {'wrong':>6}")
    for name in sorted(rows):
        played = rows[name]
        passed = sum(p.passed for p in played)
        silent = sum(len(p.silent_drops) for p in played)
        wrong = sum(len(p.silent_wrong) for p in played)
        print(f"  {name[:34]:<34} {len(played):>6} {passed:>6} {passed / len(played):>7.1%} {silent:>7} {wrong:>6}")


def report(name: str, folder: Path, show_failures: bool, sample: int | None = None) -> tuple[int, int, int]:
    menus = load_menus()
    chats = load_chats(folder)[:sample]
    started = time.perf_counter()
    played = [play(chat, menus) for chat in chats]
    elapsed = time.perf_counter() - started
    passed = sum(p.passed for p in played)
    silent = sum(len(p.silent_drops) for p in played)
    wrong = sum(len(p.silent_wrong) for p in played)
    print(f"\n== {name}: {len(played)} chats")
    if not played:
        return 0, 0, 0
    by_file: dict[str, list[Played]] = defaultdict(list)
    by_outcome: dict[str, list[Played]] = defaultdict(list)
    for p in played:
        by_file[p.chat.file].append(p)
        by_outcome["expect " + p.chat.expect].append(p)
    _table("file", by_file)
    _table("expected outcome", by_outcome)
    print(
        f"  TOTAL {name}: pass {passed}/{len(played)} = {passed / len(played):.1%}, silent drops {silent}, "
        f"silently wrong lines {wrong}, "
        f"{elapsed / len(played) * 1000:.2f} ms per chat"
    )
    if show_failures and name == "public":
        for p in played:
            if not p.passed:
                print(f"  - {p.chat.id}: {'; '.join(f.splitlines()[0] for f in p.failures)}")
                if p.silent_wrong:
                    print(f"      silently wrong: {', '.join(p.silent_wrong)}")
    return len(played), passed, silent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--failures", action="store_true", help="list the failing public chats")
    parser.add_argument("--sample", type=int, metavar="N", help="play only the first N chats of each set")
    parser.add_argument("--database-url", help="accepted for the benchmark smoke run; the flow is pure")
    args = parser.parse_args()
    report("public", PUBLIC, args.failures, args.sample)
    report("heldout", HELDOUT, False, args.sample)
    report("unseen", UNSEEN, False, args.sample)


if __name__ == "__main__":
    main()
