"""Reference .npy files for zsic/head's reader and writer, written by numpy.

Run from the repository root:

    /usr/bin/python3 zsic/head/testdata/gen.py

ref.npy is a float32 [3, 5] matrix whose values are i + j/8 (exact in
float32) plus a few special values; f8.npy the same in float64; fortran.npy
the same in Fortran order; r3.npy a [2, 2, 2] float32 array.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
m = np.array([[i + j / 8 for j in range(5)] for i in range(3)], dtype=np.float32)
m[2, 4] = -0.0
m[1, 3] = np.float32(1e-30)
np.save(os.path.join(HERE, "ref.npy"), m)
np.save(os.path.join(HERE, "f8.npy"), m.astype(np.float64))
np.save(os.path.join(HERE, "fortran.npy"), np.asfortranarray(m))
np.save(os.path.join(HERE, "r3.npy"), np.zeros((2, 2, 2), dtype=np.float32))
