#!/usr/bin/python3
"""Times zsic's JPEG decoding and CLIP preprocessing beside Pillow's.

Run from the repository root (Debian's Python with python3-pil and
python3-numpy), or `make bench-jpeg`:

    /usr/bin/python3 scripts/bench_jpeg.py [--rounds 60] [--iters 5]

Per image, on one core (this process and the Go helpers pinned to one CPU;
Go with GOMAXPROCS=1), on fixtures/jpeg/inputs/size_640x480_q85.jpg
(640x480, 4:2:0):

  decode:    zsic's imageproc.Decode (+ ToRGB) against Pillow's
             Image.open(...).convert("RGB");
  decode, Go fallback: the same with ZSIC_TURBOJPEG=off (Go's image/jpeg);
  CLIP 224:  Decode + Preprocessor.Preprocess to the CLIP 224 tensor against
             Pillow (load_image: open, exif_transpose, convert) + the numpy
             math of transformers' CLIPImageProcessor (fixtures/imageproc/gen.py).

Times are CPU time per image (each process's user+system time: Go's
getrusage, Python's time.process_time), which the load of a shared machine
disturbs far less than wall time. Go (scripts/jpegbench, kept running) and
Python alternate every few images, so both see the same cache and frequency
conditions; each step's figure is the median time per image of its
iterations; the table gives the medians over rounds and the median of the
per-round ratios.
"""
import argparse
import io
import os
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
CONFIG = os.path.join(ROOT, "fixtures", "jpeg", "configs", "clip224.json")


def per_image(fn, n):
    """Median CPU time per image (the process's user+system time)."""
    ts = []
    for _ in range(n):
        t = time.process_time()
        fn()
        ts.append(time.process_time() - t)
    return statistics.median(ts)


class Go:
    """A running scripts/jpegbench."""

    def __init__(self, binary, env):
        self.p = subprocess.Popen([binary, "-jpeg", JPEG, "-config", CONFIG], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=env)

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def ms(self, step, n):
        return int(self.ask(f"{step} {n}")) / 1e6

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--iters", type=int, default=5, help="images per step")
    args = ap.parse_args()
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})  # inherited by the Go helpers
    data = open(JPEG, "rb").read()
    cfg = CONFIG_LIST["clip224"][2]

    def pil_decode():
        Image.open(io.BytesIO(data)).convert("RGB")

    def pil_clip():
        preprocess(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"), cfg)

    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "jpegbench")
        subprocess.run(["go", "build", "-o", binary, "./scripts/jpegbench"], cwd=ROOT, check=True)
        env = dict(os.environ, GOMAXPROCS="1")
        env.pop("ZSIC_TURBOJPEG", None)
        go = Go(binary, env)
        fallback = Go(binary, dict(env, ZSIC_TURBOJPEG="off"))
        decoder = go.ask("decoder")
        rows = {k: ([], []) for k in ("decode", "fallback", "clip224")}
        for r in range(args.rounds):
            rows["decode"][0].append(go.ms("decode", args.iters))
            py = per_image(pil_decode, args.iters) * 1e3
            rows["decode"][1].append(py)
            rows["fallback"][0].append(fallback.ms("decode", args.iters))
            rows["fallback"][1].append(py)
            rows["clip224"][0].append(go.ms("clip", args.iters))
            rows["clip224"][1].append(per_image(pil_clip, args.iters) * 1e3)
            if (r + 1) % 10 == 0:
                print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
        go.close()
        fallback.close()
    print(f"640x480 4:2:0 JPEG, CPU time per image on one core (CPU {cpu}), {args.rounds} rounds of {args.iters} images "
          f"per step, alternating; Pillow {PIL.__version__} (libjpeg-turbo {features.version('libjpeg_turbo')}); "
          f"zsic: {decoder}")
    print()
    print("| step | zsic (ms) | Pillow (ms) | zsic / Pillow | target |")
    print("|---|--:|--:|--:|---|")
    for key, label, target in (("decode", 'decode to RGB vs `Image.open().convert("RGB")`', "≤ 1.5×"),
                               ("fallback", "decode, Go fallback (`ZSIC_TURBOJPEG=off`) vs the same", "—"),
                               ("clip224", "decode + CLIP 224 tensor vs Pillow + HF numpy", "≤ 0.5×")):
        go_ms, py_ms = rows[key]
        ratio = statistics.median(g / p for g, p in zip(go_ms, py_ms))
        print(f"| {label} | {statistics.median(go_ms):.2f} | {statistics.median(py_ms):.2f} | {ratio:.2f}× | {target} |")


if __name__ == "__main__":
    main()
