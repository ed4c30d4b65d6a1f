import pytest

from portal.text import normalize, strip_control_characters


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("كارت", "کارت"),  # Arabic kaf vs Persian keheh
        ("ياري", "یاری"),  # Arabic yeh vs Persian yeh
        ("مي‌خواهم", "میخواهم"),  # zero-width non-joiner and yeh variant
        ("مَدْرَسَة", "مدرسه"),  # harakat and teh marbuta
        ("أسرة", "اسره"),  # alef with hamza
        ("إقامة", "اقامه"),
        ("مـــدرسة", "مدرسه"),  # tatweel
        ("Familienzusammenführung", "familienzusammenfuhrung"),
        ("DULDUNG", "duldung"),
        ("Straße", "strasse"),
        ("пам’ять", "пам'ять"),  # Ukrainian apostrophe variants
        ("памʼять", "пам'ять"),
    ],
)
def test_variants_meet(variant: str, canonical: str) -> None:
    assert normalize(variant) == normalize(canonical)


def test_ukrainian_letters_keep_their_marks() -> None:
    # й and ї are letters of their own, not и and і with an accent.
    assert normalize("Київ") != normalize("Кисв")
    assert "й" in normalize("район")
    assert "ї" in normalize("Київ")


def test_control_characters_are_removed() -> None:
    assert strip_control_characters("a\x00b\x1bc\u202ed") == "abcd"
    assert normalize("Asyl\x00verfahren") == "asylverfahren"


def test_punctuation_and_spaces_fold() -> None:
    assert normalize("  Job-Center!!  ") == "job center"
