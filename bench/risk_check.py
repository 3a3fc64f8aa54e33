"""Risk check speed: ``mentions_risk`` runs on every survey submit, so a burst of long comments must stay cheap.
Prints the time per call on 1,000-character comments cut from the test corpus (benign and risky), and on two
adversarial ones (risky-looking words everywhere; one letter repeated).

    .venv/bin/python bench/risk_check.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from harness import summary

from bot.domain.feedback import COMMENT_MAX, mentions_risk

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "unit" / "risk_corpus"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    lines = [line for name in ("benign.txt", "risky.txt") for line in (CORPUS / name).read_text().splitlines() if line]
    everything = " ".join(lines)
    texts = [everything[start : start + COMMENT_MAX] for start in range(0, len(everything) - COMMENT_MAX, 97)]
    adversarial = [" ".join(["i cannot see the point of the car"] * 30)[:COMMENT_MAX], "a" * COMMENT_MAX]
    for label, batch in (("corpus", texts), ("adversarial", adversarial)):
        timings = []
        for _ in range(args.rounds):
            for text in batch:
                started = time.perf_counter()
                mentions_risk(text)
                timings.append((time.perf_counter() - started) * 1000)
        print(f"{label} ({len(batch)} comments of up to {COMMENT_MAX} characters): {summary(timings, 'ms')}")


if __name__ == "__main__":
    main()
