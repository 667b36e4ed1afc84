"""PNG plots of a report: Recall@k curves and latency histograms (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")  # files only; never open a window (or need a display) on a server

import matplotlib.pyplot as plt

RECALL_PNG = "recall_at_k.png"
LATENCY_PNG = "latency.png"
_HIST_BINS = 30


def plot_recall(report: dict[str, Any], path: Path) -> None:
    """One panel per dataset (+ overall), one Recall@k line per config."""
    ks = report["ks"]
    labels = [c["label"] for c in report["configs"]]
    panels = list(report["results"][labels[0]]["datasets"]) + ["overall"] if labels else ["overall"]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=True):
        for label in labels:
            result = report["results"][label]
            summary = result["overall"] if panel == "overall" else result["datasets"].get(panel)
            if not summary:
                continue
            ax.plot(ks, [summary["metrics"][f"recall@{k}"] for k in ks], marker="o", label=label)
        ax.set_title(f"{panel} (n={_n(report, panel)})")
        ax.set_xlabel("k")
        ax.set_ylabel("Recall@k")
        ax.set_xticks(ks)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        if labels:
            ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _n(report: dict[str, Any], panel: str) -> int:
    result = report["results"][report["configs"][0]["label"]] if report["configs"] else {}
    summary = result.get("overall") if panel == "overall" else result.get("datasets", {}).get(panel)
    return summary["n_evaluated"] if summary else 0


def plot_latency(report: dict[str, Any], path: Path) -> None:
    """Histograms of per-question retrieval (and answering, when measured) latency per config."""
    fields = ["retrieval_ms"] + (["answer_ms"] if report["args"].get("answers") else [])
    fig, axes = plt.subplots(1, len(fields), figsize=(5.5 * len(fields), 3.6), squeeze=False)
    for ax, field in zip(axes[0], fields, strict=True):
        per_config = {
            c["label"]: [
                q[field]
                for q in report["questions"]
                if q["config"] == c["label"] and q.get(field) is not None
            ]
            for c in report["configs"]
        }
        everything = [v for values in per_config.values() for v in values]
        # Shared bin edges, so the configs' bars line up and compare.
        bins = np.histogram_bin_edges(everything, bins=_HIST_BINS) if everything else _HIST_BINS
        for label, values in per_config.items():
            if values:
                ax.hist(values, bins=bins, alpha=0.55, label=label)
        ax.set_title(field.replace("_ms", "") + " latency")
        ax.set_xlabel("ms per question")
        ax.set_ylabel("questions")
        if report["configs"]:
            ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
