package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/dataset"
)

// cifarImage writes row's PNG from the CIFAR-100 test split to a temporary
// file and returns its path and label name.
func cifarImage(t *testing.T, row int) (string, string) {
	t.Helper()
	src, err := dataset.Open(testenv.CIFAR100(t), dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	var path, label string
	require.NoError(t, src.Read([]int{row}, func(s dataset.Sample) error {
		path = filepath.Join(t.TempDir(), "row"+strconv.Itoa(row)+".png")
		label = src.Classes()[s.Label]
		return os.WriteFile(path, s.Image, 0o644)
	}))
	return path, label
}

type embedLine struct {
	Input     string    `json:"input"`
	Embedding []float32 `json:"embedding"`
}

func embedLines(t *testing.T, stdout string) []embedLine {
	t.Helper()
	var out []embedLine
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var e embedLine
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		out = append(out, e)
	}
	return out
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestEmbed(t *testing.T) {
	img, _ := cifarImage(t, 0)
	code, stdout, stderr := runCLI(t, "embed", "-m", tinyCLIP(t), "--text", "This is a photo of a cat.", "--image", img,
		"--text", "This is a photo of a very large and rather unusual aquarium fish.")
	require.Equal(t, 0, code, stderr)
	lines := embedLines(t, stdout)
	require.Len(t, lines, 3)
	require.Equal(t, []string{"This is a photo of a cat.", img, "This is a photo of a very large and rather unusual aquarium fish."},
		[]string{lines[0].Input, lines[1].Input, lines[2].Input})
	for _, l := range lines {
		require.Len(t, l.Embedding, 64)
	}

	// A text padded next to a longer one embeds as it does alone: the
	// attention mask reaches the tower.
	code, stdout, stderr = runCLI(t, "embed", "-m", tinyCLIP(t), "--text", "This is a photo of a cat.")
	require.Equal(t, 0, code, stderr)
	alone := embedLines(t, stdout)[0].Embedding
	require.InDeltaSlice(t, alone, lines[0].Embedding, 1e-5)

	code, stdout, stderr = runCLI(t, "embed", "-m", tinyCLIP(t), "--normalize", "--image", img)
	require.Equal(t, 0, code, stderr)
	require.InDelta(t, 1, norm(embedLines(t, stdout)[0].Embedding), 1e-5)

	code, _, stderr = runCLI(t, "embed", "-m", tinyCLIP(t))
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "nothing to embed: give --image FILE or --text STR")
}

// TestClassify checks classify's ranking and scores against scores
// recomputed from embed's outputs and the model's logit scale and bias: a
// softmax over the labels for CLIP, an independent sigmoid for SigLIP.
func TestClassify(t *testing.T) {
	img, truth := cifarImage(t, 3)
	labels := []string{truth, "rocket", "sunflower", "bus", "whale"}
	for _, model := range []string{"tiny-clip", "tiny-siglip"} {
		t.Run(model, func(t *testing.T) {
			dir := filepath.Join(testenv.Root(t), "fixtures", "models", model)
			got := classifyJSON(t, dir, img, labels)
			want := scoresFromEmbeddings(t, dir, img, labels)
			var total float64
			for i, g := range got {
				require.InDelta(t, want[g.Label], g.Score, 1e-4, g.Label)
				if i > 0 {
					require.GreaterOrEqual(t, got[i-1].Score, g.Score)
				}
				total += g.Score
			}
			if model == "tiny-clip" {
				require.InDelta(t, 1, total, 1e-9) // a softmax
			} else {
				require.Greater(t, math.Abs(total-1), 1e-3, "sigmoid scores summed to 1") // independent sigmoids
			}
		})
	}
}

type labelScore struct {
	Score float64 `json:"score"`
	Label string  `json:"label"`
}

// classifyJSON runs classify --json on one image.
func classifyJSON(t *testing.T, dir, img string, labels []string) []labelScore {
	t.Helper()
	code, stdout, stderr := runCLI(t, "classify", "-m", dir, img, "--labels", strings.Join(labels, ","), "--json")
	require.Equal(t, 0, code, stderr)
	var got []labelScore
	require.NoError(t, json.Unmarshal([]byte(stdout), &got))
	require.Len(t, got, len(labels))
	return got
}

// scoresFromEmbeddings recomputes the pipeline's scores from embed's
// normalized outputs and config.json's logit_scale and logit_bias.
func scoresFromEmbeddings(t *testing.T, dir, img string, labels []string) map[string]float64 {
	t.Helper()
	args := []string{"embed", "-m", dir, "--normalize", "--image", img}
	for _, l := range labels {
		args = append(args, "--text", "This is a photo of "+l+".")
	}
	code, stdout, stderr := runCLI(t, args...)
	require.Equal(t, 0, code, stderr)
	emb := embedLines(t, stdout)
	var cfg struct {
		ModelType  string  `json:"model_type"`
		LogitScale float64 `json:"logit_scale"`
		LogitBias  float64 `json:"logit_bias"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &cfg))
	logits := make([]float64, len(labels))
	var sum float64
	for i := range labels {
		var dot float64
		for k, x := range emb[0].Embedding {
			dot += float64(x) * float64(emb[i+1].Embedding[k])
		}
		logits[i] = math.Exp(cfg.LogitScale)*dot + cfg.LogitBias
		sum += math.Exp(logits[i])
	}
	want := map[string]float64{}
	for i, l := range labels {
		if cfg.ModelType == "clip" {
			want[l] = math.Exp(logits[i]) / sum
		} else {
			want[l] = 1 / (1 + math.Exp(-logits[i]))
		}
	}
	return want
}

func TestClassifyErrors(t *testing.T) {
	img, _ := cifarImage(t, 3)
	code, stdout, stderr := runCLI(t, "classify", "-m", tinyCLIP(t), img, "--labels", "a,b,c", "--top", "2")
	require.Equal(t, 0, code, stderr)
	require.Len(t, strings.Split(strings.TrimSpace(stdout), "\n"), 2)

	code, _, stderr = runCLI(t, "classify", "-m", tinyCLIP(t), img)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "no --labels")
	code, _, stderr = runCLI(t, "classify", "-m", tinyCLIP(t), "--labels", "a")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "no image given")
	code, _, stderr = runCLI(t, "classify", "-m", tinyCLIP(t), filepath.Join(t.TempDir(), "x.png"), "--labels", "a")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "x.png: no such file")
}
