"""Shared by the page benchmarks: one page's query count and its p50/p95 render time."""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client


def measure(client: Client, url: str, repeats: int) -> tuple[int, float, float]:
    """Queries of one request, then p50 and p95 in milliseconds over `repeats` requests."""
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return count[0], statistics.median(times), times[int(len(times) * 0.95) - 1]
