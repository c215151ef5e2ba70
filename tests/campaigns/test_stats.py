"""The A/B statistics: a clear difference on enough recipients is significant, a small one
on few recipients is not, and the best variant wins either way."""

import pytest

from clarion.campaigns.stats import VariantOutcome, compare


def outcomes(*pairs):
    return [VariantOutcome(position=i, recipients=n, successes=k)
            for i, (n, k) in enumerate(pairs)]


def test_two_variants_with_a_large_difference_are_significant():
    result = compare(outcomes((1000, 200), (1000, 300)))
    assert result.method == "z-test"
    assert result.winner == 1
    assert result.significant
    assert result.p_value < 1e-5  # z ≈ 5.16 for 20 % vs 30 % on 1,000 each
    assert result.confidence == pytest.approx(1 - result.p_value)


def test_two_variants_with_a_small_difference_on_few_recipients_are_not_significant():
    result = compare(outcomes((50, 10), (50, 12)))
    assert result.winner == 1  # the better one still wins: the rest has to go out
    assert not result.significant
    assert result.p_value == pytest.approx(0.6292, abs=1e-3)  # z ≈ 0.48


def test_the_two_variant_z_test_agrees_with_the_chi_square_test():
    from scipy.stats import chi2_contingency

    result = compare(outcomes((400, 80), (380, 95)))
    expected = chi2_contingency([[80, 320], [95, 285]], correction=False).pvalue
    assert result.p_value == pytest.approx(expected)


def test_three_variants_use_chi_square_and_name_the_best():
    result = compare(outcomes((500, 100), (500, 160), (500, 105)))
    assert result.method == "chi-square"
    assert result.winner == 1
    assert result.significant


def test_four_equal_variants_are_not_significant():
    result = compare(outcomes((300, 60), (300, 61), (300, 59), (300, 60)))
    assert result.winner == 1
    assert not result.significant and result.p_value > 0.9


def test_no_opens_at_all_has_no_p_value_and_the_first_variant_wins():
    result = compare(outcomes((100, 0), (100, 0)))
    assert result.p_value is None and result.method == "none"
    assert result.winner == 0 and not result.significant


def test_a_tie_goes_to_the_earlier_variant():
    assert compare(outcomes((100, 30), (100, 30), (100, 10))).winner == 0


def test_a_variant_nobody_received_is_left_out_of_the_test():
    result = compare(outcomes((0, 0), (200, 40), (200, 80)))
    assert result.winner == 2 and result.significant


def test_the_result_is_plain_data_for_storing():
    data = compare(outcomes((1000, 200), (1000, 300))).as_dict()
    assert data["winner"] == 1 and data["significant"] is True and data["alpha"] == 0.05
    assert data["variants"][1] == {"position": 1, "recipients": 1000, "successes": 300,
                                   "rate": 0.3}
