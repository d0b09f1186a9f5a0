"""Citizen ID numbers (GB 11643-1999) and phone numbers: checking and masking."""

import datetime

import pytest
from django.utils import translation

from core.personal import (
    birth_date_from_id,
    id_check_digit,
    id_number_problem,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    phone_problem,
)


@pytest.fixture(autouse=True)
def in_chinese():
    """Messages are compared in Chinese; another test's English request may have left English active."""
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize("number", [
    "11010519491231002X",  # the standard's own example: check character X
    "350102199003071234",
    "350103200002294569",  # born on a leap day
    "440304198510120337",
])
def test_valid_id_numbers_pass(number):
    assert id_number_problem(number) is None


def test_check_digit_is_computed_with_the_gb_11643_weights():
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("35010219900307123") == "4"


def test_a_wrong_check_digit_is_refused_in_chinese():
    assert id_number_problem("350102199003071235") == "公民身份号码校验位不正确（GB 11643），请逐位核对。"


def test_a_swapped_pair_of_digits_is_caught_by_the_check_digit():
    assert id_number_problem("350102199003071324") is not None


@pytest.mark.parametrize("number", ["350102199002301234", "350102199013011234", "350102190102290000"])
def test_an_impossible_birth_date_is_refused(number):
    assert "出生日期" in id_number_problem(number)


@pytest.mark.parametrize("number, length", [("35010219900307123", 17), ("3501021990030712345", 19), ("", 0)])
def test_a_wrong_length_is_refused_with_the_length_found(number, length):
    assert id_number_problem(number) == f"公民身份号码应为18位，现为{length}位，请核对。"


def test_letters_other_than_a_final_x_are_refused():
    assert "前17位应为数字" in id_number_problem("3501021990030712A4")
    assert "前17位应为数字" in id_number_problem("35010219900307123Y")


def test_a_lower_case_x_is_accepted_and_normalised_to_upper_case():
    assert id_number_problem("11010519491231002x") is None
    assert normalize_id_number(" 110105 19491231002x ") == "11010519491231002X"


def test_birth_date_is_read_from_the_number():
    assert birth_date_from_id("350103200002294569") == datetime.date(2000, 2, 29)
    assert birth_date_from_id("350102199002301234") is None
    assert birth_date_from_id("3501") is None


def test_id_numbers_are_masked_except_region_and_last_four():
    assert mask_id_number("350102199003071234") == "3501**********1234"
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("12345678") == "********"
    assert mask_id_number("") == ""


def test_mobile_phones_keep_the_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0591-87654321") == "059******4321"
    assert mask_phone("1234567") == "12*****"
    assert mask_phone("") == ""


@pytest.mark.parametrize("phone", ["13812345678", "0591-87654321", "059187654321", "010-1234567", " 138 1234 5678 "])
def test_mobiles_and_landlines_with_area_codes_are_accepted(phone):
    assert phone_problem(phone) is None


@pytest.mark.parametrize("phone", ["1381234567", "23812345678", "87654321", "0591-876", "abc"])
def test_other_phone_numbers_are_refused_in_chinese(phone):
    assert phone_problem(phone) == "联系电话应为11位手机号码或带区号的固定电话，请核对。"


@pytest.mark.parametrize("first17", ["11010520300101001", "11010520270101001", "11010518991231001"])
def test_a_birth_date_in_the_future_or_before_1900_is_refused(first17):
    number = first17 + id_check_digit(first17)
    problem = id_number_problem(number)
    assert problem is not None and "出生日期" in problem


def test_the_examples_from_the_field_are_refused():
    assert id_number_problem("11010520300101001X") is not None
    assert id_number_problem("110105202701010016") is not None


def test_someone_born_today_is_accepted(db):
    from core import clock

    first17 = f"110105{clock.today():%Y%m%d}001"
    assert id_number_problem(first17 + id_check_digit(first17)) is None
