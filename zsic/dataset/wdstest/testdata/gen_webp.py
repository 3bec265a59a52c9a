"""Lossless WebP copies of a few CIFAR-100 test rows, for the WebDataset
fixture that zsic/dataset/wdstest builds at test time (Go has no WebP
encoder; Pillow encodes them here).

Run from the repository root with /usr/bin/python3:

    /usr/bin/python3 zsic/dataset/wdstest/testdata/gen_webp.py ../shared/data/cifar100/test.parquet

It takes the PNGs of the parquet's first 48 rows, in file order, as
zsic/dataset/testdata/gen_pil.py finds them (by PNG signature: Python has no
parquet reader here), and writes row-NNNN.webp (Pillow, lossless=True) for
rows 1, 5, 9, ... 45, plus webp.json: {file: sha256 of the decoded RGB
pixels}, which must equal the PNG's (lossless), checked here and in Go.
"""
import hashlib
import io
import json
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "testdata"))
from gen_pil import pngs  # noqa: E402


def rgb_hash(im):
    return hashlib.sha256(np.asarray(im.convert("RGB")).tobytes()).hexdigest()


def main(parquet):
    with open(parquet, "rb") as f:
        data = f.read()
    ref = {}
    for row, png in enumerate(pngs(data)):
        if row >= 48:
            break
        if row % 4 != 1:
            continue
        im = Image.open(io.BytesIO(png))
        name = "row-%04d.webp" % row
        path = os.path.join(HERE, name)
        im.convert("RGB").save(path, lossless=True, quality=100, method=6)
        back = rgb_hash(Image.open(path))
        assert back == rgb_hash(im), name
        ref[name] = back
    with open(os.path.join(HERE, "webp.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
