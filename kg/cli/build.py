"""`kg build` and `kg extract`."""

from __future__ import annotations

import json

import click

from ..errors import InputError
from ._common import input_options, printable, warn


def _report_invalid(err: InputError) -> None:
    click.echo(f"kg: skipped: {printable(str(err))}", err=True)


@click.command()
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option("-o", "--out", "out_dir", default="exports", show_default=True, type=click.Path(),
              help="Folder to write graph.json, graph.ttl, graph.html and store/ into.")
@click.option("--model", metavar="PATH_OR_NAME",
              help="spaCy pipeline to extract with (default: kg's shipped scientific NER model).")
@click.option("--base-iri", metavar="IRI", help="Base IRI for the RDF export and store.")
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1), help="Texts per spaCy batch.")
@click.option("--workers", default=None, type=click.IntRange(1),
              help="Extraction processes on this machine (default 1); with --dask local, the number of "
                   "Dask workers (default 2).")
@click.option("--no-html", is_flag=True, help="Skip graph.html and report.html.")
@click.option("--html-max-nodes", type=click.IntRange(min=0), default=None,
              help="Most connected entities drawn in graph.html (default 1000, on kg's canvas renderer; "
                   "20000 draw in about a second; 0 for no cap).")
@click.option("--no-store", is_flag=True, help="Skip the embedded SPARQL store.")
@click.option("--update", "update_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Add INPUTS to the graph already built in DIR (written back to DIR) without "
                   "re-extracting its papers.")
@click.option("--min-cooccurrence", type=click.IntRange(min=1), default=None,
              help="Papers two entities must share to get a co_occurs edge [default: 1, or 2 from "
                   "20,000 papers on, where single-paper pairs are most of the graph's memory].")
@click.option("--dask", "dask_address", metavar="local|tcp://HOST:PORT",
              help="Run extraction on a Dask cluster: 'local' starts one on this machine, an address "
                   "connects to a running scheduler. Needs the 'dask' extra.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
@input_options
def build(inputs, out_dir, model, base_iri, batch_size, workers, no_html, html_max_nodes, no_store, update_dir,
          min_cooccurrence, dask_address, quiet, fmt, skip_invalid):
    """Build the knowledge graph of INPUTS (files or folders; default: seeds/).

    Reads titles and abstracts (.txt daily-paper dumps, .jsonl, .json, .csv,
    .bib), extracts methods, datasets, tasks, metrics and concepts, links them
    to papers and writes the exports into --out.

    \b
    kg build                              seeds/ into exports/
    kg build papers.jsonl refs.bib -o out/
    kg build --update exports/ new.jsonl  add papers to an existing build
    """
    from ..builder import build as run_build

    if update_dir is not None:
        if not inputs:
            raise click.UsageError("--update needs the new INPUTS to add")
        out_dir = update_dir
    result = run_build(
        inputs or ("seeds",), out_dir, update=update_dir is not None, model=model, format=fmt, skip_invalid=skip_invalid,
        on_invalid=_report_invalid, warn=warn, base_iri=base_iri, batch_size=batch_size, n_process=workers,
        progress=not quiet, html=not no_html, store=not no_store, dask=dask_address,
        html_max_nodes=html_max_nodes, min_cooccurrence=min_cooccurrence,
    )
    if skip_invalid and result.skipped:
        click.echo(f"kg: skipped {result.skipped} invalid record(s)", err=True)
    if not quiet:
        click.echo(f"{result.papers} papers, {result.entities} entities, {result.edges} edges", err=True)
        for path in result.files.values():
            click.echo(f"wrote {path}", err=True)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--model", metavar="PATH_OR_NAME", help="spaCy pipeline to extract with.")
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1), help="Texts per spaCy batch.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@input_options
def extract(inputs, model, batch_size, quiet, fmt, skip_invalid):
    """Extract entities from INPUTS and print one JSON object per paper (JSON Lines).

    \b
    Each line: {"id", "title", "abstract", "entities": [{"text", "type",
    "start", "end", "field", "role", "id", "source", "confidence"}]}.
    Offsets are characters into the paper's title or abstract ("field");
    "id" is the canonical entity id, the same one graph.json uses.
    "relations": [{"head", "tail", "type", "confidence"}], head and tail
    indexes into "entities" (see docs/extraction.md).
    """
    from ..extract import extract_papers
    from ..extract.records import extraction_records
    from ..read import read_papers

    skipped = 0

    def on_invalid(err):
        nonlocal skipped
        skipped += 1
        _report_invalid(err)

    papers = read_papers(inputs, format=fmt, skip_invalid=skip_invalid, on_invalid=on_invalid, warn=warn)
    bar = None
    if not quiet:
        from tqdm import tqdm

        bar = tqdm(total=len(papers), desc="extracting", unit="paper", leave=False)
    results = list(extract_papers(papers, model=model, batch_size=batch_size,
                                  progress=bar.update if bar else None))
    if bar:
        bar.close()
    for record in extraction_records(results):
        click.echo(json.dumps(record, ensure_ascii=False, sort_keys=True))
    if skip_invalid and skipped:
        click.echo(f"kg: skipped {skipped} invalid record(s)", err=True)


def register(group: click.Group) -> None:
    group.add_command(build)
    group.add_command(extract)
