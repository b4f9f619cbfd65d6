"""The statistics table as XLSX: one row per region, one column per figure and rate (the figures are the header)."""

from __future__ import annotations

from collections.abc import Sequence

from .models import RegionFigures


def write_statistics_xlsx(rows: Sequence[RegionFigures], path: str, *, title: str) -> int:
    from xlsxwriter import Workbook  # lazily: only exports need it

    figures = sorted({f"{fam}.{name}" for r in rows for fam, figs in r.figures.items() for name in figs})
    rate_names = sorted({name for r in rows for name in r.rates})
    workbook = Workbook(path)
    try:
        sheet = workbook.add_worksheet("数据统计")
        bold = workbook.add_format({"bold": True})
        sheet.write_string(0, 0, title, bold)
        header = ["区划代码 Region", "名称 Name", "层级 Level", *figures, *rate_names]
        for col, text in enumerate(header):
            sheet.write_string(1, col, text, bold)
        for r, row in enumerate(rows, start=2):
            sheet.write_string(r, 0, row.region)
            sheet.write_string(r, 1, row.name)
            sheet.write_string(r, 2, row.level)
            for c, name in enumerate(figures, start=3):
                fam, figure = name.split(".", 1)
                sheet.write_number(r, c, row.figures.get(fam, {}).get(figure, 0))
            for c, name in enumerate(rate_names, start=3 + len(figures)):
                value = row.rates.get(name)
                if value is None:
                    sheet.write_blank(r, c, None)
                else:
                    sheet.write_number(r, c, value)
        sheet.freeze_panes(2, 3)
    finally:
        workbook.close()
    return len(rows)
