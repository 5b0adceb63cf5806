"""Files the web edition offers for download, made at build time from what the book already has.

* :func:`png` - a PNG of a chart, rasterised from its wide SVG by resvg (the ``resvg-py`` wheel,
  no system library). The SVGs keep their Chinese text as text (``svg.fonttype: none``), so the
  rasteriser is given the house font, Noto Sans CJK from the ``noto-cjk-sans-otc`` wheel
  (``techreport.style.font_path``), and no system font: the PNG looks the same on any machine.
* :func:`table_csv` - a table of the book as a CSV of the rows and columns it shows.
* :func:`data_package` - ``data.zip`` at the site's root: ``datapackage.json`` and every table.
* :func:`runnable_notebook` - one zip per notebook page: the notebook, the helper package
  ``techreport/``, the data files it reads with ``datapackage.json``, the report's text, the
  lock and a README in Chinese; it runs in a fresh folder and venv (tests/test_reader.py).

Every file is byte-stable (zips with fixed dates, PNGs rendered deterministically) and written
only when its bytes change, so an unchanged book rewrites nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: PNGs are drawn at twice the SVG's CSS size: sharp on a phone or a 2x screen, and in a slide.
PNG_SCALE = 2
#: The data package: the URL ``data.zip`` at the site's root (index.md links it).
DATA_ZIP = "data.zip"
#: A zip's entries carry this date (the zip format has no "no date"): the same bytes on every build.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
LOCK = "requirements.txt"


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly that; True when written."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of PNG bytes (from its IHDR chunk)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def render_png(svg: Path, scale: int = PNG_SCALE) -> bytes:
    """The SVG file drawn as a PNG at ``scale`` times its CSS size, on white, in the house font."""
    import resvg_py

    from techreport.style import font_path

    # resvg sizes an SVG given in pt through its dpi (0, the default, is refused): 96 dpi is 1 CSS px.
    return bytes(
        resvg_py.svg_to_bytes(
            svg_path=str(svg),
            dpi=96.0 * scale,
            background="white",
            skip_system_fonts=True,
            font_files=[str(font_path())],
        )
    )


def png(svg: Path, images: Path) -> tuple[str, tuple[int, int]]:
    """``images``/<svg stem>.png made from ``svg`` (once per SVG content): (file name, size in px).

    The name holds a hash of the SVG, so a changed chart gets a new PNG and an old one is not
    redrawn: rendering costs about a second a chart, most of it loading the CJK font.
    """
    digest = hashlib.sha256(svg.read_bytes()).hexdigest()[:16]
    target = images / f"{digest}.png"
    if not target.is_file():
        data = render_png(svg)
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(".part")
        part.write_bytes(data)
        part.replace(target)
    with target.open("rb") as fh:
        return target.name, png_size(fh.read(24))


def table_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """A shown table as CSV (UTF-8 with a byte-order mark, so Excel and WPS open it as UTF-8)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


#: Zips already made in this process, by a digest of their files: the preview builds again and
#: again, and deflating every runnable notebook's zip at each build cost about 0.2 s.
_ZIPS: dict[str, bytes] = {}


def _zip(files: dict[str, bytes]) -> bytes:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(b"%d:%s\0%d:" % (len(name.encode()), name.encode(), len(files[name])))
        digest.update(files[name])
    key = digest.hexdigest()
    if key not in _ZIPS:
        if len(_ZIPS) > 64:  # old versions of edited files
            _ZIPS.clear()
        _ZIPS[key] = _deflate(files)
    return _ZIPS[key]


def _deflate(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def _data_files(data_dir: Path) -> dict[str, bytes]:
    """datapackage.json and every file it names (the CSVs, the district shapes)."""
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    names = ["datapackage.json", *(r["path"] for r in package["resources"])]
    return {f"data/{name}": (data_dir / name).read_bytes() for name in names}


def data_package(root: Path = ROOT) -> bytes:
    """The data package as one zip: ``data/datapackage.json``, the tables, and the report's text."""
    files = _data_files(root / "data")
    files.update(_source_files(root / "data"))
    return _zip(files)


def _source_files(data_dir: Path) -> dict[str, bytes]:
    return {f"data/source/{p.name}": p.read_bytes() for p in sorted((data_dir / "source").iterdir()) if p.is_file()}


def _package_files(root: Path) -> dict[str, bytes]:
    """The helper package ``techreport/`` as a notebook imports it (sources only)."""
    package = root / "techreport"
    return {
        f"techreport/{p.relative_to(package).as_posix()}": p.read_bytes()
        for p in sorted(package.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def reader_lock(root: Path = ROOT) -> bytes:
    """The lock without the book's own editable install (``-e .``): the zip holds ``techreport/``
    beside the notebook, where Python finds it, and not the build packages ``-e .`` would need."""
    lines = (root / LOCK).read_text(encoding="utf-8").splitlines(keepends=True)
    kept, skip_via = [], False
    for line in lines:
        if line.strip() == "-e .":
            skip_via = True  # and its "# via" comment lines
            continue
        if skip_via and line.startswith("    #"):
            continue
        skip_via = False
        kept.append(line)
    return "".join(kept).encode("utf-8")


README = """# 可运行的笔记本：{title}

这是《{book}》中“{title}”一页的可运行版本：笔记本 `{notebook}`、它导入的辅助包 `techreport/`、
它读取的数据（`data/` 中的 CSV 与 `datapackage.json`）、报告原文（`data/source/`），以及锁定全部依赖版本的
`requirements.txt`。

## 运行方法

需要 Python 3.11。在解压后的文件夹中打开终端：

```sh
python3.11 -m venv .venv
.venv/bin/pip install -r requirements.txt      # Windows：.venv\\Scripts\\pip install -r requirements.txt
.venv/bin/jupyter lab {notebook}               # Windows：.venv\\Scripts\\jupyter lab {notebook}
```

在 JupyterLab 中选择“运行 → 运行全部单元格”。笔记本不联网，也不用随机数，每次运行结果相同。
图中的中文使用 `noto-cjk-sans-otc` 包自带的思源黑体（Noto Sans CJK），无需另装字体。

改动 `data/` 中的数字后重新运行，表、图和正文中的数字随之改变；读取数据时会按
`datapackage.json` 校验，数据有误时会指出文件、行、列和应有的写法。

## 许可

代码（`techreport/` 与笔记本中的代码）：MIT 许可。数据与本书撰写的文字：CC BY 4.0。
书中的事实与数字出自《2020上海科技进步报告》第2章（上海市科学技术委员会），引用时请注明。
"""


def runnable_notebook(
    notebook: Path, title: str, book: str, reads: list[str] | None = None, root: Path = ROOT
) -> bytes:
    """A zip that runs ``notebook`` anywhere with Python 3.11 (see README above).

    ``reads``: the files the notebook read at its last execution, relative to ``data/`` (the
    build records them). Without a
    record, every data file goes in. ``datapackage.json`` and the report's text always do.
    """
    data_dir = root / "data"
    files: dict[str, bytes] = {notebook.name: notebook.read_bytes()}
    files.update(_package_files(root))
    files["data/datapackage.json"] = (data_dir / "datapackage.json").read_bytes()
    files.update(_source_files(data_dir))
    if reads is None:
        files.update(_data_files(data_dir))
    else:
        for read in _with_referenced(data_dir, reads):
            path = (data_dir / read).resolve()
            if path.is_file() and path.is_relative_to(root.resolve()):
                files[path.relative_to(root.resolve()).as_posix()] = path.read_bytes()
    files[LOCK] = reader_lock(root)
    files["README.md"] = README.format(title=title, book=book, notebook=notebook.name).encode("utf-8")
    return _zip(files)


def _with_referenced(data_dir: Path, reads: list[str]) -> list[str]:
    """``reads`` and the tables their foreign keys point to, and theirs: loading a table checks
    its foreign keys against the tables they name, which the build's record does not list."""
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    by_path = {r["path"]: r for r in package["resources"]}
    by_name = {r["name"]: r for r in package["resources"]}
    found, todo = list(dict.fromkeys(reads)), list(reads)
    while todo:
        resource = by_path.get(todo.pop())
        for fk in (resource or {}).get("schema", {}).get("foreignKeys", []):
            target = by_name.get(fk["reference"].get("resource") or resource["name"])
            if target and target["path"] not in found:
                found.append(target["path"])
                todo.append(target["path"])
    return found


def recorded_reads(root: Path = ROOT) -> dict[str, list[str]]:
    """``{notebook path: files it read}`` from the build's record (``_build/state.json``), if any."""
    try:
        state = json.loads((root / "_build" / "state.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}

    def file(read) -> str:  # a whole file, or some of its rows ({"file": ..., "where": ...}): the file goes in
        return read if isinstance(read, str) else read["file"]

    return {
        nb: list(dict.fromkeys(map(file, entry["reads"])))
        for nb, entry in state.get("notebooks", {}).items()
        if "reads" in entry
    }
