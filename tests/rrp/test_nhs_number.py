import pytest
from django.core.exceptions import ValidationError

from rrp.nhs_number import is_valid_nhs_number, validate_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919"])
def test_valid_numbers_pass(number):
    assert is_valid_nhs_number(number)
    validate_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "1234567890", "0000000001"])
def test_wrong_check_digit_is_refused_with_a_clear_message(number):
    with pytest.raises(ValidationError, match="not a valid NHS number"):
        validate_nhs_number(number)


@pytest.mark.parametrize("number", ["943476591", "94347659199", "94347659AB", ""])
def test_wrong_length_or_letters_ask_for_ten_digits(number):
    with pytest.raises(ValidationError, match="10 digits"):
        validate_nhs_number(number)
