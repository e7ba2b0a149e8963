"""A synthetic commune with ground truth: the yardstick of the matching engine.

(Full documentation of the perturbations below.)
"""

from veille.synth.generator import RATES, SyntheticCommune, generate_commune
from veille.synth.writer import write_commune

__all__ = ["RATES", "SyntheticCommune", "generate_commune", "write_commune"]
