"""Where the bundled sample data lives (the repository's ``sample_data/`` folder)."""

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
