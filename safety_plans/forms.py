from django import forms

from rrp.forms import DateInput, NHSFormMixin
from safety_plans.models import CONTACT_KINDS, HINTS, Kind, PlanShare

CONTACT_ROWS = 6
CONTACT_LABELS = {
    Kind.PEOPLE_TO_ASK: ("Name", "Who they are to me", "Phone"),
    Kind.PROFESSIONALS: ("Name or service", "Role", "Phone"),
    Kind.WHO_TO_TELL: ("Name", "Relationship", "Phone"),
}


def _text(label, help_text="", rows=6):
    # strip=False: the person's words are kept exactly as written, spaces and line breaks included.
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class SectionForm(NHSFormMixin, forms.Form):
    """One part of the plan. Fields depend on the part; the version field catches a stale save."""

    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, kind: str, show_disagreement: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Kind.POSITIVE_RISK:
            self.fields["risk_value"] = _text("Something I value doing", rows=3)
            self.fields["risk_risks"] = _text("The risks", rows=3)
            self.fields["risk_safety"] = _text("How we make it as safe as possible", rows=3)
            self.fields["risk_who"] = _text("Who does what", rows=3)
            self.fields["risk_review_date"] = forms.DateField(
                label="Review date", required=False, widget=DateInput(), help_text="For example 17 3 2027"
            )
            self.fields["text"] = _text("Anything else", rows=3)
        else:
            self.fields["text"] = _text("In my own words", HINTS.get(kind, ""))
        if kind in CONTACT_KINDS:
            name, relation, phone = CONTACT_LABELS[kind]
            for row in range(CONTACT_ROWS):
                self.fields[f"contact_{row}_name"] = forms.CharField(
                    label=name, required=False, max_length=200
                )
                self.fields[f"contact_{row}_relationship"] = forms.CharField(
                    label=relation, required=False, max_length=100
                )
                self.fields[f"contact_{row}_phone"] = forms.CharField(
                    label=phone, required=False, max_length=40
                )
        if show_disagreement:
            self.fields["disagreement"] = _text(
                "What I do not agree with",
                "If you do not agree with something in this part, say so here. It is shown beside it.",
                rows=3,
            )
        # The NHS mixin styled the fields declared on the class; these were added afterwards.
        self._style_fields()

    def _style_fields(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "nhsuk-textarea" if isinstance(widget, forms.Textarea) else "nhsuk-input"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 4)

    @classmethod
    def initial_for(cls, section, kind) -> dict:
        if section is None:
            return {"version": 0}
        initial = {
            "version": section.version,
            "text": section.text,
            "risk_value": section.risk_value,
            "risk_risks": section.risk_risks,
            "risk_safety": section.risk_safety,
            "risk_who": section.risk_who,
            "risk_review_date": section.risk_review_date,
            "disagreement": section.disagreement,
        }
        for row, contact in enumerate(section.contacts[:CONTACT_ROWS]):
            for key in ("name", "relationship", "phone"):
                initial[f"contact_{row}_{key}"] = contact.get(key, "")
        return initial

    def contact_rows(self):
        """Bound fields grouped by row, for the template."""
        if self.kind not in CONTACT_KINDS:
            return []
        return [
            (
                row + 1,
                self[f"contact_{row}_name"],
                self[f"contact_{row}_relationship"],
                self[f"contact_{row}_phone"],
            )
            for row in range(CONTACT_ROWS)
        ]

    def main_fields(self):
        return [
            self[name] for name in self.fields if not name.startswith("contact_") and name != "disagreement"
        ]

    def service_fields(self) -> dict:
        """The cleaned values in the shape services.section_save takes."""
        data = self.cleaned_data
        fields = {"text": data["text"]}
        if self.kind == Kind.POSITIVE_RISK:
            for name in ("risk_value", "risk_risks", "risk_safety", "risk_who", "risk_review_date"):
                fields[name] = data[name]
        if self.kind in CONTACT_KINDS:
            fields["contacts"] = [
                {
                    "name": data[f"contact_{row}_name"],
                    "relationship": data[f"contact_{row}_relationship"],
                    "phone": data[f"contact_{row}_phone"],
                }
                for row in range(CONTACT_ROWS)
            ]
        if "disagreement" in self.fields:
            fields["disagreement"] = data["disagreement"]
        return fields


class ReviewDateForm(NHSFormMixin, forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)
    review_by = forms.DateField(
        label="Review the plan by", required=False, widget=DateInput(), help_text="For example 17 3 2027"
    )


class ProposalDecisionForm(NHSFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="What do you want to do with this suggestion?",
        choices=[("accept", "Add it to the plan"), ("reject", "Do not add it")],
        widget=forms.RadioSelect,
    )
    section_kind = forms.ChoiceField(
        label="Which part of the plan should it go in?",
        choices=Kind.choices,
        initial=Kind.HELPS,
        required=False,
        help_text="Only used if you add it. You can change the words afterwards.",
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ShareForm(NHSFormMixin, forms.Form):
    user = forms.ModelChoiceField(label="Who", queryset=None, empty_label="Choose a person")
    role = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, choices, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = choices
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["role"].initial = role
        self.fields["user"].label = (
            "Family member or carer" if role == PlanShare.Role.CARER else "Peer support worker"
        )
