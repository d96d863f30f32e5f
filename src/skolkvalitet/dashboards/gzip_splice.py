"""A gzip response made of a page's own small parts and a body compressed once.

The page cache keeps each result page's body (docs/results-pages.md "Page cache"); the page
around it (the user's name, the navigation, the CSRF token) is rendered for each request. A
large organiser's overview is about 2 MB of HTML, and compressing it for every request costs
more CPU than the rest of the request together. So the body is also kept as a raw deflate
segment, compressed once per data version, and each response is spliced together as one gzip
member (RFC 1952):

    header | deflate(prefix), sync flush | the body's segment, sync flush | deflate(suffix), end
           | CRC-32 of prefix + body + suffix | their length

A deflate stream may be cut into segments that each end on a byte boundary (a sync flush: an
empty stored block) and are compressed by their own compressor: back-references never cross
into another segment, so the decoder reads them as one stream (RFC 1951 3.2; `pigz -i` joins
its independent segments the same way). The CRC-32 of the whole is combined from the parts'
CRCs (`crc32_combine`, zlib's algorithm), so the body is never read again.

Each part has its own compressor, so the body (rendered without the request: no secret in
it) shares no compression context with the CSRF token in the prefix, which Django masks
anew in every response anyway. Pages with a query string are not compressed: their body
shows the query (docs/security.md, "The page cache").
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

LEVEL = 6  # zlib's default: the body is compressed once per data version
_RAW = -15  # a raw deflate stream (no zlib header or trailer), as gzip holds
_POLY = 0xEDB88320  # CRC-32's polynomial, reflected
# gzip header: magic, deflate, no flags, no modification time, no extra flags, OS unknown.
_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


@dataclass(frozen=True)
class Segment:
    """Text compressed as a raw deflate segment ending in a sync flush, with the CRC-32 and
    length of its UTF-8 bytes."""

    deflated: bytes
    crc: int
    size: int

    def text(self) -> str:
        return zlib.decompressobj(_RAW).decompress(self.deflated).decode()


def segment(text: str) -> Segment:
    data = text.encode()
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW)
    deflated = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return Segment(deflated=deflated, crc=zlib.crc32(data), size=len(data))


def _multiply(a: int, b: int) -> int:
    """a × b modulo CRC-32's polynomial (reflected bit order), as zlib's multmodp."""
    m, product = 1 << 31, 0
    while True:
        if a & m:
            product ^= b
            if a & (m - 1) == 0:
                return product
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers() -> list[int]:
    """x^(2^k) modulo the polynomial for k = 0..31, as zlib's x2n_table."""
    p, table = 1 << 30, []  # x^1
    for _ in range(32):
        table.append(p)
        p = _multiply(p, p)
    return table


_X2N = _powers()


def _x8n(n: int) -> int:
    """x^(8n) modulo the polynomial: the effect of n zero bytes on a CRC."""
    p, k = 1 << 31, 3  # x^0; bit k of 8n is bit k - 3 of n
    while n:
        if n & 1:
            p = _multiply(_X2N[k & 31], p)
        n >>= 1
        k += 1
    return p


def crc32_combine(crc1: int, crc2: int, size2: int) -> int:
    """The CRC-32 of A + B from A's CRC, B's CRC and B's length (zlib's crc32_combine)."""
    return _multiply(_x8n(size2), crc1) ^ crc2


def gzip_around(prefix: bytes, body: Segment, suffix: bytes) -> bytes:
    """One gzip member of prefix + body + suffix, with only prefix and suffix compressed now."""
    head = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW)
    tail = zlib.compressobj(LEVEL, zlib.DEFLATED, _RAW)
    crc = crc32_combine(zlib.crc32(prefix), body.crc, body.size)
    crc = zlib.crc32(suffix, crc)
    size = len(prefix) + body.size + len(suffix)
    return b"".join(
        (
            _HEADER,
            head.compress(prefix),
            head.flush(zlib.Z_SYNC_FLUSH),
            body.deflated,
            tail.compress(suffix),
            tail.flush(zlib.Z_FINISH),
            struct.pack("<II", crc, size & 0xFFFFFFFF),
        )
    )
