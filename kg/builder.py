"""``kg build``: read -> extract -> normalise -> graph -> exports, in one call.

>>> import kg
>>> result = kg.build(["seeds"], "exports")        # doctest: +SKIP
>>> result.papers, sorted(result.files)             # doctest: +SKIP
(361, ['graph.html', 'graph.json', 'graph.ttl', 'report.html', 'store'])
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

try:
    import resource
except ImportError:  # Windows: BuildResult.memory stays empty
    resource = None  # type: ignore[assignment]

from ._outset import OutputSet
from .errors import ArgumentError, ExportError, InputError
from .extract import extract_papers, load_pipeline
from .graph import ENTITY, PAPER, build_graph
from .paths import REPORT_HTML, ExportPaths
from .read import read_papers
from .trends import assign_years

__all__ = [
    "AUTO_COOCCURRENCE_PAPERS",
    "DEFAULT_INPUTS",
    "DEFAULT_OUT",
    "BuildResult",
    "build",
    "default_min_cooccurrence",
]

DEFAULT_INPUTS = ("seeds",)
DEFAULT_OUT = "exports"
#: From this many papers on, co-occurrence edges need 2 papers by default (see build()).
AUTO_COOCCURRENCE_PAPERS = 20_000


def default_min_cooccurrence(n_papers: int) -> int:
    """1 below :data:`AUTO_COOCCURRENCE_PAPERS` papers, else 2.

    Most entity pairs meet in one paper only (about 9 in 10); on a large corpus
    those single-paper edges are most of the graph's memory and say little.

    >>> default_min_cooccurrence(361), default_min_cooccurrence(100_000)
    (1, 2)
    """
    return 1 if n_papers < AUTO_COOCCURRENCE_PAPERS else 2


@dataclass
class BuildResult:
    """What :func:`build` made: the graph, counts, files written and time per stage (seconds)."""

    graph: nx.MultiDiGraph
    papers: int
    entities: int
    edges: int
    skipped: int
    files: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: Peak resident memory of this process (bytes) at the end of each stage, where the OS tells.
    memory: dict[str, int] = field(default_factory=dict)


def build(
    inputs: Iterable[str | os.PathLike[str]] = DEFAULT_INPUTS,
    out_dir: str | os.PathLike[str] = DEFAULT_OUT,
    *,
    model: str | None = None,
    format: str | None = None,
    skip_invalid: bool = False,
    on_invalid: Callable[[InputError], None] | None = None,
    warn: Callable[[str], None] | None = None,
    base_iri: str | None = None,
    batch_size: int = 64,
    n_process: int | None = None,
    progress: bool = False,
    html: bool = True,
    store: bool = True,
    update: bool = False,
    dask: str | None = None,
    html_max_nodes: int | None = None,
    min_cooccurrence: int | None = None,
) -> BuildResult:
    """Build the knowledge graph of *inputs* and write its exports into *out_dir*.

    Writes ``graph.json`` (node-link, reload with :func:`kg.load`),
    ``graph.ttl`` (RDF), ``graph.html`` (interactive view) and ``store/``
    (an Oxigraph store for :meth:`KnowledgeGraph.sparql`). The set appears
    whole or not at all: it is written into a sibling folder and swapped in
    once complete (see :mod:`kg._outset`), and a second build into the same
    folder meanwhile stops with an :class:`~kg.errors.ExportError`. Every file
    is byte-identical for the same input.

    Parameters
    ----------
    inputs : paths
        Files or folders of papers (see :func:`kg.read_papers`).
    out_dir : path
        Output folder, created if needed.
    model : str, optional
        spaCy pipeline name or path (default: kg's shipped model).
    skip_invalid, on_invalid, format, warn
        Passed to :func:`kg.read_papers`.
    batch_size : int
        Texts per ``nlp.pipe`` batch.
    n_process : int, optional
        Extraction processes on this machine (default 1). With
        ``dask="local"``: the LocalCluster's workers (default 2); ignored for
        a remote scheduler.
    progress : bool
        Show a progress bar on stderr.
    update : bool
        Add *inputs* to the graph already in *out_dir* without re-extracting
        its papers; a paper already there (same normalised title) gains the new
        sources but is not extracted or added again.
    dask : str, optional
        Run extraction on a Dask cluster: ``"local"`` starts a LocalCluster,
        ``"tcp://HOST:8786"`` connects to a running scheduler. The output is
        byte-identical to a one-process build.
    html_max_nodes : int, optional
        Cap of graph.html (default :data:`kg.export.html.DEFAULT_MAX_NODES`).
    min_cooccurrence : int, optional
        Papers a pair of entities must share for a ``co_occurs`` edge; default
        :func:`default_min_cooccurrence` of the corpus size.

    Raises
    ------
    ArgumentError
        A bad option value (checked before anything is read).
    ExportError
        *out_dir* cannot be written (a file, not writable, a full disk), or another build
        is writing it; the previous outputs stay as they were.
    InputError
        Unreadable input (see :func:`kg.read_papers`).
    """
    _check_options(base_iri=base_iri, batch_size=batch_size, n_process=n_process,
                   min_cooccurrence=min_cooccurrence, html_max_nodes=html_max_nodes)
    # The output folder is checked, locked and cleaned before anything is read or extracted.
    with OutputSet(out_dir) as outputs:
        return _build(inputs, outputs, model=model, format=format, skip_invalid=skip_invalid,
                      on_invalid=on_invalid, warn=warn, base_iri=base_iri, batch_size=batch_size,
                      n_process=n_process, progress=progress, html=html, store=store, update=update,
                      dask=dask, html_max_nodes=html_max_nodes, min_cooccurrence=min_cooccurrence)


def _check_options(*, base_iri: str | None, batch_size: int, n_process: int | None,
                   min_cooccurrence: int | None, html_max_nodes: int | None) -> None:
    """Every option's value, checked before the output folder is touched or a paper is read."""
    from .export.rdf.iri import check_base

    if base_iri is not None:
        check_base(base_iri)  # an ArgumentError
    for name, value, least in (("batch_size", batch_size, 1), ("n_process", n_process, 1),
                               ("min_cooccurrence", min_cooccurrence, 1), ("html_max_nodes", html_max_nodes, 0)):
        if value is not None and value < least:
            raise ArgumentError(f"{name} must be at least {least}, got {value}")


def _build(inputs: Iterable[str | os.PathLike[str]], outputs: OutputSet, *, model: str | None,
           format: str | None, skip_invalid: bool, on_invalid: Callable[[InputError], None] | None,
           warn: Callable[[str], None] | None, base_iri: str | None, batch_size: int, n_process: int | None,
           progress: bool, html: bool, store: bool, update: bool, dask: str | None,
           html_max_nodes: int | None, min_cooccurrence: int | None) -> BuildResult:
    out_dir = outputs.out
    timings: dict[str, float] = {}
    skipped = 0

    def count_invalid(err: InputError) -> None:
        nonlocal skipped
        skipped += 1
        if on_invalid is not None:
            on_invalid(err)

    t0 = time.perf_counter()
    papers = read_papers(list(inputs), format=format, skip_invalid=skip_invalid, on_invalid=count_invalid,
                         warn=warn)
    if not papers:
        raise InputError("no valid papers in the input", hint="check the input files, or drop --skip-invalid to see why")
    timings["read"] = time.perf_counter() - t0
    memory: dict[str, int] = {}
    _note_memory(memory, "read")

    previous: list = []
    fixed_types = None
    if update:
        previous, papers, fixed_types = _split_known(Path(out_dir), papers)

    t0 = time.perf_counter()
    nlp = load_pipeline(model) if papers and dask is None else None
    timings["load_model"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    bar = _progress(len(papers), "extracting", progress)
    tick = bar.update if bar else None
    if not papers:
        extractions: Iterator = iter(())
    elif dask is not None:
        from .extract.distributed import extract_papers_dask

        workers = {} if n_process is None else {"n_workers": n_process}
        extractions = extract_papers_dask(papers, address=dask, model=model, batch_size=batch_size,
                                          progress=tick, **workers)
    else:
        extractions = extract_papers(papers, nlp=nlp, batch_size=batch_size, n_process=n_process or 1,
                                     progress=tick)
    n_total = len(previous) + len(papers)
    del papers  # the extractions hold the papers from here on

    def stream() -> Iterator[tuple]:
        # Extractions flow straight into the graph builder, which keeps plain records only:
        # no list of every Extraction is ever held (at 100k papers that is gigabytes).
        yield from previous
        previous.clear()
        for x in extractions:
            yield x.paper, x.mentions, x.relations
        if bar:
            bar.close()
        timings["extract"] = time.perf_counter() - t0
        _note_memory(memory, "extract")

    if min_cooccurrence is None:
        min_cooccurrence = default_min_cooccurrence(n_total)
    # communities are detected inside, on the co-occurrence counts before they become edges
    G = build_graph(stream(), fixed_types=fixed_types, min_cooccurrence=min_cooccurrence, communities=True)
    assign_years(G)
    timings["graph"] = time.perf_counter() - t0 - timings["extract"]
    _note_memory(memory, "graph")

    try:
        staged = write_exports(G, outputs.stage, base_iri=base_iri, html=html, store=store, timings=timings,
                               html_max_nodes=html_max_nodes, memory=memory)
        t0 = time.perf_counter()
        outputs.commit()
        timings["swap"] = time.perf_counter() - t0
    except OSError as exc:
        raise ExportError(f"cannot write the outputs ({exc.strerror or exc})", path=out_dir,
                          hint="free some space or choose another folder with -o; the previous outputs "
                               "are unchanged") from None
    files = {name: Path(out_dir) / name for name in staged}
    n_entities = sum(1 for _, k in G.nodes(data="kind") if k == ENTITY)
    n_papers = sum(1 for _, k in G.nodes(data="kind") if k == PAPER)
    return BuildResult(G, n_papers, n_entities, G.number_of_edges(), skipped, files, timings, memory)


def write_exports(
    G: nx.MultiDiGraph,
    out: Path,
    *,
    base_iri: str | None = None,
    html: bool = True,
    store: bool = True,
    timings: dict[str, float] | None = None,
    html_max_nodes: int | None = None,
    memory: dict[str, int] | None = None,
) -> dict[str, Path]:
    """Write graph.json, graph.ttl, graph.html, report.html and store/ for *G* into *out*.

    *timings* and *memory*, when given, receive each export's seconds and the
    peak resident memory after it (see :attr:`BuildResult.memory`).
    """
    from .export.json import write_graph
    from .export.rdf import DEFAULT_BASE_IRI, write_rdf

    timings = timings if timings is not None else {}
    memory = memory if memory is not None else {}
    iri = base_iri or DEFAULT_BASE_IRI
    files: dict[str, Path] = {}
    out.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    write_graph(G, out / "graph.json")
    files["graph.json"] = out / "graph.json"
    timings["export_json"] = time.perf_counter() - t0
    _note_memory(memory, "export_json")

    t0 = time.perf_counter()
    write_rdf(G, out / "graph.ttl", format="turtle", base_iri=iri)
    files["graph.ttl"] = out / "graph.ttl"
    timings["export_rdf"] = time.perf_counter() - t0
    _note_memory(memory, "export_rdf")

    if html:
        from .export.html import write_html

        t0 = time.perf_counter()
        write_html(G, out / "graph.html", **({} if html_max_nodes is None else {"max_nodes": html_max_nodes}))
        files["graph.html"] = out / "graph.html"
        timings["export_html"] = time.perf_counter() - t0
        _note_memory(memory, "export_html")
        from .export.report import write_report

        t0 = time.perf_counter()
        files[REPORT_HTML] = write_report(G, out / REPORT_HTML)
        timings["export_report"] = time.perf_counter() - t0
    if store:
        from .store import build_store

        t0 = time.perf_counter()
        build_store(G, out / "store", base_iri=iri)
        files["store"] = out / "store"
        timings["store"] = time.perf_counter() - t0
        _note_memory(memory, "store")
    return files


def _split_known(out: Path, papers: list) -> tuple[list, list, dict[str, str]]:
    """For --update: the old graph's extractions (new sources merged in), the papers still to
    extract, and the old entity types (kept, so existing ids stay stable)."""
    from .export.json import read_graph
    from .graph import entity_types, extractions_from_graph
    from .read._records import merge_papers

    old_graph = read_graph(ExportPaths(out).require_graph())
    previous = extractions_from_graph(old_graph)
    known = {p.id: i for i, (p, _, _) in enumerate(previous)}
    fresh = []
    for paper in papers:
        if paper.id in known:
            i = known[paper.id]
            old, mentions, relations = previous[i]
            previous[i] = (merge_papers(old, paper), mentions, relations)
        else:
            fresh.append(paper)
    return previous, fresh, entity_types(old_graph)


def _note_memory(memory: dict[str, int], stage: str) -> None:
    """Peak RSS of this process so far (getrusage; Linux reports KiB, macOS bytes)."""
    if resource is None:
        return
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    memory[stage] = peak if sys.platform == "darwin" else peak * 1024


def _progress(total: int, desc: str, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="paper", dynamic_ncols=True, leave=False)
