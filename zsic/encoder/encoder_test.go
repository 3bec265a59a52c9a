package encoder

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/tokenizer"
)

// graph returns the path of a test graph written by fixtures/encoder/make.py.
func graph(t *testing.T, name string) string {
	return filepath.Join(testenv.Root(t), "fixtures", "encoder", name+".onnx")
}

// wantImage recomputes the image test graphs: per-channel means, then
// [r, g, b, r+g+b].
func wantImage(pixels []float32, n, h, w int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		var m [3]float64
		for c := 0; c < 3; c++ {
			for _, v := range pixels[(i*3+c)*h*w : (i*3+c+1)*h*w] {
				m[c] += float64(v)
			}
			m[c] /= float64(h * w)
		}
		out[i] = []float32{float32(m[0]), float32(m[1]), float32(m[2]), float32(m[0] + m[1] + m[2])}
	}
	return out
}

func ramp(n int, scale float32) []float32 {
	p := make([]float32, n)
	for i := range p {
		p[i] = float32(i%97) * scale
	}
	return p
}

func requireClose(t *testing.T, want, got [][]float32, tol float64) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Len(t, got[i], len(want[i]))
		for j := range want[i] {
			require.InDelta(t, want[i][j], got[i][j], tol, "row %d col %d", i, j)
		}
	}
}

func TestImageEmbed(t *testing.T) {
	tests := []struct {
		graph     string
		n, h, w   int
		batch     int
		tol       float64
		outputNme string
	}{
		{"image_dynamic", 3, 8, 8, 0, 1e-5, "image_embeds"},
		{"image_dynamic", 1, 5, 7, 0, 1e-5, "image_embeds"},
		{"image_fixed_batch", 5, 8, 8, 2, 1e-5, "image_embeds"}, // 3 runs, the last padded
		{"image_fp16", 4, 8, 8, 0, 2e-2, "image_embeds"},
		{"image_pooler", 2, 4, 4, 0, 1e-5, "pooler_output"},
	}
	for _, tt := range tests {
		t.Run(tt.graph, func(t *testing.T) {
			e, err := OpenImage(newRuntime(t), graph(t, tt.graph), Options{Threads: 1})
			require.NoError(t, err)
			defer e.Close()
			require.Equal(t, tt.batch, e.BatchSize())
			require.Equal(t, tt.outputNme, e.Output().Name)
			pixels := ramp(tt.n*3*tt.h*tt.w, 0.01)
			got, err := e.Embed(pixels, tt.n, tt.h, tt.w)
			require.NoError(t, err)
			requireClose(t, wantImage(pixels, tt.n, tt.h, tt.w), got, tt.tol)
		})
	}
}

func TestImageErrors(t *testing.T) {
	_, err := OpenImage(newRuntime(t), graph(t, "image_no_embeds"), Options{})
	require.ErrorContains(t, err, "no embedding output: want one of image_embeds, pooler_output, the graph has last_hidden_state float32[-1 3]")

	_, err = OpenImage(newRuntime(t), graph(t, "text_dynamic"), Options{})
	require.ErrorContains(t, err, "want pixel_values as float32 or float16")

	_, err = OpenImage(newRuntime(t), filepath.Join(t.TempDir(), "missing.onnx"), Options{})
	require.ErrorContains(t, err, "load image encoder")

	_, err = OpenImage(newRuntime(t), graph(t, "image_dynamic"), Options{Device: "tpu"})
	require.ErrorContains(t, err, `unknown device "tpu" (want one of cpu, cuda, tensorrt, openvino, qnn, coreml, directml)`)
	var de *DeviceError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "tpu", de.Device)

	e, err := OpenImage(newRuntime(t), graph(t, "image_fixed_batch"), Options{})
	require.NoError(t, err)
	defer e.Close()
	h, w := e.Size()
	require.Equal(t, []int{8, 8}, []int{h, w})
	_, err = e.Embed(make([]float32, 3*4*4), 1, 4, 4)
	require.ErrorContains(t, err, "images are 4×4, the graph wants 8×8")
	_, err = e.Embed(make([]float32, 10), 1, 8, 8)
	require.ErrorContains(t, err, "got 10 values for 1 images of 3×8×8")
}

func TestDeviceWithoutProvider(t *testing.T) {
	// The CPU build of ONNX Runtime has no CUDA provider: asking for it must
	// fail, not quietly run on the CPU.
	_, err := OpenImage(newRuntime(t), graph(t, "image_dynamic"), Options{Device: "cuda"})
	require.ErrorContains(t, err, "device cuda: its execution provider is not available")
}

// wantText recomputes the text test graphs: [Σ id·mask, Σ mask, Σ pos·mask, 1].
func wantText(b tokenizer.Batch, withPos bool) [][]float32 {
	out := make([][]float32, len(b.IDs))
	for i, ids := range b.IDs {
		var s1, s2, s3 float32
		for j, id := range ids {
			m := float32(b.Mask[i][j])
			s1 += float32(id) * m
			s2 += m
			if withPos {
				s3 += float32(j) * m
			}
		}
		out[i] = []float32{s1, s2, s3, 1}
	}
	return out
}

func TestTextEmbed(t *testing.T) {
	pad := tokenizer.Padding{ID: 0, EndID: 9, MaxLength: 6}
	b := pad.Pad([][]int64{{5, 1, 9}, {5, 2, 3, 4, 9}, {5, 9}, {5, 7, 7, 9}}, 0)
	tests := []struct {
		graph   string
		batch   tokenizer.Batch
		withPos bool
		seq     int
	}{
		{"text_dynamic", b, false, 0},
		{"text_int32_pos", b, true, 0},
		{"text_fixed", pad.Pad(b.IDs[:2], 6), false, 6},
	}
	for _, tt := range tests {
		t.Run(tt.graph, func(t *testing.T) {
			e, err := OpenText(newRuntime(t), graph(t, tt.graph), Options{Threads: 1})
			require.NoError(t, err)
			defer e.Close()
			require.Equal(t, tt.seq, e.SeqLen())
			got, err := e.Embed(tt.batch.IDs, tt.batch.Mask)
			require.NoError(t, err)
			want := wantText(tt.batch, tt.withPos)
			if tt.graph == "text_fixed" { // declares no attention_mask: every position counts
				for i := range want {
					want[i][0], want[i][1] = 0, 6
					for _, id := range tt.batch.IDs[i] {
						want[i][0] += float32(id)
					}
				}
			}
			requireClose(t, want, got, 1e-4)
		})
	}
}

func TestTextErrors(t *testing.T) {
	_, err := OpenText(newRuntime(t), graph(t, "text_unknown_input"), Options{})
	require.ErrorContains(t, err, "input token_type_ids int64[-1 -1]: unknown input (want input_ids, attention_mask or position_ids)")
	_, err = OpenText(newRuntime(t), graph(t, "image_dynamic"), Options{})
	require.ErrorContains(t, err, "unknown input")

	e, err := OpenText(newRuntime(t), graph(t, "text_fixed"), Options{})
	require.NoError(t, err)
	defer e.Close()
	b := tokenizer.Padding{}.Pad([][]int64{{1, 2}}, 0)
	_, err = e.Embed(b.IDs, b.Mask)
	require.ErrorContains(t, err, "batch has 2 tokens a row, the graph wants 6")
	_, err = e.Embed(nil, nil)
	require.ErrorContains(t, err, "empty batch")
}

func TestHalf(t *testing.T) {
	for _, f := range []float32{0, 1, -2.5, 65504, 1e-5, 6.1e-5, 0.1, 3.14159, -1e-8} {
		got := halfToFloat32(floatToHalf(f))
		require.InDelta(t, f, got, math.Max(math.Abs(float64(f))*1e-3, 6e-8), "%g", f)
	}
	require.True(t, math.IsInf(float64(halfToFloat32(floatToHalf(1e6))), 1))
	require.True(t, math.IsNaN(float64(halfToFloat32(floatToHalf(float32(math.NaN()))))))
	require.Equal(t, uint16(0x3c00), floatToHalf(1))
	require.Equal(t, uint16(0x3c00), floatToHalf(1+1.0/4096)) // ties round to even
}

// newRuntime returns a runtime on the default library, closed when the test
// ends (after the sessions it opens, which their tests close first).
func newRuntime(t *testing.T) *Runtime {
	t.Helper()
	rt, err := NewRuntime(RuntimeOptions{Library: testenv.ORTLibrary(t)})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, rt.Close()) })
	return rt
}
