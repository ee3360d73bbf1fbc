"""Training kg's scientific NER model on SciERC.

:func:`train` converts the CoNLL data, trains with ``spacy.cli.train`` on
CPU, scores the best checkpoint on dev and installs the pipeline under
``kg/models/scierc``. :mod:`kg.training.convert` holds the conversion.
"""

from kg.extract.pipeline import SCIERC_TYPES
from kg.training.convert import convert_file, read_conll_file
from kg.training.train import (
    DEFAULT_CONFIG,
    DEFAULT_MODEL_DIR,
    GENERIC_LABEL,
    evaluate_pipeline,
    install_pipeline,
    scierc_dir,
    split_holdout,
    train,
)

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_MODEL_DIR",
    "GENERIC_LABEL",
    "SCIERC_TYPES",
    "convert_file",
    "evaluate_pipeline",
    "install_pipeline",
    "read_conll_file",
    "scierc_dir",
    "split_holdout",
    "train",
]
