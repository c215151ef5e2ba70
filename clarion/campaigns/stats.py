"""The statistics of an A/B test: is one variant's open (or click) rate really better?

Each variant has `recipients` (messages sent) and `successes` (recipients who opened — a
human open, machine opens excluded — or clicked at least once). Two variants are compared
with a two-sided two-proportion z-test; three or four with Pearson's chi-square test of
independence on the variants × (success, no success) table. Either way the winner is the
variant with the highest rate; the p-value says how likely a difference at least this large
would be if all variants were in fact equally good. Below `ALPHA` the result is called
significant; otherwise the best variant still wins (the rest of the send has to go out) and
the result says plainly that the difference may be chance.
"""

import math
from dataclasses import asdict, dataclass

from scipy import stats as scipy_stats

ALPHA = 0.05


@dataclass(frozen=True)
class VariantOutcome:
    position: int
    recipients: int
    successes: int

    @property
    def rate(self) -> float:
        return self.successes / self.recipients if self.recipients else 0.0


@dataclass(frozen=True)
class TestResult:
    winner: int  # the winning variant's position
    p_value: float | None  # None when there is nothing to test (no data, or no variation)
    method: str  # "z-test", "chi-square" or "none"
    variants: list[VariantOutcome]

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA

    @property
    def confidence(self) -> float | None:
        """1 − p: the share of the time a difference this large would NOT arise by chance
        if the variants were equal (the usual "confidence" of A/B tools, honestly named)."""
        return None if self.p_value is None else 1 - self.p_value

    def as_dict(self) -> dict:
        return {"winner": self.winner, "p_value": self.p_value,
                "confidence": self.confidence, "significant": self.significant,
                "method": self.method, "alpha": ALPHA,
                "variants": [dict(asdict(v), rate=v.rate) for v in self.variants]}


def best_variant(outcomes: list[VariantOutcome]) -> int:
    """The highest rate wins; a tie goes to the variant with more successes, then to the
    earlier variant (A before B), so the answer is deterministic."""
    ranked = sorted(outcomes, key=lambda v: (-v.rate, -v.successes, v.position))
    return ranked[0].position


def two_proportion_p_value(a: VariantOutcome, b: VariantOutcome) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test."""
    if not a.recipients or not b.recipients:
        return None
    pooled = (a.successes + b.successes) / (a.recipients + b.recipients)
    variance = pooled * (1 - pooled) * (1 / a.recipients + 1 / b.recipients)
    if variance <= 0:
        return None  # everyone or no one succeeded in both: nothing to compare
    z = (a.rate - b.rate) / math.sqrt(variance)
    return float(2 * scipy_stats.norm.sf(abs(z)))


def chi_square_p_value(outcomes: list[VariantOutcome]) -> float | None:
    """p-value of Pearson's chi-square test on the variants × (success, failure) table."""
    table = [[v.successes, v.recipients - v.successes] for v in outcomes if v.recipients]
    if len(table) < 2 or any(sum(column) == 0 for column in zip(*table, strict=True)):
        return None
    result = scipy_stats.chi2_contingency(table, correction=False)
    return float(result.pvalue)


def compare(outcomes: list[VariantOutcome]) -> TestResult:
    """Test the variants' outcomes and name the winner."""
    if not outcomes:
        raise ValueError("an A/B test needs at least one variant")
    winner = best_variant(outcomes)
    if len(outcomes) == 2:
        p_value, method = two_proportion_p_value(*outcomes), "z-test"
    else:
        p_value, method = chi_square_p_value(outcomes), "chi-square"
    if p_value is None:
        method = "none"
    return TestResult(winner=winner, p_value=p_value, method=method, variants=list(outcomes))
