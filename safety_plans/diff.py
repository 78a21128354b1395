"""Side-by-side differences between two copies of a plan, part by part, line by line (difflib)."""

import difflib
from dataclasses import dataclass, field

from safety_plans.models import Kind


@dataclass
class Segment:
    text: str
    changed: bool = False


@dataclass
class Row:
    """One line of the comparison. `change` is "same", "changed", "added" or "removed"."""

    change: str
    left: list[Segment] = field(default_factory=list)
    right: list[Segment] = field(default_factory=list)


@dataclass
class SectionDiff:
    title: str
    status: str  # "same", "changed", "added", "removed"
    rows: list[Row] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.status != "same"


def _lines(part: dict | None) -> list[str]:
    if not part:
        return []
    lines = part.get("text", "").splitlines()
    if part.get("disagreement"):
        lines.append(f"What I do not agree with: {part['disagreement']}")
    return lines


def _words(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Mark the words that differ within a changed line."""
    a, b = old.split(" "), new.split(" ")
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(Segment(" ".join(a[i1:i2]) + " "))
            right.append(Segment(" ".join(b[j1:j2]) + " "))
            continue
        if i2 > i1:
            left.append(Segment(" ".join(a[i1:i2]), changed=True))
            left.append(Segment(" "))
        if j2 > j1:
            right.append(Segment(" ".join(b[j1:j2]), changed=True))
            right.append(Segment(" "))
    return left, right


def _rows(old: list[str], new: list[str]) -> list[Row]:
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            rows.extend(Row("same", [Segment(line)], [Segment(line)]) for line in old[i1:i2])
        elif tag == "delete":
            rows.extend(Row("removed", [Segment(line, True)], []) for line in old[i1:i2])
        elif tag == "insert":
            rows.extend(Row("added", [], [Segment(line, True)]) for line in new[j1:j2])
        else:
            left, right = old[i1:i2], new[j1:j2]
            for index in range(max(len(left), len(right))):
                if index < len(left) and index < len(right):
                    rows.append(Row("changed", *_words(left[index], right[index])))
                elif index < len(left):
                    rows.append(Row("removed", [Segment(left[index], True)], []))
                else:
                    rows.append(Row("added", [], [Segment(right[index], True)]))
    return rows


def compare(old: dict, new: dict) -> list[SectionDiff]:
    """Compare two contents (a version's or the draft's snapshot), in plan order."""
    result = []
    for kind, title in Kind.choices:
        a, b = old.get(kind), new.get(kind)
        if not a and not b:
            continue
        rows = _rows(_lines(a), _lines(b))
        if not a:
            status = "added"
        elif not b:
            status = "removed"
        else:
            status = "same" if all(row.change == "same" for row in rows) else "changed"
        result.append(SectionDiff(title=(b or a).get("title", title), status=status, rows=rows))
    return result
