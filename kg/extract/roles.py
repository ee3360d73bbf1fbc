"""Paper roles learnt from SciREX's result tuples: what a paper reports on.

SciREX lists, for each paper, the (dataset, metric, task, method) tuples it
reports results for. In the abstracts of the 216 SciREX training papers, 188
of the 249 dataset mentions (75%) name a dataset of those tuples, against 28%
of metric mentions and 17% of method mentions. So a dataset an abstract names
is, unless a cue says otherwise ("we introduce the X dataset" makes it
``proposes``), a dataset the paper evaluates on; metrics and methods keep
``mentions`` when no cue speaks.

>>> default_role("dataset"), default_role("metric")
('evaluates_on', None)
"""

from __future__ import annotations

import functools

__all__ = ["DEFAULT_ROLES", "default_role"]

#: Role of an entity no cue phrase gives one, by type.
DEFAULT_ROLES = {"dataset": "evaluates_on"}


def default_role(entity_type: str, text: str | None = None) -> str | None:
    """The role an entity of *entity_type* takes when no cue phrase gives one (or None).

    With *text*, only a known dataset name (kg's name table or gazetteer:
    "ImageNet", "SQuAD") takes it: a phrase typed ``dataset`` ("training
    data", "images") is often no dataset the paper reports on.

    >>> default_role("dataset", "CIFAR-10"), default_role("dataset", "unlabeled images")
    ('evaluates_on', None)
    """
    role = DEFAULT_ROLES.get(entity_type)
    if role is None or text is None:
        return role
    return role if text.casefold() in _known_datasets() else None


@functools.lru_cache(maxsize=1)
def _known_datasets() -> frozenset[str]:
    from .gazetteer import read_gazetteer
    from .names import DEFAULT_NAMES, WELL_KNOWN

    names = {t for t, k in WELL_KNOWN if k == "dataset"}
    names |= {e.text for e in read_gazetteer() if e.type == "dataset"}
    if DEFAULT_NAMES.is_file():
        names |= {e.text for e in read_gazetteer(DEFAULT_NAMES) if e.type == "dataset"}
    return frozenset(n.casefold() for n in names)
