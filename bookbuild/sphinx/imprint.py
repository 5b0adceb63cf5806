"""The imprint (版本说明) of both editions: the book's version and build date.

index.md writes the source report and the licences in its own words and leaves two marks,
``{{版本}}`` and ``{{生成日期}}``, which are filled in here when the page is read; the front page is
read on every build (``env-get-outdated``), so the site and the PDF always name the build they
come from. The PDF's title page carries the same date, written as Chinese books write it
(2026年12月3日, not Sphinx's "2026 年 12 月 03 日").

* version: ``git describe --tags --always --dirty`` of the source tree, or 未知 outside a git
  clone (the tests build a copy without .git);
* date: ``SOURCE_DATE_EPOCH`` when set (a reproducible build), otherwise today (UTC).
"""

from __future__ import annotations

import datetime
import os
import subprocess

VERSION_MARK = "{{版本}}"
DATE_MARK = "{{生成日期}}"


def book_version(srcdir) -> str:
    try:
        found = subprocess.run(
            ["git", "describe", "--tags", "--always", "--dirty"],
            cwd=srcdir,
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return "未知"
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else "未知"


def build_date(now: datetime.datetime | None = None) -> datetime.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return (now or datetime.datetime.now(datetime.UTC)).date()


def chinese_date(day: datetime.date) -> str:
    """2026年12月3日: no spaces, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def _fill(app, docname, source):
    if docname == app.config.root_doc:
        source[0] = (
            source[0].replace(VERSION_MARK, book_version(app.srcdir)).replace(DATE_MARK, chinese_date(build_date()))
        )


def _always_read_front_page(app, env, added, changed, removed):
    return [env.config.root_doc] if env.config.root_doc in env.found_docs else []


def _title_page_date(app):
    if app.builder.format == "latex":
        # the title page's \date: the LaTeX builder has set its context (from today_fmt) by now
        app.builder.context["date"] = chinese_date(build_date())


def setup(app) -> None:
    app.connect("source-read", _fill)
    app.connect("env-get-outdated", _always_read_front_page)
    app.connect("builder-inited", _title_page_date)
