package imageproc

import (
	"fmt"
	"math"
)

// Filter is a resampling filter, numbered as Pillow's Image.Resampling (and
// so as the "resample" field of a preprocessor_config.json).
type Filter int

// The resampling filters, with Pillow's numbers.
const (
	Nearest  Filter = 0
	Lanczos  Filter = 1
	Bilinear Filter = 2
	Bicubic  Filter = 3
	Box      Filter = 4
	Hamming  Filter = 5
)

var filterNames = [...]string{"nearest", "lanczos", "bilinear", "bicubic", "box", "hamming"}

// String returns the filter's lower-case Pillow name, e.g. "bicubic".
func (f Filter) String() string {
	if f.Valid() {
		return filterNames[f]
	}
	return fmt.Sprintf("Filter(%d)", int(f))
}

// Valid reports whether f is one of Pillow's six filters.
func (f Filter) Valid() bool { return f >= Nearest && f <= Hamming }

// kernel is a convolution filter of Pillow's Resample.c: a weight function
// and its support radius at scale 1.
type kernel struct {
	weight  func(x float64) float64
	support float64
}

// kernel returns f's convolution kernel; Nearest has none (Pillow resizes
// it with an affine transform instead).
func (f Filter) kernel() (kernel, bool) {
	switch f {
	case Box:
		return kernel{boxWeight, 0.5}, true
	case Bilinear:
		return kernel{bilinearWeight, 1}, true
	case Hamming:
		return kernel{hammingWeight, 1}, true
	case Bicubic:
		return kernel{bicubicWeight, 2}, true
	case Lanczos:
		return kernel{lanczosWeight, 3}, true
	}
	return kernel{}, false
}

func boxWeight(x float64) float64 {
	if x > -0.5 && x <= 0.5 {
		return 1
	}
	return 0
}

func bilinearWeight(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return 1 - x
	}
	return 0
}

// In the weight functions below, and wherever this package mirrors Pillow's
// floating-point code, explicit float64 conversions keep the compiler from
// fusing a multiply and an add into one FMA instruction, which would round
// differently from Pillow's C code.

// Pillow writes the Hamming window's constants as C float literals
// (0.54f, 0.46f), so they are float32 values widened to double.
var hammingA, hammingB = float64(float32(0.54)), float64(float32(0.46))

func hammingWeight(x float64) float64 {
	x = math.Abs(x)
	if x == 0 {
		return 1
	}
	if x >= 1 {
		return 0
	}
	x *= math.Pi
	return math.Sin(x) / x * (hammingA + float64(hammingB*math.Cos(x)))
}

// bicubicWeight is Keys' cubic convolution with a = -0.5.
func bicubicWeight(x float64) float64 {
	const a = -0.5
	x = math.Abs(x)
	if x < 1 {
		p := float64((a+2)*x) - (a + 3)
		return float64(float64(p*x)*x) + 1
	}
	if x < 2 {
		p := float64((x-5)*x) + 8
		return (float64(p*x) - 4) * a
	}
	return 0
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	x *= math.Pi
	return math.Sin(x) / x
}

func lanczosWeight(x float64) float64 {
	if -3 <= x && x < 3 {
		return sinc(x) * sinc(x/3)
	}
	return 0
}
