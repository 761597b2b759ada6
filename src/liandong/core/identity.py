"""Normalizing and validating resident ID numbers and mobile numbers.

ID numbers follow GB 11643-1999: 17 digits and a MOD 11-2 check character. The check
character comes from python-stdnum; its ``validate`` is not used, because it rejects real
people whose region code is missing from its table (e.g. 330324 永嘉县, 511102 乐山市市中区,
232723 漠河县) and accepts birth dates in the future. Here only the province (first two
digits) is checked against the fixed list of provincial codes.
"""

import re
import unicodedata
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric

PROVINCE_CODES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
}
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff'\"‘’“”-]")


def normalize_text(value: object) -> str:
    """NFKC (full-width digits and letters become ASCII), trimmed, inner runs of space kept single."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    return re.sub(r"\s+", " ", text.replace("\u200b", "").replace("\ufeff", "")).strip()


def normalize_code(value: object) -> str:
    """For ID and mobile numbers: NFKC, then drop every space, dash, quote and invisible mark."""
    return _INVISIBLE.sub(
        "", unicodedata.normalize("NFKC", str(value if value is not None else ""))
    )


# Separators typed between the parts of a minority name (e.g. 阿卜杜·热合曼), all stored as
# the standard middle dot U+00B7: bullet, katakana middle dot (and its half-width form, which
# NFKC makes the full one), full-width full stop (NFKC: "."), hyphenation point, bullet and dot
# operators, and a "." between two CJK characters.
NAME_DOT = "\u00b7"
_NAME_SEPARATORS = re.compile(r"\s*[\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff65\u0387]\s*")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_FULL_STOP = re.compile(rf"(?<=[{_CJK}])\s*\.\s*(?=[{_CJK}])")


def normalize_name(raw: object) -> str:
    """A person's name as stored: NFKC and trimmed (``normalize_text``), with any common
    separator dot between its parts made the standard middle dot ·, without spaces around it."""
    name = _CJK_FULL_STOP.sub(NAME_DOT, normalize_text(raw))
    return _NAME_SEPARATORS.sub(NAME_DOT, name)


def calendar_date(year: int, month: int, day: int, *, what: str) -> date:
    """The date, or a ValidationError that shows the date and says it does not exist
    ("2023-02-29 不存在该日期"), never that it "cannot be recognized"."""
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(
            f"{what} {year:04d}-{month:02d}-{day:02d} 不存在该日期，请核对",
            code="no_such_date",
        ) from None


def id_number_birth_date(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


GENDER_LABELS = {"M": "男", "F": "女"}


def gender_mismatch(gender: str, id_number: str) -> str:
    """'' when ``gender`` (M/F) agrees with the ID number; else the reason, saying both."""
    shown = id_number_gender(id_number)
    if not gender or gender == shown:
        return ""
    return (
        f"性别填的是“{GENDER_LABELS[gender]}”，但身份证号第 17 位表明是"
        f"“{GENDER_LABELS[shown]}”，请核对"
    )


def id_number_gender(value: str) -> str:
    """``M`` or ``F`` from the sequence code (odd: male)."""
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(raw: object) -> str:
    """Return the normalized 18-character ID number or raise ValidationError (Chinese message)."""
    if isinstance(raw, float):
        raise ValidationError(
            "身份证号被 Excel 存成了数字，末尾几位已经丢失，请把该列设为文本格式后重新填写",
            code="id_number_float",
        )
    value = normalize_code(raw).upper()
    if not value:
        raise ValidationError("身份证号不能为空", code="id_number_required")
    if re.fullmatch(r"\d{15}", value):
        raise ValidationError(
            "这是 15 位的旧身份证号，已停止使用；需要 18 位，请填写现行的 18 位身份证号",
            code="id_number_old",
        )
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", value):
        raise ValidationError(
            "身份证号被 Excel 存成了科学计数法，末尾几位已经丢失，请把该列设为文本格式后重新填写",
            code="id_number_float",
        )
    if re.fullmatch(r"\d{12,24}X?", value) and len(value) != 18:  # a digit short or over
        raise ValidationError(
            f"身份证号有 {len(value)} 位，需要 18 位：17 位数字加 1 位数字或 X",
            code="id_number_format",
        )
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(
            "身份证号应为 18 位：17 位数字加 1 位数字或 X", code="id_number_format"
        )
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError("身份证号前两位不是有效的省级行政区划代码", code="id_number_region")
    try:
        birth = calendar_date(
            int(value[6:10]), int(value[10:12]), int(value[12:14]), what="身份证号中的出生日期"
        )
    except ValidationError as error:
        raise ValidationError(error.messages[0], code="id_number_birth_date") from None
    if birth > timezone.localdate():
        raise ValidationError(
            f"身份证号中的出生日期 {birth:%Y-%m-%d} 晚于今天，请核对", code="id_number_birth_date"
        )
    if birth.year < 1900:
        raise ValidationError(
            f"身份证号中的出生日期 {birth:%Y-%m-%d} 早于 1900 年，请核对",
            code="id_number_birth_date",
        )
    if ric.calc_check_digit(value) != value[17]:  # takes the full number
        raise ValidationError("身份证号校验位错误，请核对是否抄错", code="id_number_checksum")
    return value


def validate_mobile(raw: object) -> str:
    """Return the 11-digit mainland mobile number or raise ValidationError (Chinese message)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = normalize_code(raw)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    if not value:
        raise ValidationError("手机号不能为空", code="mobile_required")
    if not value.isdigit():
        raise ValidationError("手机号只能包含数字", code="mobile_format")
    try:
        parsed = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError("手机号格式不正确", code="mobile_format") from None
    kind = phonenumbers.number_type(parsed)
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError("手机号不是有效的中国大陆号码", code="mobile_invalid")
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError("这是固定电话号码，请填写 11 位手机号", code="mobile_landline")
    return str(parsed.national_number)
