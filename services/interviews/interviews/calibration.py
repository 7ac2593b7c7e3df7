"""Agreement statistics for a template's calibration view, in plain Python (a few dozen numbers at most).

- Quadratic-weighted Cohen's kappa between two raters on the 1-5 scale: disagreements cost the square of their
  distance, so 4 against 5 counts little and 1 against 5 a lot; 1 is perfect agreement, 0 what chance gives.
- ICC(2,1) (Shrout and Fleiss: two-way random effects, absolute agreement, single rater) over a table of
  interviews by raters.
- Readings in words follow Landis and Koch's bands, and under `MIN_INTERVIEWS` no reading is given at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

SCALE = range(1, 6)
MIN_INTERVIEWS = 5
Reading = Literal[
    "too few interviews to tell",
    "ratings too uniform to tell",
    "poor agreement",
    "slight agreement",
    "fair agreement",
    "moderate agreement",
    "substantial agreement",
    "almost perfect agreement",
]
BANDS: tuple[tuple[float, Reading], ...] = (
    (0.2, "slight agreement"),
    (0.4, "fair agreement"),
    (0.6, "moderate agreement"),
    (0.8, "substantial agreement"),
)
# The AI's 0-100 score in five equal bands, so 50 ("consider" begins) is a 3 and 75 ("hire" begins) a 4.
AI_MAPPING = "AI score 0-19 is 1, 20-39 is 2, 40-59 is 3, 60-79 is 4, 80-100 is 5"


def ai_on_scale(score: float) -> int:
    return 1 + min(4, int(score // 20))


def whole(rating: float) -> int:
    """A mean rating on the 1-5 scale as a whole number, half up (3.5 is 4)."""
    return int(Decimal(str(rating)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def weighted_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Quadratic-weighted kappa of two raters' whole ratings on the 1-5 scale (None when chance agreement
    already explains everything, e.g. both gave one and the same rating throughout)."""
    if len(a) != len(b) or not a:
        raise ValueError("two equally long, non-empty lists of ratings are needed")
    n, k = len(a), len(SCALE)
    observed = [[0.0] * k for _ in SCALE]
    for x, y in zip(a, b, strict=True):
        observed[x - 1][y - 1] += 1
    row = [sum(r) for r in observed]
    col = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    weight = [[(i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)]
    disagreement = sum(weight[i][j] * observed[i][j] for i in range(k) for j in range(k))
    expected = sum(weight[i][j] * row[i] * col[j] / n for i in range(k) for j in range(k))
    if expected == 0:
        return None
    return 1 - disagreement / expected


def icc_2_1(table: Sequence[Sequence[float]]) -> float | None:
    """ICC(2,1) of a complete table, one row per interview and one column per rater (None when it has no
    variance to explain or fewer than two rows or columns)."""
    n = len(table)
    k = len(table[0]) if table else 0
    if n < 2 or k < 2 or any(len(r) != k for r in table):
        return None
    grand = sum(map(sum, table)) / (n * k)
    rows = [sum(r) / k for r in table]
    cols = [sum(r[j] for r in table) / n for j in range(k)]
    ms_rows = k * sum((m - grand) ** 2 for m in rows) / (n - 1)
    ms_cols = n * sum((m - grand) ** 2 for m in cols) / (k - 1)
    residual = sum((table[i][j] - rows[i] - cols[j] + grand) ** 2 for i in range(n) for j in range(k))
    ms_error = residual / ((n - 1) * (k - 1))
    denominator = ms_rows + (k - 1) * ms_error + k * (ms_cols - ms_error) / n
    if denominator == 0:
        return None
    return (ms_rows - ms_error) / denominator


def reading(value: float | None, interviews: int) -> Reading:
    if interviews < MIN_INTERVIEWS:
        return "too few interviews to tell"
    if value is None:
        return "ratings too uniform to tell"
    if value < 0:
        return "poor agreement"
    for limit, words in BANDS:
        if value <= limit:
            return words
    return "almost perfect agreement"
