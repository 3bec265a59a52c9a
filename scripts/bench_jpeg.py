#!/usr/bin/python3
"""Times zsic's JPEG decoding and CLIP preprocessing beside Pillow's.

Run from the repository root (Debian's Python with python3-pil and
python3-numpy):

    /usr/bin/python3 scripts/bench_jpeg.py [--rounds 9]

Per image, on one core (taskset -c 0 when available; Go with GOMAXPROCS=1),
on fixtures/jpeg/inputs/size_640x480_q85.jpg (640x480, 4:2:0):

  decode:    zsic's imageproc.Decode (+ ToRGB) against Pillow's
             Image.open(...).convert("RGB");
  decode, Go fallback: the same with ZSIC_TURBOJPEG=off (Go's image/jpeg);
  CLIP 224:  Decode + Preprocessor.Preprocess to the CLIP 224 tensor against
             Pillow (load_image: open, exif_transpose, convert) + the numpy
             math of transformers' CLIPImageProcessor (fixtures/imageproc/gen.py).

Go and Python alternate, round after round, so that both see the same load;
each round's figure is the median time per image of its iterations, and the
table gives the medians over rounds and the median of the per-round ratios.
"""
import argparse
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "fixtures", "imageproc"))
from gen import CONFIG_LIST, preprocess  # noqa: E402

import PIL  # noqa: E402
from PIL import Image, ImageOps, features  # noqa: E402

JPEG = os.path.join(ROOT, "fixtures", "jpeg", "inputs", "size_640x480_q85.jpg")


def per_image(fn, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--iters", type=int, default=40, help="images per round and side")
    args = ap.parse_args()
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    core = sorted(os.sched_getaffinity(0))
    data = open(JPEG, "rb").read()
    cfg = CONFIG_LIST["clip224"][2]

    def pil_decode():
        Image.open(io.BytesIO(data)).convert("RGB")

    def pil_clip():
        preprocess(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"), cfg)

    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "imageproc.test")
        subprocess.run(["go", "test", "-c", "-o", binary, "./zsic/imageproc"], cwd=ROOT, check=True)
        env = dict(os.environ, GOMAXPROCS="1")
        rows = {"decode": ([], []), "fallback": ([], []), "clip224": ([], [])}

        def go_bench(pattern, extra_env):
            return subprocess.run([binary, "-test.run", "^$", "-test.bench", pattern,
                                   "-test.cpu", "1", "-test.benchtime", f"{args.iters}x"],
                                  cwd=os.path.join(ROOT, "zsic", "imageproc"), env=env | extra_env, check=True,
                                  capture_output=True, text=True).stdout

        def ms(out, name):
            m = re.search(rf"^{name}\s+\d+\s+(\d+(?:\.\d+)?) ns/op", out, re.M)
            if not m:
                sys.exit(f"no {name} result in:\n{out}")
            return float(m.group(1)) / 1e6

        for r in range(args.rounds):
            out = go_bench("^BenchmarkJPEG(Decode|CLIP224)$", {})
            rows["decode"][0].append(ms(out, "BenchmarkJPEGDecode"))
            rows["clip224"][0].append(ms(out, "BenchmarkJPEGCLIP224"))
            rows["decode"][1].append(per_image(pil_decode, args.iters) * 1e3)
            rows["fallback"][0].append(ms(go_bench("^BenchmarkJPEGDecode$", {"ZSIC_TURBOJPEG": "off"}),
                                          "BenchmarkJPEGDecode"))
            rows["fallback"][1].append(rows["decode"][1][-1])
            rows["clip224"][1].append(per_image(pil_clip, args.iters) * 1e3)
            print(f"round {r + 1}/{args.rounds}: " + ", ".join(
                f"{k} go {v[0][-1]:.2f} ms, pillow {v[1][-1]:.2f} ms" for k, v in rows.items()), file=sys.stderr)
    decoder = subprocess.run(["go", "run", "./scripts/jpegdecoder"], cwd=ROOT, capture_output=True,
                             text=True).stdout.strip() or "(unknown)"
    print(f"640x480 4:2:0 JPEG, per image on one core (CPU {core}), {args.rounds} interleaved rounds "
          f"of {args.iters} images; Pillow {PIL.__version__} (libjpeg-turbo {features.version('libjpeg_turbo')}); "
          f"zsic JPEG decoder: {decoder}")
    print()
    print("| step | zsic (ms) | Pillow (ms) | zsic / Pillow | target |")
    print("|---|---|---|---|---|")
    for key, label, target in (("decode", 'decode to RGB vs `Image.open().convert("RGB")`', "≤ 1.5×"),
                               ("fallback", "decode, Go fallback (`ZSIC_TURBOJPEG=off`), same Pillow figure", "—"),
                               ("clip224", "decode + CLIP 224 tensor vs Pillow + numpy", "≤ 0.5×")):
        go, py = rows[key]
        ratio = statistics.median(g / p for g, p in zip(go, py))
        print(f"| {label} | {statistics.median(go):.2f} | {statistics.median(py):.2f} | {ratio:.2f}× | {target} |")


if __name__ == "__main__":
    main()
