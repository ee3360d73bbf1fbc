"""Extraction: papers in, mentions and relations out.

spaCy objects stay inside this package. :func:`extract_papers` (in
:mod:`kg.extract.runner`) runs the pipeline from
:func:`~kg.extract.pipeline.load_pipeline` over titles and abstracts and yields
one :class:`Extraction` per paper, holding plain :class:`~kg.types.Mention` and
:class:`~kg.types.RelationMention` records.

- :mod:`~kg.extract.pipeline`: loading the spaCy pipeline, the ``kg_rules`` component;
- :mod:`~kg.extract.boundaries`, :mod:`~kg.extract.headtypes`, :mod:`~kg.extract.gazetteer`:
  the post-NER components;
- :mod:`~kg.extract.rules`, :mod:`~kg.extract.acronyms`: cue phrases, relations, acronyms;
- :mod:`~kg.extract.runner`: running it over papers (one or several processes);
- :mod:`~kg.extract.distributed`: running it on a Dask cluster.

>>> from kg.types import Paper
>>> paper = Paper(id="P-1", title="EControl", abstract="We propose EControl, a novel method.")
>>> result = next(extract_papers([paper]))               # doctest: +SKIP
>>> [(m.text, m.role) for m in result.mentions]          # doctest: +SKIP
[('EControl', 'proposes'), ('EControl', 'proposes')]
"""

from .pipeline import load_pipeline
from .runner import SOURCE_CONFIDENCE, Extraction, assemble, doc_spans, extract_papers

__all__ = ["SOURCE_CONFIDENCE", "Extraction", "assemble", "doc_spans", "extract_papers", "load_pipeline"]
