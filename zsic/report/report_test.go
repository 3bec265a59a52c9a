package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
)

func TestDecodePredictions(t *testing.T) {
	good := `{"index":3,"label":1,"top5":[1,0],"scores":[0.7,0.3]}` + "\n\n" + `{"index":5,"label":0,"top5":[1,0],"scores":[0.6,0.4]}` + "\n"
	preds, err := DecodePredictions([]byte(good))
	require.NoError(t, err)
	require.Equal(t, []zsic.Prediction{{Row: 3, Label: 1, Top5: []int{1, 0}, Scores: []float64{0.7, 0.3}}, {Row: 5, Label: 0, Top5: []int{1, 0}, Scores: []float64{0.6, 0.4}}}, preds)
	require.NoError(t, CheckLabels(preds, 2))
	require.ErrorContains(t, CheckLabels(preds, 1), "prediction 1 (row 3): label 1 is not one of the 1 classes")

	tests := []struct{ name, data, want string }{
		{"empty", "", "no predictions: the file is empty"},
		{"not json", "hello\n", "line 1: want a JSON object"},
		{"unknown field", `{"index":1,"label":1,"top5":[1],"scores":[1],"x":2}`, `line 1: want a JSON object {"index", "label", "top5", "scores"}: json: unknown field "x"`},
		{"negative row", `{"index":-1,"label":1,"top5":[1],"scores":[1]}`, "negative row index -1"},
		{"negative label", `{"index":1,"label":-2,"top5":[1],"scores":[1]}`, "row 1: negative label -2"},
		{"no ranks", `{"index":1,"label":1,"top5":[],"scores":[]}`, "want 1 to 5 ranked labels in top5, got 0"},
		{"scores", `{"index":1,"label":1,"top5":[1,2],"scores":[1]}`, "row 1: 1 scores for 2 ranked labels"},
		{"negative rank", `{"index":1,"label":1,"top5":[1,-2],"scores":[1,0]}`, "negative label -2 in top5"},
		{"twice", good + `{"index":3,"label":1,"top5":[1],"scores":[1]}`, "line 4: row 3 is already on line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodePredictions([]byte(tt.data))
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestEncodePredictionsIdentifiesTheFile(t *testing.T) {
	preds := []zsic.Prediction{{Row: 1, Label: 0, Top5: []int{0}, Scores: []float64{1}}}
	var b bytes.Buffer
	w, err := EncodePredictions(&b, preds)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "p.jsonl")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	got, f, err := ReadPredictions(path)
	require.NoError(t, err)
	require.Equal(t, preds, got)
	require.Equal(t, PredictionsFile{Path: path, Count: 1, SHA256: w.SHA256}, f)
	_, _, err = ReadPredictions(filepath.Join(t.TempDir(), "none.jsonl"))
	require.ErrorContains(t, err, "none.jsonl")
}

func TestDecodeChecksSchema(t *testing.T) {
	_, err := Decode([]byte(`{"model_id": "m"}`))
	require.ErrorContains(t, err, `no "schema" field`)
	_, err = Decode([]byte(`{"schema": 2}`))
	require.ErrorContains(t, err, "report schema 2, this zsic reads schema 1")
	_, err = Decode([]byte(`[1]`))
	require.ErrorContains(t, err, "not a zsic JSON report")
	r, err := Decode([]byte(`{"schema": 1, "model_id": "m", "added_later": {"x": 1}}`))
	require.NoError(t, err, "fields added within a schema are ignored")
	require.Equal(t, "m", r.ModelID)
}

func TestNewStrings(t *testing.T) {
	// printf 'a\nb c\n' | sha256sum
	s := NewStrings([]string{"a", "b c"})
	require.Equal(t, Strings{Count: 2, SHA256: "9ffaa0f83922d4eb11e56154814a41322108bebaefba1fe7f00c4fcebde5d5fc", Values: []string{"a", "b c"}}, s)
	require.Equal(t, []string{}, NewStrings(nil).Values)
}

func TestCPUModel(t *testing.T) {
	dir := t.TempDir()
	x86 := filepath.Join(dir, "x86")
	require.NoError(t, os.WriteFile(x86, []byte("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n"), 0o644))
	require.Equal(t, "Intel(R) Xeon(R) CPU @ 2.20GHz", cpuModel(x86))
	arm := filepath.Join(dir, "arm")
	require.NoError(t, os.WriteFile(arm, []byte("processor\t: 0\nBogoMIPS\t: 50.00\nHardware\t: BCM2835\n"), 0o644))
	require.Equal(t, "BCM2835", cpuModel(arm))
	require.Equal(t, "", cpuModel(filepath.Join(dir, "none")))
	c := CurrentCPU()
	require.Positive(t, c.Cores)
	require.NotEmpty(t, c.Arch)
}

// memSource is an in-memory dataset.
type memSource struct{ rows []dataset.Sample }

func (m memSource) Classes() []string { return nil }
func (m memSource) Len() int          { return len(m.rows) }
func (m memSource) Close() error      { return nil }
func (m memSource) Read(rows []int, fn func(dataset.Sample) error) error {
	for _, r := range rows {
		if err := fn(m.rows[r]); err != nil {
			return err
		}
	}
	return nil
}

func TestFingerprinter(t *testing.T) {
	src := memSource{rows: []dataset.Sample{{Row: 0, Image: []byte("a"), Label: 1}, {Row: 1, Image: []byte("b"), Label: 2}, {Row: 2, Image: []byte("c"), Label: 1}}}
	f := NewFingerprinter(src)
	require.NoError(t, f.Read([]int{0, 2}, func(dataset.Sample) error { return nil }))
	// printf '0\t1\t<sha256 of "a">\n2\t1\t<sha256 of "c">\n' | sha256sum
	require.Equal(t, Fingerprint{Rows: 2, SHA256: "62d4437978be58e90babb503c5fc618043be416263729e5070ad52d37bfd7a5e"}, f.Fingerprint())
	want := f.Fingerprint()
	// The same rows read in two calls, in another order, give the same
	// fingerprint; another label changes it.
	g := NewFingerprinter(src)
	require.NoError(t, g.Read([]int{2}, func(dataset.Sample) error { return nil }))
	require.NoError(t, g.Read([]int{0}, func(dataset.Sample) error { return nil }))
	require.Equal(t, want, g.Fingerprint())
	src.rows[2].Label = 0
	h := NewFingerprinter(src)
	require.NoError(t, h.Read([]int{0, 2}, func(dataset.Sample) error { return nil }))
	require.NotEqual(t, want.SHA256, h.Fingerprint().SHA256)
}

// TestPlacementInReport checks the placement fields: each tower's node
// counts beside the device, and no "placement" key when the run measured
// none, so that reports without it read as before.
func TestPlacementInReport(t *testing.T) {
	tower := filepath.Join(t.TempDir(), "t.onnx")
	require.NoError(t, os.WriteFile(tower, []byte("graph"), 0o644))
	run := Run{Towers: map[zsic.Role]string{zsic.ImageEncoder: tower}, Device: "qnn", ExecutionProvider: "QNN"}
	r, err := New(run)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, r.Encode(&b))
	require.NotContains(t, b.String(), `"placement"`)

	run.Placement = zsic.Placements{
		zsic.ImageEncoder: {Provider: "QNN", Nodes: map[string]int{"QNN": 3, "CPU": 12}},
		zsic.TextEncoder:  {Provider: "QNN", Nodes: map[string]int{"QNN": 1}},
	}
	r, err = New(run)
	require.NoError(t, err)
	b.Reset()
	require.NoError(t, r.Encode(&b))
	require.Contains(t, b.String(), `"placement": {
    "image-encoder": {
      "nodes": {
        "CPU": 12,
        "QNN": 3
      },
      "device_nodes": 3,
      "fallback_nodes": 12
    },`)
	back, err := Decode(b.Bytes())
	require.NoError(t, err)
	require.Equal(t, map[string]Placement{
		"image-encoder": {Nodes: map[string]int{"QNN": 3, "CPU": 12}, DeviceNodes: 3, FallbackNodes: 12},
		"text-encoder":  {Nodes: map[string]int{"QNN": 1}, DeviceNodes: 1, FallbackNodes: 0},
	}, back.Placement)
}
