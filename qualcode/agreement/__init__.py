"""Inter-rater agreement statistics on arrays: pure numpy, no storage, no I/O.

Two coders, presence of many codes at once
    :func:`binary_agreement` (kappa with SEs and CI, Scott's pi, AC1, PABAK,
    prevalence and bias indices, maximum kappa), :func:`pooled_kappa`,
    :func:`bootstrap_binary`.
Two raters, nominal or ordinal categories
    :func:`cohen_kappa` (weighted or not), :func:`scott_pi`,
    :func:`table_coefficients`, :func:`contingency_table`.
Any number of raters with missing ratings
    :func:`krippendorff_alpha`, :func:`fleiss_kappa`, :func:`gwet_ac`,
    :func:`brennan_prediger`, :func:`percent_agreement`, :func:`pairwise_agreement`.
Interpretation
    :func:`landis_koch`, :func:`prevalence_paradox`, :func:`paradox_note`.

Every function documents its formula and references; results carry the
standard error's method and, where a value is undefined (NaN), the reason. Intervals
whose standard error is 0 are NaN with the reason, never zero-width
(:mod:`qualcode.agreement.intervals`); named weights place categories by ``scores``
(``"ranks"`` by default, ``"values"``; :func:`qualcode.agreement.weights.category_scores`).
"""

from qualcode.agreement._common import AgreementInputError
from qualcode.agreement.binary import BinaryAgreement, binary_agreement, binary_counts, pooled_kappa
from qualcode.agreement.categorical import (
    cohen_kappa,
    contingency_table,
    scott_pi,
    table_coefficients,
)
from qualcode.agreement.interpretation import landis_koch, paradox_note, prevalence_paradox
from qualcode.agreement.krippendorff import AlphaResult, krippendorff_alpha
from qualcode.agreement.multirater import (
    PairwiseAgreement,
    brennan_prediger,
    fleiss_kappa,
    gwet_ac,
    pairwise_agreement,
    percent_agreement,
    rating_counts,
)
from qualcode.agreement.resampling import BinaryBootstrap, Bootstrap, bootstrap, bootstrap_binary
from qualcode.agreement.results import Coefficient
from qualcode.agreement.weights import weight_matrix

__all__ = [
    "AgreementInputError",
    "AlphaResult",
    "BinaryAgreement",
    "BinaryBootstrap",
    "Bootstrap",
    "Coefficient",
    "PairwiseAgreement",
    "binary_agreement",
    "binary_counts",
    "bootstrap",
    "bootstrap_binary",
    "brennan_prediger",
    "cohen_kappa",
    "contingency_table",
    "fleiss_kappa",
    "gwet_ac",
    "krippendorff_alpha",
    "landis_koch",
    "pairwise_agreement",
    "paradox_note",
    "percent_agreement",
    "pooled_kappa",
    "prevalence_paradox",
    "rating_counts",
    "scott_pi",
    "table_coefficients",
    "weight_matrix",
]
