"""A generated parallel corpus for ``seq2seq.py``: a toy language pair whose
translation is learnable from a few thousand sentences.

The source sentences are random words ``s00, s01, ...`` (3 to 8 of them); each
translates word by word into a target word (``t..``, a fixed random mapping,
with one source word translating into two target words) and the target
language puts the words in reverse order.  Written as ``seq2seq.py`` reads its
inputs (the layout of Chainer's ``wmt_preprocess.py`` output): ``train.src``,
``train.tgt``, ``valid.src``, ``valid.tgt`` (one sentence per line) and
``vocab.src``, ``vocab.tgt`` (one word per line, most frequent first).

    python examples/seq2seq/toy_corpus.py data
    python examples/seq2seq/seq2seq.py data/train.src data/train.tgt data/vocab.src data/vocab.tgt \\
        --validation-source data/valid.src --validation-target data/valid.tgt --unit 64 --layer 1
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["main", "translate", "write_corpus"]


def _lexicon(vocab: int, seed: int) -> dict[str, list[str]]:
    rng = np.random.default_rng(seed)
    targets = [f"t{i:02d}" for i in rng.permutation(vocab + 1)]
    lexicon = {f"s{i:02d}": [targets[i]] for i in range(vocab)}
    lexicon["s00"] = [targets[0], targets[vocab]]  # one word becomes two
    return lexicon


def translate(sentence: Sequence[str], lexicon: dict[str, list[str]]) -> list[str]:
    """The target sentence: each word translated, the order reversed."""
    return [t for w in reversed(sentence) for t in reversed(lexicon[w])]


def write_corpus(folder: str, n_train: int = 2000, n_valid: int = 100, vocab: int = 12, seed: int = 0) -> None:
    """Write the six files of a corpus of ``vocab`` source words to ``folder``."""
    out = pathlib.Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    lexicon = _lexicon(vocab, seed)
    rng = np.random.default_rng(seed + 1)
    counts: dict[str, Counter[str]] = {"src": Counter(), "tgt": Counter()}
    for split, n in (("train", n_train), ("valid", n_valid)):
        src_lines, tgt_lines = [], []
        for _ in range(n):
            source = [f"s{int(i):02d}" for i in rng.integers(0, vocab, int(rng.integers(3, 9)))]
            target = translate(source, lexicon)
            src_lines.append(" ".join(source))
            tgt_lines.append(" ".join(target))
            if split == "train":
                counts["src"].update(source)
                counts["tgt"].update(target)
        (out / f"{split}.src").write_text("\n".join(src_lines) + "\n", encoding="utf-8")
        (out / f"{split}.tgt").write_text("\n".join(tgt_lines) + "\n", encoding="utf-8")
    for side, counter in counts.items():
        words = sorted(counter, key=lambda w: (-counter[w], w))
        (out / f"vocab.{side}").write_text("\n".join(words) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a toy parallel corpus for seq2seq.py.")
    parser.add_argument("out", help="the folder to write")
    parser.add_argument("--train", type=int, default=2000, help="training sentence pairs")
    parser.add_argument("--valid", type=int, default=100, help="validation sentence pairs")
    parser.add_argument("--vocab", type=int, default=12, help="source words")
    parser.add_argument("--seed", type=int, default=0, help="seed of the lexicon and the sentences")
    args = parser.parse_args(argv)
    write_corpus(args.out, args.train, args.valid, args.vocab, args.seed)
    print(f"wrote {args.train} training and {args.valid} validation pairs to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
