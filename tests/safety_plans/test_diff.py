from safety_plans.diff import compare
from safety_plans.models import Kind


def part(text, disagreement=""):
    return {"title": "t", "text": text, "author": "a", "contributors": ["a"], "disagreement": disagreement}


def test_changed_line_marks_only_the_changed_words():
    [section] = compare({Kind.HELPS: part("Quiet music\nTea")}, {Kind.HELPS: part("Loud music\nTea")})
    assert section.status == "changed"
    first, second = section.rows
    assert first.change == "changed"
    assert [s.text for s in first.left if s.changed] == ["Quiet"]
    assert [s.text for s in first.right if s.changed] == ["Loud"]
    assert second.change == "same"


def test_added_and_removed_parts_and_lines():
    diff = compare(
        {Kind.HELPS: part("A"), Kind.COPING: part("Walks")},
        {Kind.HELPS: part("A\nB"), Kind.FAMILY: part("Call me")},
    )
    by_title = {d.status: d for d in diff}
    assert set(by_title) == {"changed", "removed", "added"}
    assert [r.change for r in by_title["changed"].rows] == ["same", "added"]
    assert by_title["removed"].rows[0].left[0].text == "Walks"


def test_unchanged_copies_have_no_changes_and_follow_plan_order():
    content = {Kind.WHO_TO_TELL: part("Pat"), Kind.WARNING_SIGNS: part("Pacing")}
    diff = compare(content, content)
    assert [d.changed for d in diff] == [False, False]
    assert [d.rows[0].left[0].text for d in diff] == ["Pacing", "Pat"]


def test_a_new_disagreement_shows_as_a_change():
    [section] = compare(
        {Kind.CRISIS_WISHES: part("Oral first")}, {Kind.CRISIS_WISHES: part("Oral first", "No")}
    )
    assert section.status == "changed"
    assert section.rows[-1].right[0].text == "What I do not agree with: No"
