"""The agreement statistics of the calibration view, against published values and closed forms."""

from __future__ import annotations

import itertools

import pytest

from interviews.calibration import ai_on_scale, icc_2_1, reading, weighted_kappa, whole

# Shrout and Fleiss (1979), table 2: six targets rated by four judges; ICC(2,1) = 0.29.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def test_icc_2_1_of_shrout_and_fleiss_six_targets_and_four_judges_is_0_29() -> None:
    assert icc_2_1(SHROUT_FLEISS) == pytest.approx(0.2898, abs=1e-4)


def test_icc_is_one_when_raters_agree_exactly_and_none_without_variance_or_a_second_rater() -> None:
    assert icc_2_1([[1, 1], [3, 3], [5, 5]]) == pytest.approx(1.0)
    assert icc_2_1([[3, 3], [3, 3]]) is None
    assert icc_2_1([[3], [4]]) is None


def test_two_category_weighted_kappa_is_cohens_kappa_of_the_textbook_example() -> None:
    # 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15: Cohen's kappa 0.4. With two adjacent categories
    # every disagreement has the same weight, so the weighted kappa is the same.
    a = [2] * 25 + [1] * 25
    b = [2] * 20 + [1] * 5 + [2] * 10 + [1] * 15
    assert weighted_kappa(a, b) == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([1, 2, 3, 4, 5, 3, 2], [1, 3, 3, 5, 4, 2, 2]),
        ([5, 4, 4, 2, 1, 3], [4, 4, 5, 1, 2, 3]),
        ([1, 1, 5, 5, 3], [2, 1, 4, 5, 1]),
    ],
)
def test_quadratic_weighted_kappa_matches_its_closed_form(a: list[int], b: list[int]) -> None:
    # 1 - sum of squared differences over the mean squared difference of every pairing of the two raters.
    n = len(a)
    closed = 1 - sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) / (
        sum((x - y) ** 2 for x, y in itertools.product(a, b)) / n
    )
    assert weighted_kappa(a, b) == pytest.approx(closed)


def test_kappa_is_one_for_perfect_agreement_minus_one_for_opposite_ends_and_none_for_one_shared_rating() -> None:
    assert weighted_kappa([1, 2, 4, 5], [1, 2, 4, 5]) == pytest.approx(1.0)
    assert weighted_kappa([1, 5], [5, 1]) == pytest.approx(-1.0)
    assert weighted_kappa([3, 3, 3], [3, 3, 3]) is None


def test_readings_follow_landis_and_koch_and_say_too_few_under_five_interviews() -> None:
    assert reading(0.9, 4) == "too few interviews to tell"
    assert reading(None, 8) == "ratings too uniform to tell"
    assert [reading(v, 5) for v in (-0.1, 0.1, 0.3, 0.5, 0.7, 0.9)] == [
        "poor agreement",
        "slight agreement",
        "fair agreement",
        "moderate agreement",
        "substantial agreement",
        "almost perfect agreement",
    ]


def test_the_ai_score_falls_into_five_equal_bands_and_means_round_half_up() -> None:
    assert [ai_on_scale(s) for s in (0, 19, 20, 50, 75, 79, 80, 100)] == [1, 1, 2, 3, 4, 4, 5, 5]
    assert [whole(r) for r in (1.0, 2.5, 3.49, 4.5)] == [1, 3, 3, 5]
