import unicodedata

from confidence_vote.lib.text import clean_paragraphs, clean_text, fold, identity_key, name_sort_key


def test_clean_text_normalises_to_nfc_and_folds_spaces():
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Văn\tHùng ")
    cleaned = clean_text(decomposed)
    assert cleaned == "Nguyễn Văn Hùng"
    assert unicodedata.is_normalized("NFC", cleaned)


def test_fold_removes_diacritics_and_d_bar():
    assert fold("Đỗ Thị Hằng") == "do thi hang"
    assert fold("ĐẶNG VĂN ƯỚC") == "dang van uoc"


def test_identity_key_ignores_case_but_keeps_diacritics():
    assert identity_key("nguyễn văn hùng") == identity_key("Nguyễn Văn Hùng")
    assert identity_key("Nguyễn Văn Hùng") != identity_key("Nguyễn Văn Hưng")


def test_names_sort_by_given_name_in_vietnamese_alphabet_order():
    names = ["Nguyễn Văn Hùng", "Bùi Thị Ăn", "Lê Văn An", "Vũ Đức Đam", "Phạm Văn Dũng", "Ngô Hà"]
    assert sorted(names, key=name_sort_key) == [
        "Lê Văn An",
        "Bùi Thị Ăn",
        "Phạm Văn Dũng",
        "Vũ Đức Đam",
        "Ngô Hà",
        "Nguyễn Văn Hùng",
    ]


def test_tones_sort_after_letters():
    # Same letters: the tone decides (none, huyền, hỏi, ngã, sắc, nặng).
    names = ["Lý Hạ", "Mai Hà", "Tô Ha", "Lê Hả"]
    assert [n.split()[-1] for n in sorted(names, key=name_sort_key)] == ["Ha", "Hà", "Hả", "Hạ"]


def test_clean_text_drops_invisible_and_direction_characters():
    sneaky = "\u202eNguy\u00adễn\u200b Văn\u2060 \u2067An\u2069\u200e\u200f\ufeff\x00"
    assert clean_text(sneaky) == "Nguyễn Văn An"


def test_clean_paragraphs_keeps_line_breaks_and_cleans_each_line():
    text = "Dòng\u200b một  \r\n\r\n\r\n\r\n\u202eDòng hai\t\x07 "
    assert clean_paragraphs(text) == "Dòng một\n\nDòng hai"


def test_the_stored_name_key_sorts_as_name_sort_key():
    import itertools
    import random

    from confidence_vote.lib.text import name_order_key

    words = ["An", "Ân", "Ấn", "Anh", "A", "À", "Ả", "Đông", "Dông", "Hùng", "Hưng", "Uy", "Ưng"]
    words += ["Nguyễn", "Văn", "Thị", "Lê", "Zê", "Ngô", "Ngọc", "Ánh", "Ba", "ß", "Ωmega"]
    rng = random.Random(2023)
    names = [" ".join(rng.choices(words, k=rng.randint(1, 4))) for _ in range(400)]
    names += [" ".join(pair) for pair in itertools.product(words[:6], repeat=2)]
    assert sorted(names, key=name_order_key) == sorted(names, key=name_sort_key)
    key = name_order_key("Nguyễn Văn An")
    assert set(key) <= set("0123456789abcdef")  # the same order in any collation
