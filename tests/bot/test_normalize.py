"""The spelling the classifier and the keyword lists see."""

import pytest
from lotse_nlu.normalize import MAX_CHARS, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("مَرْحَبًا", "مرحبا"),  # diacritics
        ("مـــرحبا", "مرحبا"),  # tatweel
        ("أنا إلى آخر", "انا الی اخر"),  # alef variants, alef maksura → yeh
        ("مسؤول رئيس", "مسوول رییس"),  # hamza carriers
        ("كيف حالي", "کیف حالی"),  # Arabic kaf and yeh → Persian forms
        ("می‌خوام", "میخوام"),  # zero-width non-joiner
        ("п’ять пʼять п`ять", "п'ять п'ять п'ять"),  # Ukrainian apostrophes
        ("ＴＥＲＭＩＮ", "termin"),  # NFKC and case
        ("Ausländerbehörde STRAßE", "auslanderbehorde strasse"),  # umlauts, ß
        ("їжак Йод", "їжак йод"),  # Cyrillic letters with marks stay
        ("٠١٢ ۳۴۵", "012 345"),  # Arabic-Indic and Persian digits
        ("a\u202eb\u200fc\x00d", "abc d"),  # bidi overrides and control characters
        ("  viele   Leerzeichen \n", "viele leerzeichen"),
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_is_idempotent_and_bounded() -> None:
    text = "أهلاً وسهلاً " * 5000
    once = normalize(text)
    assert normalize(once) == once
    assert len(once) <= MAX_CHARS
