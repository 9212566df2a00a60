"""The report's charts as PNG images (matplotlib): they work in email clients and in the PDF."""

from __future__ import annotations

import io

import textwrap

import matplotlib

matplotlib.use("Agg")  # no display: images only
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

STYLE = {"figure.dpi": 110, "font.size": 10, "axes.titlesize": 12, "axes.titleweight": "bold",
         "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3}


UNITS = {
    "index_feb2020_100": "index, 1 Feb 2020 = 100",
    "index_dec2000_100": "index, Dec 2000 = 100",
    "thousands": "thousands of people",
}


def unit_label(unit: str) -> str:
    return UNITS.get(unit, unit.replace("_", " "))


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _banner(fig, synthetic: bool) -> None:
    if synthetic:
        fig.text(0.99, 0.01, "SYNTHETIC DATA", ha="right", va="bottom", color="#b00020", fontsize=9,
                 fontweight="bold")


def basket_chart(basket: pd.DataFrame, synthetic: bool) -> bytes:
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 3.6))
        months = pd.to_datetime(basket["month"])
        ax.plot(months, basket["price_to_sales"], color="#1f4e79", lw=2, label="cap-weighted")
        ax.plot(months, basket["price_to_sales_equal_weight"], color="#8fb3d9", lw=1.5, label="equal-weighted")
        ax.set_title("AI basket: market cap over trailing revenue filed")
        ax.set_ylabel("price-to-sales (times TTM revenue)")
        ax.set_xlabel("month")
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.legend(loc="upper left", frameon=False)
        _banner(fig, synthetic)
        return _png(fig)


SHADED = ("price_to_sales", "ps_zscore")  # the panels of the series whose episodes are shaded (its level and z-score)


def divergence_chart(frame: pd.DataFrame, episodes: pd.DataFrame, synthetic: bool,
                     columns: dict[str, str], source: str = "") -> bytes:
    """Each divergence measure in its own panel over time; the bubble episodes of the plotted (cap-weighted)
    price-to-sales shaded in its panel and its z-score's only, and a source line under the chart."""
    present = [(c, label) for c, label in columns.items() if c in frame.columns and frame[c].notna().any()]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(present) or 1, 1, figsize=(8, 2.3 * max(1, len(present))), sharex=True,
                                 squeeze=False)
        months = pd.to_datetime(frame["month"])
        for ax, (column, label) in zip(axes[:, 0], present):
            ax.plot(months, frame[column], color="#1f4e79", lw=1.8)
            ax.set_ylabel(label)
            if column in SHADED:
                for _, e in episodes.iterrows():
                    ax.axvspan(pd.Timestamp(e["start"]), pd.Timestamp(e["end"]), color="#d62728", alpha=0.15, lw=0)
        axes[0, 0].set_title("Divergence between AI valuations and realized revenue"
                             + (" (shaded: the basket's bubble episodes)" if len(episodes) else
                                " (no bubble episode dated in the basket's price-to-sales)"))
        axes[-1, 0].set_xlabel("month")
        axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        if source:
            fig.text(0.01, 0.002, textwrap.fill(source, 150), fontsize=6.5, color="#555555", ha="left", va="bottom")
            fig.subplots_adjust(bottom=0.05 + 0.012 * source.count(";"))
        _banner(fig, synthetic)
        return _png(fig)


def talent_chart(targets: pd.DataFrame, synthetic: bool, source: str = "") -> bytes:
    """Each talent target in its own panel, in its own unit and over its own time range, with the Mar–May seasons
    shaded and a source line under the chart."""
    series = list(dict.fromkeys(targets["series_id"]))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(series), 1, figsize=(8, 2.2 * len(series)), sharex=False, squeeze=False)
        for ax, sid in zip(axes[:, 0], series):
            part = targets[targets["series_id"] == sid]
            months = pd.to_datetime(part["month"])
            ax.plot(months, part["value"], color="#2e7d32", lw=1.8)
            name = part["name"].iloc[0]
            ax.set_title(name if len(name) < 80 else name[:77] + "...", fontsize=10, loc="left")
            ax.set_ylabel(unit_label(str(part["unit"].iloc[0])), fontsize=8)
            for year in sorted({m.year for m in months}):
                ax.axvspan(pd.Timestamp(year, 3, 1), pd.Timestamp(year, 5, 31), color="#999999", alpha=0.12, lw=0)
            ax.set_xlim(months.min(), months.max())
            locator = mdates.AutoDateLocator()
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes[-1, 0].set_xlabel("month (shaded: March–May, when the results land; each panel over its own data)")
        fig.suptitle("Talent-market targets", fontweight="bold", y=1.0)
        fig.tight_layout()
        _source(fig, source)
        _banner(fig, synthetic)
        return _png(fig)


def fan_chart(fan: pd.DataFrame, history: pd.DataFrame, synthetic: bool, source: str = "") -> bytes:
    """Forecast paths: mean with 80% and 95% bands, one panel per target by its plain name. The September-November
    base window and the March-May season are shaded; where the base window is itself forecast (its months not yet
    observed), it is hatched. One legend for the figure, clear of the lines."""
    series = list(dict.fromkeys(fan["target_series"]))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(series), 1, figsize=(8, 2.5 * len(series)), squeeze=False, sharex=True)
        for ax, sid in zip(axes[:, 0], series):
            part = fan[fan["target_series"] == sid]
            months = pd.to_datetime(part["target_month"])
            past = history[history["series_id"] == sid].tail(36)
            observed_to = pd.to_datetime(past["month"]).max() if len(past) else None
            ax.plot(pd.to_datetime(past["month"]), past["value"], color="#444444", lw=1.5, label="observed")
            ax.fill_between(months, part["lo95"], part["hi95"], color="#1f77b4", alpha=0.15, label="95% interval")
            ax.fill_between(months, part["lo80"], part["hi80"], color="#1f77b4", alpha=0.3, label="80% interval")
            ax.plot(months, part["mean"], color="#1f77b4", lw=2, label="mean forecast")
            last = months.max()
            season_year = last.year if last.month >= 5 else last.year - 1
            base = (pd.Timestamp(season_year - 1, 9, 1), pd.Timestamp(season_year - 1, 11, 30))
            ax.axvspan(*base, color="#f0c36d", alpha=0.25, lw=0, label="Sep–Nov base window")
            if observed_to is not None and observed_to < base[1]:
                ax.axvspan(max(base[0], observed_to), base[1], facecolor="none", edgecolor="#a66b00",
                           hatch="///", lw=0, label="base window still forecast")
            ax.axvspan(pd.Timestamp(season_year, 3, 1), pd.Timestamp(season_year, 5, 31), color="#999999",
                       alpha=0.15, lw=0, label="Mar–May season")
            name = past["name"].iloc[0] if len(past) and "name" in past.columns else sid
            ax.set_title(name if len(name) < 90 else name[:87] + "...", fontsize=10, loc="left")
            ax.set_ylabel(unit_label(str(past["unit"].iloc[0])) if len(past) else "value", fontsize=8)
        handles: dict = {}
        for ax in axes[:, 0]:
            for h, label in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(label, h)
        locator = mdates.AutoDateLocator()
        axes[-1, 0].xaxis.set_major_locator(locator)
        axes[-1, 0].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes[-1, 0].set_xlabel("month")
        fig.suptitle("Forecast paths of each target's headline model", fontweight="bold", y=1.0)
        fig.tight_layout(rect=(0, 0.03, 1, 0.97))
        fig.legend(list(handles.values()), list(handles), loc="upper center", ncols=4, frameon=False, fontsize=7.5,
                   bbox_to_anchor=(0.5, 0.985))
        _source(fig, source)
        _banner(fig, synthetic)
        return _png(fig)


def _source(fig, source: str) -> None:
    """A source line at the foot of a figure (the figure leaves room for it)."""
    if source:
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, 0.06))
        fig.text(0.01, 0.003, textwrap.fill(source, 150), fontsize=6.5, color="#555555", ha="left", va="bottom")


def thesis_chart(cycles: pd.DataFrame, response: pd.DataFrame, synthetic: bool) -> bytes:
    """Two panels: the long basket's gap (z-score of log P/S, dated bubble months shaded) and USINFO's 12-month
    growth over 1995-2026, the two cycles side by side; and USINFO's response to a one-sd wider gap, h = 1-24."""
    with plt.rc_context(STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.4), gridspec_kw={"height_ratios": [3, 2]})
        months = pd.to_datetime(cycles["month"])
        inside = cycles["in_bubble_episode"].fillna(False).astype(bool).to_numpy()
        for m, flag in zip(months, inside):
            if flag:
                top.axvspan(m, m + pd.offsets.MonthBegin(1), color="#f4c7c3", lw=0)
        top.plot(months, cycles["ps_zscore"], color="#1f4e79", lw=2, label="tech basket gap (z-score of log P/S)")
        top.set_ylabel("gap, sd")
        twin = top.twinx()
        twin.plot(months, cycles["usinfo_growth_12m"], color="#c55a11", lw=1.5,
                  label="USINFO employment, 12-month change")
        twin.set_ylabel("USINFO, % over 12 months")
        twin.spines["right"].set_visible(True)
        twin.grid(False)
        top.set_title("Two tech cycles: the valuation gap and information-sector jobs")
        top.xaxis.set_major_locator(mdates.YearLocator(5))
        top.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        lines = top.get_lines() + twin.get_lines()
        top.legend(lines, [x.get_label() for x in lines], loc="lower left", frameon=False, fontsize=8)
        if not response.empty:
            h = response["horizon"].astype(int)
            bottom.fill_between(h, response["lo"], response["hi"], color="#c6d9ec", label="90% band (HAC)")
            bottom.plot(h, response["estimate"], color="#1f4e79", lw=2, label="estimate")
            bottom.axhline(0, color="#444444", lw=0.8)
            bottom.set_xlim(1, int(h.max()))
            bottom.legend(loc="upper left", frameon=False, fontsize=8)
        else:
            bottom.text(0.5, 0.5, "no local projection for USINFO", ha="center", va="center",
                        transform=bottom.transAxes)
        bottom.set_title("USINFO after a one-sd wider gap (local projection)", fontsize=10)
        bottom.set_xlabel("months after the gap is measured")
        bottom.set_ylabel("cumulative change, %")
        fig.text(0.01, 0.005, "Sources: Yahoo Finance prices, company filings (revenue as filed), BLS (USINFO).",
                 fontsize=7, color="#666666")
        fig.tight_layout()
        _banner(fig, synthetic)
        return _png(fig)


def capital_progress_chart(frame: pd.DataFrame, synthetic: bool, source: str = "") -> bytes:
    """Capital against technical progress: the AI basket's log market cap and the progress index, each in standard
    deviations of its own history (top), and the gap between them with its real-time z-score (bottom). Months where
    the index is carried forward past its last release are marked; so are PSY episodes of the gap, if any."""
    with plt.rc_context(STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 4.8), sharex=True, height_ratios=(3, 2))
        months = pd.to_datetime(frame["month"])
        top.plot(months, frame["capital_z"], color="#1f4e79", lw=2, label="AI basket market cap (log)")
        top.plot(months, frame["progress_z"], color="#2e7d32", lw=2, label="frontier-progress index")
        top.set_ylabel("sd of own history")
        top.set_title("Capital against technical progress")
        top.legend(loc="upper left", frameon=False, fontsize=8)
        bottom.axhline(0, color="#999999", lw=0.8)
        bottom.plot(months, frame["gap"], color="#6a1b9a", lw=1.8, label="gap (capital - progress)")
        bottom.plot(months, frame["gap_zscore_realtime"], color="#6a1b9a", lw=1, ls="--",
                    label="gap z-score, real time")
        bottom.set_ylabel("sd")
        bottom.legend(loc="lower left", frameon=False, fontsize=8, ncols=2)
        carried = frame["progress_age_months"].fillna(0).astype(int) > 0
        for ax in (top, bottom):
            if carried.any():
                ax.axvspan(months[carried].min(), months[carried].max(), color="#999999", alpha=0.15, lw=0)
            for m in months[frame["bubble_exuberant"].fillna(False).astype(bool)]:
                ax.axvspan(m, m + pd.offsets.MonthEnd(0), color="#d62728", alpha=0.2, lw=0)
        label = "month"
        if carried.any():
            start = months[carried].min() - pd.DateOffset(months=1)
            label += f" (grey: progress index carried forward from {start:%Y-%m})"
        bottom.set_xlabel(label)
        bottom.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        if source:
            fig.text(0.01, -0.02, source, ha="left", va="top", fontsize=7, color="#555555", wrap=True)
        _banner(fig, synthetic)
        return _png(fig)
