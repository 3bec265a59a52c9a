package imageproc

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zsic/zsic/internal/testenv"
)

// jpegManifest lists what fixtures/jpeg/gen.py computed with Pillow: per
// input, load_image's RGB pixels and the CLIP 224 and SigLIP 384 tensors
// (SHA-256s), or the error Pillow raised.
type jpegManifest struct {
	Pillow       string `json:"pillow"`
	LibjpegTurbo string `json:"libjpeg_turbo"`
	Configs      map[string]struct {
		File      string `json:"file"`
		ModelType string `json:"model_type"`
	} `json:"configs"`
	Inputs []jpegCase `json:"inputs"`
}

type jpegCase struct {
	Input, What   string
	Error         string
	Mode          string
	Width, Height int
	RGBSHA256     string            `json:"rgb_sha256"`
	Tensors       map[string]string `json:"tensors"`
}

func jpegFixtureDir(t testing.TB) string {
	return filepath.Join(testenv.Root(t), "fixtures", "jpeg")
}

func loadJPEGManifest(t testing.TB) jpegManifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(jpegFixtureDir(t), "manifest.json"))
	require.NoError(t, err)
	var m jpegManifest
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

func readJPEGInput(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(jpegFixtureDir(t), "inputs", name))
	require.NoError(t, err)
	return data
}

// requireTurbo skips in a build without libjpeg-turbo and fails when a
// build that can load it does not find it.
func requireTurbo(t *testing.T) {
	t.Helper()
	if !turboBuilt {
		t.Skip("built without libjpeg-turbo: JPEG parity is approximate")
	}
	require.True(t, JPEGExact(), "%s; run `make setup` (Debian/Ubuntu: apt-get install libturbojpeg0; macOS: brew install jpeg-turbo)", JPEGDecoder())
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// tensorSHA256 is the SHA-256 of a tensor's little-endian float32 bytes,
// as gen.py hashes numpy's.
func tensorSHA256(x []float32) string {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return sha256Hex(b)
}

// TestJPEGParity checks every input of fixtures/jpeg against Pillow: the
// RGB pixels of load_image and the CLIP 224 and SigLIP 384 tensors must be
// identical, and a file Pillow refuses must be refused.
// The PNG, WebP and TIFF inputs (EXIF orientation) are checked in every
// build; the JPEGs only in one that can load libjpeg-turbo.
func TestJPEGParity(t *testing.T) {
	m := loadJPEGManifest(t)
	require.GreaterOrEqual(t, len(m.Inputs), 60)
	// One Preprocessor per config, as an evaluation's worker holds one,
	// reused across all the sizes of the fixtures.
	cfgs := map[string]Config{}
	procs := map[string]*Preprocessor{}
	for name, c := range m.Configs {
		cfg, err := LoadConfig(filepath.Join(jpegFixtureDir(t), "configs", c.File), c.ModelType)
		require.NoError(t, err)
		cfgs[name], procs[name] = cfg, cfg.NewPreprocessor()
	}
	require.Len(t, cfgs, 2)
	var pixels, tensors, refused int
	for _, c := range m.Inputs {
		t.Run(c.Input, func(t *testing.T) {
			if strings.HasSuffix(c.Input, ".jpg") {
				requireTurbo(t)
			}
			img, err := Decode(readJPEGInput(t, c.Input))
			if c.Error != "" {
				require.Error(t, err, "Pillow raised %s", c.Error)
				if strings.Contains(c.Error, "truncated") {
					require.ErrorContains(t, err, "truncated")
				}
				refused++
				return
			}
			require.NoError(t, err)
			rgb := ToRGB(img)
			require.Equal(t, [2]int{c.Width, c.Height}, [2]int{rgb.Width, rgb.Height}, "size after EXIF orientation")
			require.Equal(t, c.RGBSHA256, sha256Hex(rgb.Pix), "RGB pixels of %s (%s)", c.Input, c.What)
			pixels++
			for name, want := range c.Tensors {
				cfg := cfgs[name]
				h, w := cfg.OutputSizeFor(image.Pt(rgb.Width, rgb.Height))
				dst := make([]float32, 3*h*w)
				require.NoError(t, procs[name].Preprocess(img, dst))
				require.Equal(t, want, tensorSHA256(dst), "%s tensor of %s", name, c.Input)
				tensors++
			}
		})
	}
	t.Logf("Pillow %s (libjpeg-turbo %s) vs %s: %d inputs with identical RGB, %d identical tensors, %d refused as Pillow refuses",
		m.Pillow, m.LibjpegTurbo, JPEGDecoder(), pixels, tensors, refused)
}

// TestJPEGFallbackBound forces Go's decoder (the fallback without
// libjpeg-turbo) on every JPEG of fixtures/jpeg up to 2 megapixels and
// checks it stays within the bounds fixtures/jpeg/README.md states, against
// libjpeg-turbo's pixels (which TestJPEGParity proves are Pillow's).
func TestJPEGFallbackBound(t *testing.T) {
	requireTurbo(t)
	type bound struct{ max, mean float64 }
	bounds := map[string]bound{"color": {3, 0.1}, "gray": {1, 0.05}, "cmyk": {3, 0.1}, "ycck": {48, 1.5}}
	worst := map[string]bound{}
	m := loadJPEGManifest(t)
	var n int
	for _, c := range m.Inputs {
		if c.Error != "" || !strings.HasSuffix(c.Input, ".jpg") || c.Width*c.Height > 2e6 {
			continue
		}
		kind := "color"
		switch {
		case strings.HasPrefix(c.Input, "ycck"):
			kind = "ycck"
		case c.Mode == "CMYK":
			kind = "cmyk"
		case c.Mode == "L":
			kind = "gray"
		}
		t.Run(c.Input, func(t *testing.T) {
			data := readJPEGInput(t, c.Input)
			want, err := Decode(data)
			require.NoError(t, err)
			img, err := decode(data, true)
			require.NoError(t, err)
			maxDiff, mean := pixelDiff(t, ToRGB(want).Pix, ToRGB(img).Pix)
			t.Logf("%s (%s): Go vs libjpeg-turbo: max |diff| %v, mean %.4f", c.Input, kind, maxDiff, mean)
			w := worst[kind]
			worst[kind] = bound{max(w.max, maxDiff), max(w.mean, mean)}
			require.LessOrEqual(t, maxDiff, bounds[kind].max)
			require.LessOrEqual(t, mean, bounds[kind].mean)
			n++
		})
	}
	require.GreaterOrEqual(t, n, 60)
	t.Logf("Go fallback over %d JPEGs, worst per kind: %v", n, worst)
}

// pixelDiff returns the largest and mean absolute difference of two
// equally long byte slices.
func pixelDiff(t testing.TB, want, got []byte) (maxDiff, mean float64) {
	t.Helper()
	require.Len(t, got, len(want))
	sum := 0.0
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		maxDiff = max(maxDiff, d)
		sum += d
	}
	return maxDiff, sum / float64(len(want))
}

// TestDecodeConcurrent decodes JPEGs of every kind from many goroutines at
// once (run it with -race): Decode keeps no shared state.
func TestDecodeConcurrent(t *testing.T) {
	requireTurbo(t)
	m := loadJPEGManifest(t)
	var cases []jpegCase
	for _, c := range m.Inputs {
		if c.Error == "" && c.Width*c.Height < 1e6 {
			cases = append(cases, c)
		}
	}
	data := make([][]byte, len(cases))
	for i, c := range cases {
		data[i] = readJPEGInput(t, c.Input)
	}
	var wg sync.WaitGroup
	errs := make([]string, 8*len(cases))
	for g := range 8 {
		for i, c := range cases {
			wg.Go(func() {
				img, err := Decode(data[i])
				switch {
				case err != nil:
					errs[g*len(cases)+i] = err.Error()
				case sha256Hex(ToRGB(img).Pix) != c.RGBSHA256:
					errs[g*len(cases)+i] = c.Input + ": pixels differ from Pillow's"
				}
			})
		}
	}
	wg.Wait()
	for _, e := range errs {
		require.Empty(t, e)
	}
}

// TestJPEGDecoderName checks what JPEGDecoder reports for provenance.
func TestJPEGDecoderName(t *testing.T) {
	if JPEGExact() {
		require.True(t, strings.HasPrefix(JPEGDecoder(), "libjpeg-turbo ("), JPEGDecoder())
		return
	}
	require.Contains(t, JPEGDecoder(), ApproximateJPEGNotice)
}

// FuzzDecodeJPEGAndEXIF feeds Decode damaged JPEGs and EXIF-carrying
// PNG/WebP/TIFF files: it must return a non-empty image or an error, and
// never panic (in libjpeg-turbo's error handling, the header parser or the
// orientation readers).
func FuzzDecodeJPEGAndEXIF(f *testing.F) {
	for _, name := range []string{"size_16x16_q65.jpg", "cjpeg_420_restart3blocks.jpg", "gray_odd_13x7.jpg",
		"ycck_444_q95_odd.jpg", "exif6.jpg", "exif5_exif_chunk.png", "exif7_raw_profile.png", "exif2_xmp.png",
		"exif8.webp", "exif3.tif"} {
		f.Add(readJPEGInput(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode(data)
		if err != nil {
			return
		}
		b := img.Bounds()
		require.False(t, b.Empty())
		_ = ToRGB(img)
	})
}
