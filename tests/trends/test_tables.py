"""The dashboard's tables write their rows in Python (trends.sections.Table.body_html) for speed;
they must be the HTML the template loop wrote, with everything escaped."""

import datetime

from django.template import Context, Template
from django.utils.safestring import mark_safe

from trends.sections import Table

# The loop trends/_table.html used before.
TEMPLATE_LOOP = Template(
    '{% for row in table.rows %}<tr class="nhsuk-table__row">{% for cell in row %}{% if forloop.first %}'
    '<th scope="row" class="nhsuk-table__header">{{ cell }}</th>{% else %}'
    '<td class="nhsuk-table__cell">{{ cell }}</td>{% endif %}{% endfor %}</tr>{% endfor %}'
)


def test_rows_are_the_template_loops_html_with_every_cell_escaped():
    table = Table(
        "Caption",
        ["Ward", "Month", "n", "rate", "note"],
        [
            ['<script>alert("x")</script>', "March 2026", "1,204", "3.5", "O'Neil & co"],
            [mark_safe("<em>Safe</em>"), datetime.date(2026, 3, 1), 7, 2.25, None],
            ["Willow", "", "0", "no data", ""],
        ],
    )
    html = table.body_html()
    assert html == TEMPLATE_LOOP.render(Context({"table": table}))
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html
    assert "O&#x27;Neil &amp; co" in html and "<em>Safe</em>" in html
    assert html.count('<th scope="row"') == 3 and html.count("<td ") == 12


def test_a_table_with_no_rows_has_an_empty_body():
    assert Table("Caption", ["Ward"], []).body_html() == ""


# What trends/_table.html wrote, included once per table before Table.html.
TABLE_TEMPLATE = Template(
    '<div class="rrp-table-scroll">\n<table class="nhsuk-table">\n'
    '  <caption class="nhsuk-table__caption nhsuk-u-font-size-19">{{ table.caption }}</caption>\n'
    '  <thead class="nhsuk-table__head"><tr>{% for column in table.columns %}<th scope="col" '
    'class="nhsuk-table__header">{{ column }}</th>{% endfor %}</tr></thead>\n'
    '  <tbody class="nhsuk-table__body">\n  {{ table.body_html }}\n  </tbody>\n</table>\n</div>\n'
)


def test_a_whole_table_is_the_templates_html_with_its_caption_and_columns_escaped():
    table = Table("Uses of force <by> month", ["Ward & team", "Count"], [["Willow", 1_204], ["Oak", 3]])
    html = table.html()
    assert html == TABLE_TEMPLATE.render(Context({"table": table}))
    assert "Uses of force &lt;by&gt; month" in html and "Ward &amp; team" in html and ">Oak<" in html
