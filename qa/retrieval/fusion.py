"""Reciprocal rank fusion (Cormack et al., 2009): score(d) = sum over rankings of w / (k + rank(d))."""

from __future__ import annotations

from collections.abc import Sequence

from qa.schema import Passage


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Passage]],
    k: int = 60,
    limit: int | None = None,
    weights: Sequence[float] | None = None,
) -> list[Passage]:
    """Fuse several ranked lists of passages into one, best first.

    Args:
        rankings: Each list ordered best first; the same passage id may appear in several.
        k: The RRF constant; larger values flatten the contribution of top ranks.
        limit: Keep at most this many passages.
        weights: One weight per ranking (weighted RRF); all 1 by default.

    Returns:
        Passages carrying their fused score, sorted by it (ties keep first-seen order).
    """
    scores: dict[str, float] = {}
    first: dict[str, Passage] = {}
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    for weight, ranking in zip(weights, rankings, strict=True):
        for rank, passage in enumerate(ranking, 1):
            scores[passage.id] = scores.get(passage.id, 0.0) + weight / (k + rank)
            first.setdefault(passage.id, passage)
    ordered = sorted(scores, key=lambda pid: -scores[pid])
    kept = ordered[:limit] if limit is not None else ordered  # copy only the passages returned
    return [first[pid].model_copy(update={"score": round(scores[pid], 6)}) for pid in kept]
