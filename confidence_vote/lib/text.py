"""Vietnamese text: normalising input, folding for search, and sorting names."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")

# The Vietnamese alphabet, with the foreign letters f, j, w, z where they fall
# in the Latin order, so that names and units sort as a Vietnamese reader expects.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
# Combining marks that make a new letter (ă â ê ô ơ ư) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tones in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _visible(value: str, *, keep: str = "") -> str:
    """Without format characters (Unicode category Cf: zero-width spaces and joiners, the
    soft hyphen, the byte order mark, left-to-right and right-to-left marks, embeddings,
    overrides and isolates), and with control characters (Cc) other than `keep` as spaces.

    No Vietnamese text needs either; both make two equal-looking names differ, and a
    right-to-left override would print a name backwards on the ballot paper."""
    return "".join(
        ""
        if unicodedata.category(ch) == "Cf"
        else " "
        if unicodedata.category(ch) == "Cc" and ch not in keep
        else ch
        for ch in value
    )


def clean_text(value: str) -> str:
    """One line of text as every name, position, unit and title is stored: NFC, without
    invisible and direction-control characters, white space collapsed and stripped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", _visible(value or ""))).strip()


def clean_paragraphs(value: str) -> str:
    """Several lines (a legal basis, a reason): as clean_text line by line, keeping the line
    breaks (at most one empty line in a row)."""
    text = unicodedata.normalize("NFC", _visible((value or "").replace("\r\n", "\n"), keep="\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def fold(value: str) -> str:
    """Lower case without diacritics ("Đỗ Thị Hằng" -> "do thi hang"), for search."""
    decomposed = unicodedata.normalize("NFD", clean_text(value).lower()).replace("đ", "d")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _word_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    letters: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _LETTER_MARKS and letters:
            # Rebuild the letter with its mark (a + breve = ă) and rank that.
            base = _ALPHABET[letters[-1]] if letters[-1] < len(_ALPHABET) else ""
            marked = unicodedata.normalize("NFC", base + ch)
            letters[-1] = _RANK.get(marked, letters[-1])
        elif ch in _TONES:
            tones.append(_TONES[ch])
        elif not unicodedata.combining(ch):
            letters.append(_RANK.get(ch, len(_ALPHABET) + ord(ch)))
    return tuple(letters), tuple(tones)


def vietnamese_sort_key(value: str) -> tuple:
    """Key for sorting strings in Vietnamese alphabetical order (tones second)."""
    words = clean_text(value).split(" ")
    return tuple(_word_key(w)[0] for w in words), tuple(_word_key(w)[1] for w in words)


def name_sort_key(full_name: str) -> tuple:
    """Key for sorting people's names the Vietnamese way: by given name, then the rest."""
    words = clean_text(full_name).split(" ")
    given, rest = words[-1], " ".join(words[:-1])
    return vietnamese_sort_key(given), vietnamese_sort_key(rest)


def identity_key(*parts: str) -> tuple[str, ...]:
    """Compare people for "listed twice": NFC, spaces folded, case ignored, diacritics kept
    (Hùng and Hưng are different names)."""
    return tuple(clean_text(part).casefold() for part in parts)


def _encoded(words: tuple[tuple[int, ...], ...]) -> str:
    # Each rank as 6 hex digits shifted by 2; "000001" ends a word and "000000" the list, so
    # that a shorter word or list sorts first, as Python compares the tuples.
    return "".join("".join(f"{rank + 2:06x}" for rank in word) + "000001" for word in words) + (
        "000000"
    )


def name_order_key(full_name: str) -> str:
    """`name_sort_key` as a string of hex digits that sorts the same way in any database
    collation: stored beside a name, so a list of thousands can be ordered by name in SQL
    and shown a page at a time."""
    (given_letters, given_tones), (rest_letters, rest_tones) = name_sort_key(full_name)
    return "".join(
        _encoded(part) for part in (given_letters, given_tones, rest_letters, rest_tones)
    )
