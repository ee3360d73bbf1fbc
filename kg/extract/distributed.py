"""Extraction on a Dask cluster: partitions of papers in, plain extractions out.

:func:`extract_papers_dask` cuts the papers into partitions, runs
:func:`~kg.extract.runner.extract_papers` on each one on a Dask worker and yields the
results in input order, so everything downstream (normalisation, graph,
exports) is byte-identical to a one-process run. Only
:class:`~kg.types.Paper` records travel to the workers and only
:class:`~kg.extract.runner.Extraction` records (strings, numbers, tuples) travel
back; spaCy objects never leave a worker. Each worker process loads the
pipeline once (:func:`~kg.extract.pipeline.load_pipeline` is cached per
process) and keeps it for every later partition.

Two partitions per worker run at a time (a new one is submitted as soon as
one finishes), so the corpus streams through the cluster instead of being
shipped all at once; the last partitions are smaller, so that no worker waits
for another at the end.

``address="local"`` starts a :class:`distributed.LocalCluster` of
*n_workers* single-threaded processes on this machine and closes it
afterwards; any other address (``"tcp://HOST:8786"``) connects to a running
scheduler. On a remote cluster every worker needs kg installed (the same
version, ``pip install "kg[dask]"``): the default model is the pipeline
shipped inside the kg package, and a ``model=`` path must exist on the
workers.

>>> from kg.types import Paper
>>> papers = [Paper(id="P-1", title="EControl", abstract="We propose EControl.")]
>>> [x.paper.id for x in extract_papers_dask(papers, address="local")]   # doctest: +SKIP
['P-1']
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import logging
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..errors import ArgumentError, ClusterError
from ..types import Paper
from .pipeline import load_pipeline
from .runner import Extraction, extract_papers

__all__ = ["DEFAULT_PARTITION_SIZE", "LOCAL", "extract_papers_dask", "local_cluster"]

#: The address that starts a LocalCluster instead of connecting to a scheduler.
LOCAL = "local"

#: Papers per partition (upper bound; small corpora get smaller partitions so
#: every worker has some). A multiple of 32 keeps partitions aligned with
#: ``nlp.pipe`` batches of 64 texts (a title and an abstract per paper).
DEFAULT_PARTITION_SIZE = 256

#: Partitions submitted and not yet finished, per worker.
IN_FLIGHT_PER_WORKER = 2

#: Finished partitions waiting to be yielded in order: at most this many times the in-flight window.
REORDER_FACTOR = 2


def _require_dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError("--dask needs Dask, which is not installed",
                           hint='install kg[dask]: pip install "kg[dask]"') from None
    return distributed


def extract_papers_dask(
    papers: Iterable[Paper],
    *,
    address: str = LOCAL,
    model: str | None = None,
    batch_size: int = 64,
    partition_size: int | None = None,
    n_workers: int = 2,
    progress: Callable[[int], None] | None = None,
    timeout: float = 10.0,
) -> Iterator[Extraction]:
    """Run extraction over *papers* on a Dask cluster, yielding one Extraction per paper, in order.

    Parameters
    ----------
    papers : iterable of Paper
        Read lazily, at most ``REORDER_FACTOR * IN_FLIGHT_PER_WORKER`` partitions per worker
        ahead of what has been yielded.
    address : str
        ``"local"`` (start a LocalCluster) or a scheduler address such as
        ``"tcp://10.0.0.5:8786"``.
    model : str, optional
        Pipeline name or path, loaded on each worker with
        :func:`~kg.extract.pipeline.load_pipeline` (default: kg's shipped
        model, as installed on the worker).
    batch_size : int
        Texts per ``nlp.pipe`` batch on the workers.
    partition_size : int, optional
        Papers per task. Default: up to :data:`DEFAULT_PARTITION_SIZE`,
        smaller for small corpora so that every worker gets work.
    n_workers : int
        Worker processes of a LocalCluster (ignored for a remote scheduler).
    progress : callable, optional
        Called with the number of papers of each partition as it is yielded.
    timeout : float
        Seconds to wait for the scheduler and for its first worker.

    Raises
    ------
    ArgumentError
        An empty address, or a batch_size, partition_size or n_workers below 1.
    ClusterError
        Dask is not installed, the scheduler cannot be reached or has no
        workers, or a worker died while extracting.
    """
    distributed = _require_dask()
    if not isinstance(address, str) or not address:
        raise ArgumentError(f"bad Dask address {address!r}", hint="use 'local' or tcp://HOST:PORT")
    if batch_size < 1:
        raise ArgumentError(f"batch_size must be at least 1, got {batch_size}")
    if partition_size is not None and partition_size < 1:
        raise ArgumentError(f"partition_size must be at least 1, got {partition_size}")
    if address == LOCAL and n_workers < 1:
        raise ArgumentError(f"n_workers must be at least 1, got {n_workers}")
    return _run(distributed, papers, address=address, model=model, batch_size=batch_size,
                partition_size=partition_size, n_workers=n_workers, progress=progress, timeout=timeout)


def _run(distributed: Any, papers: Iterable[Paper], *, address: str, model: str | None, batch_size: int,
         partition_size: int | None, n_workers: int, progress: Callable[[int], None] | None,
         timeout: float) -> Iterator[Extraction]:
    cluster = None
    client = None
    try:
        cluster, client = _connect(distributed, address, n_workers, timeout)
        workers = max(1, sum(client.nthreads().values()))
        if partition_size:  # as asked, every partition the same size
            sizes: Iterator[int] = itertools.repeat(partition_size)
        else:
            sizes = _partition_sizes(len(papers) if isinstance(papers, Sequence) else None,
                                     _auto_partition_size(papers, workers, batch_size), workers,
                                     max(1, batch_size // 2))
        yield from _stream(distributed, client, _partitions(papers, sizes), workers * IN_FLIGHT_PER_WORKER,
                           model, batch_size, progress, address)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def _connect(distributed: Any, address: str, n_workers: int, timeout: float) -> tuple[Any, Any]:
    if address == LOCAL:
        try:
            cluster = local_cluster(n_workers)
        except Exception as exc:  # noqa: BLE001 - any start-up failure becomes one clean line
            raise ClusterError(f"cannot start a local Dask cluster: {_first_line(exc)}",
                               hint="workers are spawned processes: a script that calls "
                                    "kg.build(dask='local') must do so under `if __name__ == '__main__':`"
                               ) from None
        try:
            return cluster, distributed.Client(cluster, timeout=timeout)
        except Exception:
            cluster.close()
            raise
    try:
        client = distributed.Client(address, timeout=timeout)
    except (OSError, ValueError, TypeError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {_first_line(exc)}",
                           hint="check the address, or start one with `dask scheduler`; "
                                "use --dask local for a cluster on this machine") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError):
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no workers",
                           hint="start workers with `dask worker " + address + "`") from None
    return None, client


def local_cluster(n_workers: int = 2) -> Any:
    """A :class:`distributed.LocalCluster` of *n_workers* single-threaded processes, as kg starts it.

    Dask starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which turns off
    glibc's adaptive mmap threshold: spaCy's short-lived arrays then cost page
    faults (about a third more CPU). kg's local workers start without it.
    """
    import dask
    import distributed

    environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()
               if k != "MALLOC_TRIM_THRESHOLD_"}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.CRITICAL)


def _auto_partition_size(papers: Iterable[Paper], workers: int, batch_size: int) -> int:
    """Up to DEFAULT_PARTITION_SIZE papers; for a sized input, about 4 partitions per worker.

    Sizes are rounded up to a whole number of ``nlp.pipe`` batches, so each
    partition starts where a one-process run would start a batch.
    """
    step = max(1, batch_size // 2)  # two texts per paper
    if not isinstance(papers, Sequence):
        return max(step, DEFAULT_PARTITION_SIZE // step * step)
    want = math.ceil(len(papers) / (4 * workers)) if papers else 1
    return max(step, min(DEFAULT_PARTITION_SIZE // step * step, math.ceil(want / step) * step))


def _partition_sizes(total: int | None, size: int, workers: int, step: int) -> Iterator[int]:
    """Papers per partition: *size*, tapering off over the last partitions of a sized input.

    With fixed partitions the last one or two keep one worker busy while the
    others wait (up to a whole partition's time: seconds for 256 papers). Like
    OpenMP's guided schedule, each partition here is about the papers still
    to submit over ``2 * workers`` (rounded up to a multiple of *step*, one
    ``nlp.pipe`` batch, and never below it), so that boundaries stay where a
    one-process run starts a batch. *total* None (an input of unknown length) gives *size* forever.

    >>> list(_partition_sizes(1000, 256, 2, 32))
    [256, 192, 160, 128, 96, 64, 32, 32, 32, 32]
    """
    if total is None:
        while True:
            yield size
    left = total
    while left > 0:
        guided = math.ceil(left / (2 * workers) / step) * step
        n = max(step, min(size, guided))
        yield n
        left -= n


def _partitions(papers: Iterable[Paper], sizes: Iterable[int]) -> Iterator[list[Paper]]:
    """Consecutive partitions of *papers*, one per size, until the papers or the sizes run out."""
    it = iter(papers)
    for size in sizes:
        part = list(itertools.islice(it, size))
        if not part:
            return
        yield part


def _extract_partition(papers: list[Paper], model: str | None, batch_size: int) -> list[tuple[Any, Any]]:
    """Runs on a worker: (mentions, relations) per paper; the papers themselves are not sent back.

    The pipeline is loaded once per worker process (cached).
    """
    _tune_malloc()
    return [(x.mentions, x.relations) for x in extract_papers(papers, nlp=load_pipeline(model),
                                                              batch_size=batch_size)]


@functools.cache
def _tune_malloc() -> None:
    """On a worker started with Dask's MALLOC_TRIM_THRESHOLD_ (a remote cluster's default), raise
    glibc's mmap and trim thresholds once, so that spaCy's arrays are reused, not mapped and
    unmapped on every batch (measured: 14.3 -> 11.7 CPU seconds for 768 abstracts)."""
    if not sys.platform.startswith("linux") or "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 64 * 2**20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 128 * 2**20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc
        pass


def _stream(distributed: Any, client: Any, parts: Iterator[list[Paper]], window: int, model: str | None,
            batch_size: int, progress: Callable[[int], None] | None, address: str) -> Iterator[Extraction]:
    """Keep *window* partitions running; yield finished ones in input order.

    A new partition is submitted as soon as one finishes, not when the oldest
    one has been yielded: otherwise one slow partition at the head stalls every
    other worker once the window is full. Finished partitions wait for their
    turn in a reorder buffer of at most ``REORDER_FACTOR * window`` partitions,
    which bounds memory when one partition lags far behind.
    """
    from distributed import as_completed

    index_of: dict[Any, int] = {}
    papers_of: dict[int, list[Paper]] = {}  # partitions in flight, joined to their results on return
    done: dict[int, list[Extraction]] = {}
    submitted = yielded = 0
    pending = as_completed()

    def refill() -> None:
        nonlocal submitted
        # running = len(index_of); finished but not yet yielded = len(done)
        while len(index_of) < window and submitted - yielded < REORDER_FACTOR * window:
            part = next(parts, None)
            if part is None:
                return
            future = client.submit(_extract_partition, part, model, batch_size, pure=False)
            index_of[future] = submitted
            papers_of[submitted] = part
            pending.add(future)
            submitted += 1

    refill()
    try:
        for future in pending:
            try:
                result = future.result()
            except distributed.KilledWorker as exc:
                raise ClusterError(f"a Dask worker died while extracting papers (task {exc.task!r})",
                                   hint="see the worker logs; running out of memory is a common cause, and "
                                        "each worker holds its own copy of the spaCy pipeline") from None
            except (distributed.comm.CommClosedError, distributed.TimeoutError, OSError) as exc:
                raise ClusterError(f"lost the connection to the Dask scheduler at {address}: "
                                   f"{_first_line(exc)}") from None
            index = index_of.pop(future)
            done[index] = [Extraction(paper, mentions, relations)
                           for paper, (mentions, relations) in zip(papers_of.pop(index), result)]
            future.release()
            refill()
            while yielded in done:
                extractions = done.pop(yielded)
                yielded += 1
                refill()
                if progress is not None:
                    progress(len(extractions))
                yield from extractions
    finally:
        for future in list(index_of):
            future.cancel()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
