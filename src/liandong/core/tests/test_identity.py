import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from liandong.core.identity import validate_id_number, validate_mobile

# Real region codes that python-stdnum's table lacks; rejecting them would reject real people.
REAL_REGIONS_MISSING_FROM_TABLES = ["330324", "511102", "232723"]


def with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.mark.parametrize("region", REAL_REGIONS_MISSING_FROM_TABLES)
def test_real_region_codes_are_accepted(region: str) -> None:
    number = with_check(f"{region}19800101123")
    assert validate_id_number(number) == number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", "11010519491231002X"),
        (" １１０１０５１９４９１２３１００２Ｘ ", "11010519491231002X"),
        ("110105\u200b19491231002X", "11010519491231002X"),
    ],
)
def test_id_number_normalization(raw: str, expected: str) -> None:
    assert validate_id_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("110105491231002", "id_number_old"),
        ("110105194912310021", "id_number_checksum"),
        (with_check("62010219900230123"), "id_number_birth_date"),
        (with_check("62010230000101123"), "id_number_birth_date"),
        (with_check("99010219900101123"), "id_number_region"),
        (1.10105194912310e17, "id_number_float"),
        ("1.10105E+17", "id_number_float"),
        ("", "id_number_required"),
        ("abc", "id_number_format"),
    ],
)
def test_id_number_rejections(raw: object, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_id_number(raw)
    assert info.value.code == code


@given(
    st.from_regex(
        r"(11|33|44|62)0102(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
        fullmatch=True,
    )
)
def test_any_body_with_its_check_digit_validates_and_one_changed_digit_does_not(body: str) -> None:
    number = with_check(body)
    assert validate_id_number(number) == number
    position = 16  # the sequence digit: changing it must break the checksum
    altered = number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(altered)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 139-1931-0001", "13919310001"),
        ("１９９１２３４５６７８", "19912345678"),
        (13812345678.0, "13812345678"),
        ("16612345678", "16612345678"),
    ],
)
def test_mobile_normalization(raw: object, expected: str) -> None:
    assert validate_mobile(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("09318123456", "mobile_landline"),
        ("1381234567", "mobile_invalid"),
        ("10012345678", "mobile_invalid"),
        ("", "mobile_required"),
        ("138abc", "mobile_format"),
    ],
)
def test_mobile_rejections(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_mobile(raw)
    assert info.value.code == code
