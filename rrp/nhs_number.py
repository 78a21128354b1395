"""NHS number validation (modulus 11 check digit, NHS Data Dictionary)."""

from django.core.exceptions import ValidationError


def normalise_nhs_number(value: str) -> str:
    """Return the digits of an NHS number typed with spaces or hyphens."""
    return "".join(ch for ch in str(value) if ch not in " -")


def is_valid_nhs_number(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    # A remainder giving 10 means the number can never be valid.
    return check != 10 and check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError("Enter an NHS number with 10 digits, like 943 476 5919.", code="format")
    if not is_valid_nhs_number(digits):
        raise ValidationError(
            "This is not a valid NHS number. Check it has been typed correctly.", code="check_digit"
        )
