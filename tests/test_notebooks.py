"""The notebooks run top to bottom in a temporary folder, through the public API, writing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SHARED_CSL

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need the dev extra: pip install -e '.[dev]'")
nbclient = pytest.importorskip("nbclient", reason="the notebook tests need the dev extra: pip install -e '.[dev]'")
kernelspec = pytest.importorskip("ipykernel.kernelspec", reason="the notebook tests need the dev extra")
write_kernel_spec = kernelspec.write_kernel_spec

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
SKIP_NOTE = "CSL benchmark not found at"
IGNORED = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}


def repository_files() -> dict[Path, int]:
    """Every file of the working tree (tools' caches aside) with its modification time."""
    files = {}
    for path in REPO.rglob("*"):
        if path.is_file() and not IGNORED.intersection(path.relative_to(REPO).parts):
            files[path] = path.stat().st_mtime_ns
    return files


@pytest.fixture(scope="module", autouse=True)
def kernel_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Matplotlib's font cache, IPython's history and kernel connection files go to a temporary folder
    shared by the module's runs (so the font cache is built once); the kernel is this interpreter,
    whatever kernels the user has installed."""
    caches = tmp_path_factory.mktemp("kernel")
    write_kernel_spec(caches / "jupyter" / "kernels" / "python3")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(caches / "jupyter"))
        for name, folder in (("MPLCONFIGDIR", "mpl"), ("IPYTHONDIR", "ipython"), ("JUPYTER_RUNTIME_DIR", "runtime")):
            patch.setenv(name, str(caches / folder))
        patch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # charts inline, drawn with Agg
        yield


def execute(notebook: Path, tmp_path: Path) -> tuple[str, Path]:
    """Run a notebook in an empty working folder; its text outputs, joined."""
    work = tmp_path / "work"
    work.mkdir()
    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", "") + output.get("data", {}).get("text/plain", ""))
    return "\n".join(texts), work


def test_the_issue_notebooks_exist() -> None:
    names = [path.name for path in NOTEBOOKS]
    expected = {"01_explore_sample_data", "02_match_a_demand", "03_match_quality", "04_batch_and_scale"}
    assert {f"{name}.ipynb" for name in expected} <= set(names)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(notebook: Path) -> None:
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    stale = [
        n for n, cell in enumerate(nb.cells) if cell.cell_type == "code" and (cell.outputs or cell.execution_count)
    ]
    assert not stale, f"{notebook.name}: cells {stale} hold outputs; strip them before committing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_and_writes_nothing(notebook: Path, tmp_path: Path) -> None:
    before = repository_files()
    text, work = execute(notebook, tmp_path)
    assert repository_files() == before, "a notebook changed files in the repository"
    assert not any(work.iterdir()), f"{notebook.name} wrote files: {sorted(p.name for p in work.iterdir())}"
    assert "missing from font" not in text, "a chart drew Chinese text without a Chinese font"
    if notebook.name.startswith("03") and (SHARED_CSL / "corpus.jsonl").is_file():
        assert SKIP_NOTE not in text and "queries_title" in text


def test_quality_notebook_skips_csl_cells_where_shared_is_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TECHMATCH_CSL", str(tmp_path / "no-shared"))
    text, _ = execute(REPO / "notebooks" / "03_match_quality.ipynb", tmp_path)
    assert text.count(SKIP_NOTE) == 4  # the first cell says so, then each of the three CSL cells
    assert "queries_title" not in text and "have a right answer first" in text
