"""A generated corpus for ``train_ptb.py --text``, with a known best perplexity.

The Penn Treebank is not on every machine (and the project's machines have no
network).  This writes text from a second-order Markov chain over a small
vocabulary: each pair of previous words allows a few next words with random
probabilities, and the word ``<eos>`` ends a line, so the text reads back (words per
line, ``<eos>`` at each line's end) as exactly the chain's word stream.  Because
the chain is known, so is the lowest perplexity any model can reach on it,
``exp(H)`` with ``H`` the chain's entropy rate (``best_perplexity``), and what a
unigram model gets: a trained language model should land between the two, near
the floor (a bigram model cannot: the next word depends on two).

    python examples/ptb/toy_corpus.py corpus.txt --words 200000 --vocab 50
    python examples/ptb/train_ptb.py --text corpus.txt --unit 200 --epoch 3
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["EOS", "Chain2", "make_chain", "main", "write_corpus"]

EOS = "<eos>"

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Chain2:
    """A second-order Markov chain over ``words``: ``probs[a, b, c]`` is the
    probability of ``c`` after ``a, b``."""

    words: tuple[str, ...]
    probs: Floats

    def stationary(self) -> Floats:
        """The long-run distribution of the pairs ``(a, b)`` (power iteration)."""
        v = len(self.words)
        pairs = np.full((v, v), 1.0 / (v * v))
        for _ in range(10000):
            nxt: Floats = np.einsum("ab,abc->bc", pairs, self.probs)
            if np.abs(nxt - pairs).max() < 1e-14:
                return nxt
            pairs = nxt
        return pairs

    def entropy_rate(self) -> float:
        """Nats per word in the long run."""
        p = self.probs
        with np.errstate(divide="ignore", invalid="ignore"):
            h_pair = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=2)
        return float((self.stationary() * h_pair).sum())

    def best_perplexity(self) -> float:
        """The perplexity of the chain itself: no model can do better on average."""
        return math.exp(self.entropy_rate())

    def unigram_perplexity(self) -> float:
        """The perplexity of the best model that ignores the context."""
        unigram = self.stationary().sum(axis=0)
        nonzero = unigram[unigram > 0]
        return math.exp(float(-(nonzero * np.log(nonzero)).sum()))

    def sample(self, n_words: int, rng: np.random.Generator) -> list[str]:
        """``n_words`` words of the chain from a random start."""
        v = len(self.words)
        a, b = int(rng.integers(v)), int(rng.integers(v))
        cumulative = np.cumsum(self.probs, axis=2)
        u = rng.random(n_words)
        out: list[str] = []
        for k in range(n_words):
            c = min(int(np.searchsorted(cumulative[a, b], u[k], side="right")), v - 1)
            out.append(self.words[c])
            a, b = b, c
        return out


def make_chain(vocab: int, branching: int = 3, seed: int = 0) -> Chain2:
    """A chain over ``vocab`` words (the last is ``<eos>``): every pair of previous
    words allows ``branching`` next words with Dirichlet(1) probabilities."""
    if vocab < 3 or not 1 <= branching <= vocab:
        raise ValueError(f"make_chain: need vocab >= 3 and 1 <= branching <= vocab, got {vocab}, {branching}")
    rng = np.random.default_rng(seed)
    words = tuple(f"w{i:03d}" for i in range(vocab - 1)) + (EOS,)
    probs = np.zeros((vocab, vocab, vocab))
    for a in range(vocab):
        for b in range(vocab):
            nxt = rng.choice(vocab, size=branching, replace=False)
            probs[a, b, nxt] = rng.dirichlet(np.ones(branching))
    return Chain2(words, probs)


def write_corpus(path: str, chain: Chain2, n_words: int, seed: int = 1) -> None:
    """Write ``n_words`` words of ``chain`` to ``path``, a line per ``<eos>``."""
    words = chain.sample(n_words, np.random.default_rng(seed))
    lines: list[str] = []
    line: list[str] = []
    for w in words:
        if w == EOS:
            lines.append(" ".join(line))
            line = []
        else:
            line.append(w)
    if line:
        lines.append(" ".join(line))  # the reader's <eos> ends it too
    # Two <eos> in a row make an empty line, which the reader reads as one <eos>.
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a second-order Markov chain corpus for train_ptb.py.")
    parser.add_argument("out", help="the text file to write")
    parser.add_argument("--words", type=int, default=200000, help="number of words (with <eos>)")
    parser.add_argument("--vocab", type=int, default=50, help="vocabulary size, <eos> included")
    parser.add_argument("--branching", type=int, default=3, help="next words allowed after each pair")
    parser.add_argument("--seed", type=int, default=0, help="seed of the chain (the text uses seed + 1)")
    args = parser.parse_args(argv)
    chain = make_chain(args.vocab, args.branching, args.seed)
    write_corpus(args.out, chain, args.words, args.seed + 1)
    print(f"wrote {args.words} words to {args.out}: best perplexity {chain.best_perplexity():.3f}, "
          f"unigram perplexity {chain.unigram_perplexity():.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
