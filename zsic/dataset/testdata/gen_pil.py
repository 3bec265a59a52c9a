"""Reference pixel hashes from PIL for zsic/dataset's tests.

Run from the repository root with /usr/bin/python3:

    /usr/bin/python3 zsic/dataset/testdata/gen_pil.py ../shared/data/cifar100/test.parquet

It writes, under zsic/dataset/testdata/:
  images/*           small images in the modes PIL's convert("RGB") handles
                     (RGB, RGBA with transparent pixels, P with transparency,
                     L, LA, 1, I;16, GIF, BMP, TIFF, lossless WebP);
  images/pil_rgb.json  {file: {"width", "height", "sha256"}} where sha256 is
                     of np.asarray(Image.open(f).convert("RGB")).tobytes();
  cifar100-test-pil.txt  one line per row of the CIFAR-100 test parquet, in
                     file order: the first 16 hex digits of the same hash.

Python has no parquet reader here, but the HF parquet stores the PNGs
uncompressed, so they are found by their PNG signature and chunks: an
independent check of the Go reader's row order.
"""
import hashlib
import io
import json
import os
import struct
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SIG = b"\x89PNG\r\n\x1a\n"


def rgb_hash(im):
    return hashlib.sha256(np.asarray(im.convert("RGB")).tobytes()).hexdigest()


def synthetic():
    out = os.path.join(HERE, "images")
    os.makedirs(out, exist_ok=True)
    rng = np.random.RandomState(7)
    w, h = 7, 5
    rgba = rng.randint(0, 256, size=(h, w, 4), dtype=np.uint8)
    rgba[0, :, 3] = 0  # transparent pixels that still carry colour
    rgba[1, :, 3] = 128
    gray = rng.randint(0, 256, size=(h, w), dtype=np.uint8)
    images = {
        "rgb.png": Image.fromarray(rgba[:, :, :3], "RGB"),
        "rgba.png": Image.fromarray(rgba, "RGBA"),
        "l.png": Image.fromarray(gray, "L"),
        "la.png": Image.fromarray(np.stack([gray, rgba[:, :, 3]], -1), "LA"),
        "bilevel.png": Image.fromarray(gray > 127).convert("1"),
        "i16.png": Image.fromarray(gray.astype(np.uint16) * 3, "I;16"),  # some above 255
        "p.gif": Image.fromarray(rgba[:, :, :3], "RGB").quantize(16),
        "rgb.bmp": Image.fromarray(rgba[:, :, :3], "RGB"),
        "rgb.tiff": Image.fromarray(rgba[:, :, :3], "RGB"),
        "rgba.webp": Image.fromarray(rgba, "RGBA"),
    }
    p = Image.fromarray(rgba[:, :, :3], "RGB").quantize(8)
    p.info["transparency"] = 3
    images["p_trns.png"] = p
    ref = {}
    for name, im in sorted(images.items()):
        path = os.path.join(out, name)
        kw = {"lossless": True} if name.endswith(".webp") else {}
        if name == "p_trns.png":
            kw["transparency"] = 3
        im.save(path, **kw)
        back = Image.open(path)
        ref[name] = {"mode": back.mode, "width": back.width,
                     "height": back.height, "sha256": rgb_hash(back)}
    with open(os.path.join(out, "pil_rgb.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


def varint(b):
    """Decodes the unsigned LEB128 varint b, or returns -1."""
    v = 0
    for k, c in enumerate(b):
        if (c & 0x80) != 0 and k == len(b) - 1:
            return -1
        v |= (c & 0x7F) << (7 * k)
        if c & 0x80 == 0 and k != len(b) - 1:
            return -1
    return v


def is_stat_copy(data, i, n):
    """Reports whether the PNG of n bytes at i is a Thrift binary field (a
    copy in min/max statistics): a compact-protocol header of type 8 and a
    varint length n."""
    for k in (1, 2, 3):
        if i - k - 1 >= 0 and data[i - k - 1] & 0x0F == 8 and varint(data[i - k:i]) == n:
            return True
    return False


def pngs(data):
    """Yields the PNG values of data in order, skipping statistics copies.

    The values are DELTA_LENGTH_BYTE_ARRAY-encoded (lengths, then the bytes
    back to back); min/max statistics in page headers hold more copies.
    """
    i = data.find(SIG)
    while i >= 0:
        j, complete = i + len(SIG), False
        while j + 12 <= len(data):
            (n,) = struct.unpack(">I", data[j:j + 4])
            kind = data[j + 4:j + 8]
            j += 12 + n
            if kind == b"IEND":
                complete = j <= len(data)
                break
        if complete and not is_stat_copy(data, i, j - i):
            yield data[i:j]
        i = data.find(SIG, i + 1)


def cifar(parquet):
    with open(parquet, "rb") as f:
        data = f.read()
    lines = [rgb_hash(Image.open(io.BytesIO(b)))[:16] for b in pngs(data)]
    with open(os.path.join(HERE, "cifar100-test-pil.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(len(lines), "CIFAR rows hashed")


if __name__ == "__main__":
    synthetic()
    if len(sys.argv) > 1:
        cifar(sys.argv[1])
