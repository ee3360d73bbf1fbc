"""Acronym definitions ("long form (SF)"): they live in :mod:`kg.acronyms`, which the normaliser
uses too; this module keeps the old import path working.

>>> find_acronyms("graph neural networks (GNNs)")[0].long
'graph neural networks'
"""

from ..acronyms import Acronym, best_long_form, find_acronyms

__all__ = ["Acronym", "best_long_form", "find_acronyms"]
