"""Freed memory goes back to the system between the pipeline's steps (glibc's malloc_trim)."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import numpy as np
import pytest

from segmentation.engine.memory import release_freed_memory

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@glibc
def test_freed_blocks_leave_the_process_only_when_released() -> None:
    blocks = [np.ones(100_000 // 8) for _ in range(2000)]  # 200 MB in 100 kB blocks, under the mmap threshold
    # every tenth block stays, the last one among them: the holes between them are free but inside the heap,
    # and the heap's top stays in use, so free() alone gives nothing back
    pinned = blocks[9::10]
    held = _rss_mb()
    del blocks
    assert _rss_mb() > held - 60  # freed, but kept by the allocator
    assert release_freed_memory()
    assert _rss_mb() < held - 120
    assert all(b.sum() == len(b) for b in pinned)
