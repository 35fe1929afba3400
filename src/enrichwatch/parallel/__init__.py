"""Long work in pieces: the progress interface of the library and the chunk runner of the Monte
Carlo simulations (locally or on a Dask cluster).

Nothing here knows about enrichment or draws a bar: the command line (:mod:`enrichwatch.cli`)
passes a :class:`Progress` that draws one on standard error; library callers may pass their
own (a logger, a notebook widget) or nothing.

Examples
--------
>>> from enrichwatch.parallel import RecordedProgress, run_chunks
>>> def task(payload, seed, index, size):
...     return [payload] * size
>>> seen = RecordedProgress()
>>> parts, backend = run_chunks(task, "x", seed=0, total=5, chunk_size=2, progress=seen,
...                             what="samples")
>>> [len(p) for p in parts], backend
([2, 2, 1], 'local')
>>> seen.phases
(('samples', 5, 5),)
"""

from .chunks import chunk_sizes, run_chunks
from .progress import (
    NO_PROGRESS,
    Progress,
    ProgressLike,
    RecordedProgress,
    as_progress,
    within,
)

__all__ = ["NO_PROGRESS", "Progress", "ProgressLike", "RecordedProgress", "as_progress",
           "chunk_sizes", "run_chunks", "within"]
