"""Training kg's scientific NER model on SciERC.

:func:`train` converts the CoNLL data, trains with ``spacy.cli.train`` on
CPU, scores the best checkpoint on dev and installs the pipeline under
``kg/models/scierc``. :mod:`kg.training.convert` holds the conversion.
"""

from kg.training.convert import LABEL_MAP, convert_file, read_conll_file
from kg.training.train import (
    DEFAULT_CONFIG,
    DEFAULT_MODEL_DIR,
    GENERIC_LABEL,
    evaluate_pipeline,
    install_pipeline,
    split_holdout,
    train,
)

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_MODEL_DIR",
    "GENERIC_LABEL",
    "LABEL_MAP",
    "convert_file",
    "evaluate_pipeline",
    "install_pipeline",
    "read_conll_file",
    "split_holdout",
    "train",
]
