#!/usr/bin/env python3
"""Regenerates the CJK font bundled into hallq-ticket, and the two test fonts.

Source: "Noto Sans CJK SC" Regular, face 2 of NotoSansCJK-Regular.ttc from the
Debian package `fonts-noto-cjk` (SIL Open Font License 1.1, see OFL.txt here).
Get it with `apt-get install fonts-noto-cjk`, or without installing it:
`apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb src/` and pass
src/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc.

Needs fonttools (`pip install fonttools`). Run from anywhere:

    python3 ticket-print/fonts/subset.py [PATH/TO/NotoSansCJK-Regular.ttc]

Writes, next to this script:
- NotoSansCJKsc-Regular-ticket.otf: the GB 2312 character set (all 7445
  characters, decoded with Python's gb2312 codec, plus the code points GBK
  and GB 18030 decoders give for the same bytes), ASCII, Latin-1, common CJK
  and full-width punctuation, and every character of config/examples/*.toml;
  without hinting, layout features or vertical metrics (the ticket renderer
  uses none of them).
- test-sc.otf and test-han.otf, for the fallback tests: "system fonts" with
  the characters of RARE, which are outside GB 2312 and the bundle. test-sc
  also has 中 and the simplified probe of ticket-print/src/system.rs, so it
  counts as a Simplified Chinese font; test-han has only 中 besides RARE, so
  it counts as a Han font of another locale.

The output is the same byte for byte for a given source font, character list
and fonttools version (made with fonttools 4.68, source fonts-noto-cjk
1:20220127+repack1-1, Noto Sans CJK 2.004).
"""

import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE_SC = 2  # 0 JP, 1 KR, 2 SC, 3 TC, 4 HK in the Debian collection
OUTPUT = HERE / "NotoSansCJKsc-Regular-ticket.otf"
TEST_SC = HERE / "test-sc.otf"
TEST_HAN = HERE / "test-han.otf"
SIMPLIFIED_PROBE = "们这说门车东"  # as in ticket-print/src/system.rs
# Characters used in Chinese names but outside GB 2312 (堃 kūn, 喆 zhé).
RARE = "堃喆"


def gb2312() -> set:
    """Every character of GB 2312 (rows 0xA1..0xF7, cells 0xA1..0xFE), as
    the gb2312 codec decodes them, and what GBK and GB 18030 decoders give
    for the same bytes (a few code points differ, and they fill some empty
    cells)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            for codec in ("gb2312", "gbk", "gb18030"):
                try:
                    chars.add(bytes([hi, lo]).decode(codec))
                except UnicodeDecodeError:
                    pass
    return chars


def ranges(*spans) -> set:
    return {chr(c) for lo, hi in spans for c in range(lo, hi + 1)}


def wanted() -> set:
    chars = gb2312()
    chars |= ranges(
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1 (names like Zoë, °, ×, ÷)
        (0x2010, 0x2027),  # dashes, quotes, ellipsis, bullet
        (0x2030, 0x203B),  # per mille, primes, ‹ ›, ※
        (0x3000, 0x301F),  # CJK punctuation: 、。〈〉《》「」『』【】〔〕〖〗〜
        (0xFE10, 0xFE19),  # vertical punctuation (GB 18030 fills A6D9..A6DF)
        (0xFE30, 0xFE4F),  # CJK compatibility forms
        (0xFF01, 0xFF5E),  # full-width ASCII
        (0xFF5F, 0xFF65),  # full-width brackets, halfwidth 。「」、・
        (0xFFE0, 0xFFE6),  # full-width ¢ £ ¬ ￣ ¦ ¥ ₩
    )
    chars |= set("€№℃℉※")
    for path in sorted((REPO / "config" / "examples").glob("*.toml")):
        chars |= set(path.read_text(encoding="utf-8"))
    return {c for c in chars if (c.isprintable() and not c.isspace()) or c == " "}


def write(source: str, text: str, output: pathlib.Path) -> None:
    options = subset.Options()
    options.font_number = FACE_SC
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 13, 14]
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = subset.load_font(source, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    subset.save_font(font, str(output), options)
    font.close()


def main() -> None:
    source = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SOURCE
    chars = wanted()
    write(source, "".join(sorted(chars)), OUTPUT)
    rare = set(RARE) - chars
    assert rare == set(RARE), f"{RARE} must be outside the bundled set"
    write(source, "中" + SIMPLIFIED_PROBE + RARE, TEST_SC)
    write(source, "中" + RARE, TEST_HAN)
    covered = set(map(chr, TTFont(str(OUTPUT))["cmap"].getBestCmap()))
    missing = sorted(chars - covered)
    print(f"{OUTPUT.name}: {len(covered)} characters, {OUTPUT.stat().st_size} bytes")
    for test in (TEST_SC, TEST_HAN):
        print(f"{test.name}: {test.stat().st_size} bytes")
    if missing:
        print("skipped, not in the source font:", "".join(missing))


if __name__ == "__main__":
    main()
