"""Reciprocal rank fusion (Cormack et al., 2009): score(d) = sum over rankings of 1 / (k + rank(d))."""

from __future__ import annotations

from collections.abc import Sequence

from qa.schema import Passage


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Passage]], k: int = 60, limit: int | None = None) -> list[Passage]:
    """Fuse several ranked lists of passages into one, best first.

    Args:
        rankings: Each list ordered best first; the same passage id may appear in several.
        k: The RRF constant; larger values flatten the contribution of top ranks.
        limit: Keep at most this many passages.

    Returns:
        Passages carrying their fused score, sorted by it (ties keep first-seen order).
    """
    scores: dict[str, float] = {}
    first: dict[str, Passage] = {}
    for ranking in rankings:
        for rank, passage in enumerate(ranking, 1):
            scores[passage.id] = scores.get(passage.id, 0.0) + 1.0 / (k + rank)
            first.setdefault(passage.id, passage)
    ordered = sorted(scores, key=lambda pid: -scores[pid])
    fused = [first[pid].model_copy(update={"score": round(scores[pid], 6)}) for pid in ordered]
    return fused[:limit] if limit is not None else fused
