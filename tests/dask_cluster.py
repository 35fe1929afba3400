"""One local Dask cluster for the whole test run (two worker processes, one thread each), shared
by the Monte Carlo tests of breakout, accountancy and detection.

Timeouts are generous so that a loaded machine does not lose its workers mid-test: these tests
check that Dask gives the local result, not how fast it is.
"""

import pytest

__all__ = ["local_cluster"]


@pytest.fixture(scope="session")
def local_cluster():
    distributed = pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "120s",
                          "distributed.comm.timeouts.tcp": "300s",
                          "distributed.scheduler.worker-ttl": "15 minutes",
                          "distributed.deploy.lost-worker-timeout": "300s"}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
        yield cluster, client
        client.close()
        cluster.close()
