"""The analysts' dashboard over analytics.duckdb: `gapcast dashboard` serves it with Streamlit."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboards import ui
from dashboards.published import Published, file_stamp
from warehouse.db import WarehouseError

# How often an open page looks for a new publish (a stat of the file, nothing more).
PUBLISH_CHECK_SECONDS = 30

PAGES = [
    ("views/overview.py", "Overview", ":material/dashboard:"),
    ("views/divergence.py", "Divergence", ":material/show_chart:"),
    ("views/talent.py", "Talent market", ":material/work:"),
    ("views/thesis.py", "Thesis", ":material/science:"),
    ("views/progress.py", "Progress", ":material/rocket_launch:"),
    ("views/backtest.py", "Backtest", ":material/fact_check:"),
    ("views/data.py", "Data", ":material/table_view:"),
    ("views/sql.py", "SQL", ":material/terminal:"),
]


@st.fragment(run_every=PUBLISH_CHECK_SECONDS)
def watch_for_publish(path: str, rendered: tuple[int, int, int] | None) -> None:
    """Rerun the page when a new analytics.duckdb has been renamed into place since it was drawn."""
    now = file_stamp(Path(path))
    if (now.key if now else None) != rendered:
        st.rerun(scope="app")


def header(published: Published) -> bool:
    """The banner and where the data comes from; False when there is nothing to show yet."""
    watch_for_publish(str(published.path), published.stamp.key if published.stamp else None)
    if not published.exists:
        st.info(f"Nothing published yet: {published.path} does not exist. Build it with "
                f"`gapcast run --home {published.settings.home}`; this page picks it up within "
                f"{PUBLISH_CHECK_SECONDS} s, no restart needed.", icon=":material/hourglass_empty:")
        return False
    if published.synthetic():
        ui.synthetic_banner()
    published_at = pd.Timestamp(published.stamp.mtime_ns, unit="ns")
    st.caption(f"Reading {published.path} (read-only), published {published_at:%Y-%m-%d %H:%M} UTC. "
               f"A new publish shows on the next click or within {PUBLISH_CHECK_SECONDS} s.")
    return True


def main() -> None:
    st.set_page_config(page_title="gapcast", page_icon=":material/insights:", layout="wide")
    pages = [st.Page(path, title=title, icon=icon, default=(i == 0)) for i, (path, title, icon) in enumerate(PAGES)]
    page = st.navigation(pages, position="top")
    published = Published.from_environment()
    with published.render():
        try:
            if header(published):
                page.run()
        except (WarehouseError, duckdb.Error) as exc:
            st.error(f"Could not read {published.path}: {str(exc).splitlines()[0]}", icon=":material/error:")


main()
