"""A gzip response spliced from a page's parts and a body compressed once
(dashboards/gzip_splice.py): any gzip reader reads it as prefix + body + suffix, and its
CRC-32 (which gzip.decompress checks) is the whole's."""

from __future__ import annotations

import gzip
import zlib

from hypothesis import given
from hypothesis import strategies as st

from skolkvalitet.dashboards.gzip_splice import crc32_combine, gzip_around, segment


def test_a_page_around_a_body_is_one_gzip_member_of_the_whole():
    body = segment("<table><tr><td>Ängsskolan</td><td>89,8</td></tr></table>")
    content = gzip_around(b"<main>", body, b"</main>")
    assert content[:3] == b"\x1f\x8b\x08"  # gzip, deflate
    assert gzip.decompress(content).decode() == (
        "<main><table><tr><td>Ängsskolan</td><td>89,8</td></tr></table></main>"
    )
    # The trailer: the CRC-32 and the length of the UTF-8 bytes ("Ä" is two of them).
    whole = "<main><table><tr><td>Ängsskolan</td><td>89,8</td></tr></table></main>".encode()
    assert int.from_bytes(content[-8:-4], "little") == zlib.crc32(whole)
    assert int.from_bytes(content[-4:], "little") == len(whole) == 70  # 69 characters


def test_an_empty_prefix_and_suffix_give_the_body_alone():
    assert gzip.decompress(gzip_around(b"", segment("fragment"), b"")) == b"fragment"
    assert gzip.decompress(gzip_around(b"", segment(""), b"")) == b""


def test_a_segment_keeps_its_text():
    text = "n=49 av 59 ▲ +2,0 " * 5000  # larger than deflate's 32 KiB window
    assert segment(text).text() == text


def test_the_crc_of_two_parts_combines_as_zlibs():
    # zlib.crc32 of "123456789" is CRC-32's check value, 0xCBF43926.
    assert crc32_combine(zlib.crc32(b"1234"), zlib.crc32(b"56789"), 5) == 0xCBF43926
    assert crc32_combine(zlib.crc32(b"abc"), zlib.crc32(b""), 0) == zlib.crc32(b"abc")
    assert crc32_combine(zlib.crc32(b""), zlib.crc32(b"abc"), 3) == zlib.crc32(b"abc")


@given(st.binary(max_size=3000), st.binary(max_size=3000))
def test_crc32_combine_is_the_crc_of_the_concatenation(first, second):
    combined = crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)


@given(st.text(max_size=2000), st.text(max_size=40_000), st.text(max_size=2000))
def test_any_page_decompresses_to_its_parts_in_order(prefix, body, suffix):
    content = gzip_around(prefix.encode(), segment(body), suffix.encode())
    assert gzip.decompress(content) == (prefix + body + suffix).encode()
