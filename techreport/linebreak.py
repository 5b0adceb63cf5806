"""Chinese line breaking for chart text: widths in em and :func:`wrap`.

A module of its own, below both :mod:`techreport.style` (the source line wraps) and
:mod:`techreport.charts` (titles, labels), so neither imports the other to break a line.
"""

from __future__ import annotations

import re

#: Closing punctuation: never at the start of a line.
NO_LINE_START = "，、；：。）》”！？%"
#: Opening punctuation: never at the end of a line.
NO_LINE_END = "（《“‘"
#: Words a line may end after without splitting a word: a list's or clause's joints ("和", "的"; not
#: "与", which mostly joins the parts of one name: 关键装备与材料),
#: besides closing punctuation ("关键装/备与材料" breaks after the "、" before it instead).
JOINTS = "的和及或并"
#: A line broken at a good place may fall short of the width by at most this share of it;
#: beyond that it is broken where it fills, between two characters.
SLACK = 0.5
#: Units a figure keeps on its line: "1个", "30颗", never "1/个".
UNITS = "个项家颗名种条台艘例位处次"


def em(text: str) -> float:
    """Width of ``text`` in em: a Chinese character or full-width sign is 1, anything else 0.55."""
    return sum(1.0 if ord(ch) >= 0x2E80 or ch in "“”‘’…—" else 0.55 for ch in text)


def _tokens(para: str) -> list[str]:
    """Units that are never split: a run of digits or Latin letters (a figure, a file name), or one character."""
    return re.findall(rf"[0-9A-Za-z._/%³²+-]+(?<=[0-9])[{UNITS}]?|[0-9A-Za-z._/%³²+-]+|.", para)


def _good_end(line: list[str], k: int) -> bool:
    """May a line end after ``line[k]``: after closing punctuation or a joint, or before an opening mark."""
    nxt = line[k + 1] if k + 1 < len(line) else ""
    return (line[k][-1] in NO_LINE_START or line[k] in JOINTS or nxt[:1] in NO_LINE_END) and nxt[
        :1
    ] not in NO_LINE_START


def _widow(line: list[str]) -> bool:
    """A last line of one character (closing punctuation after it aside): "应用领/域", "共3/个"."""
    body = "".join(line).rstrip(NO_LINE_START)
    return len(line) >= 1 and len(body) == 1


def _break(tokens: list[str], width: float) -> list[list[str]]:
    lines, line = [], []
    for tok in tokens:
        if line and em("".join(line)) + em(tok) > width and tok[0] not in NO_LINE_START:
            carry = []
            while len(line) > 1 and line[-1] in NO_LINE_END:  # an opening mark goes with its word
                carry.insert(0, line.pop())
            good = [
                k
                for k in range(len(line) - 1)
                if _good_end(line, k) and em("".join(line[: k + 1])) >= (1 - SLACK) * width
            ]
            if good and not _good_end(line + carry + [tok], len(line) - 1):  # break at a joint, not inside a word
                carry = line[good[-1] + 1 :] + carry
                del line[good[-1] + 1 :]
            lines.append(line)
            line = carry
        line.append(tok)
    lines.append(line)
    return [ln for ln in lines if ln]


def wrap(text: str, width: float) -> str:
    """Break ``text`` into lines at most ``width`` em wide (see :func:`em`); existing breaks are kept.

    No line starts with closing punctuation nor ends with opening punctuation, a run of
    digits or Latin letters (a figure, a file name) is never split nor parted from a one-character
    unit after it ("3个"), a line ends after punctuation or a joint (:data:`JOINTS`) where one
    lies in its last :data:`SLACK` of the width, and a paragraph does not
    end in a line of one character (a widow): the line before gives it its last word.
    """
    out = []
    for para in str(text).split("\n"):
        lines = _break(_tokens(para), width)
        if len(lines) > 1 and _widow(lines[-1]):
            prev, last = lines[-2], lines[-1]
            k = len(prev) - 1  # the line before gives its last word: it may not start with a closing
            while k > 0 and (
                prev[k][0] in NO_LINE_START or prev[k - 1] in NO_LINE_END
            ):  # mark nor leave an opening one
                k -= 1
            if k > 0 and em("".join(prev[k:] + last)) <= width:
                lines[-2:] = [prev[:k], prev[k:] + last]
        out += ["".join(ln) for ln in lines] or [""]
    return "\n".join(out)
