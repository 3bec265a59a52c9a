package encoder

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	ort "github.com/yalue/onnxruntime_go"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/zsic/zsic/internal/testenv"
)

// recordProfile rewrites recordedProfile from a real profiling run:
// go test ./zsic/encoder -run TestRecordProfile -record-profile.
var recordProfile = flag.Bool("record-profile", false, "record testdata's ONNX Runtime profile from a real run")

// recordedProfile is ONNX Runtime 1.24.3's profile of one run of
// tiny-clip's image tower (fixtures/models/tiny-clip/onnx/vision_model.onnx)
// on the CPU, one 64×64 image, as TestRecordProfile writes it.
const recordedProfile = "testdata/tiny-clip-vision.profile.json"

// tinyCLIP returns the path of one of tiny-clip's towers.
func tinyCLIP(t *testing.T, name string) string {
	return filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-clip", "onnx", name+".onnx")
}

// TestRecordProfile writes recordedProfile with the same profiling
// session Image.Placement opens (it does nothing without -record-profile).
func TestRecordProfile(t *testing.T) {
	if !*recordProfile {
		t.Skip("records testdata only with -record-profile")
	}
	dir := t.TempDir()
	rt := newRuntime(t)
	e, err := openImage(rt, tinyCLIP(t, "vision_model"), Options{Device: "cpu", Threads: 1}, filepath.Join(dir, "profile"))
	require.NoError(t, err)
	_, err = e.Embed(make([]float32, 3*64*64), 1, 64, 64)
	require.NoError(t, err)
	require.NoError(t, e.Close())
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(recordedProfile, data, 0o644))
}

// optimizedNodes returns the number of nodes a run of path under opt
// runs: it has ONNX Runtime write the optimized model
// (SetOptimizedModelFilePath) and counts the nodes of its graph from the
// protobuf wire format, with those of the subgraphs a control-flow node
// runs (runNodes).
func optimizedNodes(t *testing.T, path string, opt Options) int {
	t.Helper()
	out := filepath.Join(t.TempDir(), "optimized.onnx")
	so, err := sessionOptions(opt)
	require.NoError(t, err)
	defer so.Destroy()
	require.NoError(t, so.SetOptimizedModelFilePath(out))
	_, _, err = ort.GetInputOutputInfoWithOptions(path, so)
	require.NoError(t, err)
	model, err := os.ReadFile(out)
	require.NoError(t, err)
	graph := field(t, model, 7) // ModelProto.graph
	require.Len(t, graph, 1, "one graph")
	return runNodes(t, graph[0])
}

// runNodes counts the nodes of a GraphProto that one run runs: each of its
// nodes (GraphProto.node = 1), and for a node with subgraphs
// (NodeProto.attribute = 5, AttributeProto.g = 6), the nodes of the one it
// runs: If runs one of two branches, so the test graphs' branches must
// agree in size.
func runNodes(t *testing.T, graph []byte) int {
	t.Helper()
	n := 0
	for _, node := range field(t, graph, 1) {
		n++
		sub := -1
		for _, attr := range field(t, node, 5) {
			for _, g := range field(t, attr, 6) {
				c := runNodes(t, g)
				require.True(t, sub < 0 || sub == c, "subgraphs of %d and %d nodes: the count would depend on the branch taken", sub, c)
				sub = c
			}
		}
		n += max(sub, 0)
	}
	return n
}

// field returns the values of a length-delimited protobuf field.
func field(t *testing.T, msg []byte, num protowire.Number) [][]byte {
	t.Helper()
	var vals [][]byte
	for len(msg) > 0 {
		n, typ, l := protowire.ConsumeTag(msg)
		require.GreaterOrEqual(t, l, 0, "bad tag")
		msg = msg[l:]
		l = protowire.ConsumeFieldValue(n, typ, msg)
		require.GreaterOrEqual(t, l, 0, "bad field %d", n)
		if n == num && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(msg)
			vals = append(vals, v)
		}
		msg = msg[l:]
	}
	return vals
}

// TestPlacementCPU measures both of tiny-clip's towers through ONNX
// Runtime on the CPU: every node runs on the CPU provider, as many as the
// optimized graph has, and the profile leaves nothing behind.
func TestPlacementCPU(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where measurePlacement makes its folder
	rt := newRuntime(t)
	opt := Options{Device: "cpu", Threads: 1}

	img, err := OpenImage(rt, tinyCLIP(t, "vision_model"), opt)
	require.NoError(t, err)
	defer img.Close()
	p, err := img.Placement(0, 0) // the graph fixes 64×64
	require.NoError(t, err)
	want := optimizedNodes(t, tinyCLIP(t, "vision_model"), opt)
	require.Greater(t, want, 0)
	require.Equal(t, Placement{Provider: "CPU", Nodes: map[string]int{"CPU": want}}, p)
	require.Equal(t, want, p.OnDevice())
	require.Zero(t, p.Fallback())
	require.Equal(t, "CPU "+strconv.Itoa(want), p.String())
	// The tower's own session still runs, unprofiled, and was not run by
	// Placement.
	_, err = img.Embed(make([]float32, 3*64*64), 1, 64, 64)
	require.NoError(t, err)
	require.Equal(t, 1, img.Stats().FirstItems)
	require.Zero(t, img.Stats().WarmRuns)

	txt, err := OpenText(rt, tinyCLIP(t, "text_model"), opt)
	require.NoError(t, err)
	defer txt.Close()
	p, err = txt.Placement()
	require.NoError(t, err)
	want = optimizedNodes(t, tinyCLIP(t, "text_model"), opt)
	require.Greater(t, want, 0)
	require.Equal(t, Placement{Provider: "CPU", Nodes: map[string]int{"CPU": want}}, p)

	left, err := filepath.Glob(filepath.Join(tmp, "zsic-placement-*"))
	require.NoError(t, err)
	require.Empty(t, left, "the profiles' folders are removed")
}

// TestPlacementSizes checks the image size a profiling run takes: the
// graph's own, or the one given for a dynamic graph, which needs one.
func TestPlacementSizes(t *testing.T) {
	rt := newRuntime(t)
	e, err := OpenImage(rt, graph(t, "image_dynamic"), Options{Threads: 1})
	require.NoError(t, err)
	defer e.Close()
	_, err = e.Placement(0, 0)
	require.ErrorContains(t, err, "placement of image encoder")
	require.ErrorContains(t, err, "image size 0×0: want a positive height and width, or 0×0 for the graph's own (0×0, 0 where dynamic)")
	_, err = e.Placement(-1, 4)
	require.ErrorContains(t, err, "image size -1×4: want a positive height")
	p, err := e.Placement(4, 4)
	require.NoError(t, err)
	require.Equal(t, "CPU", p.Provider)
	require.Equal(t, p.Total(), p.Nodes["CPU"])
	require.Greater(t, p.Total(), 0)

	fixed, err := OpenImage(rt, graph(t, "image_fixed_batch"), Options{Threads: 1})
	require.NoError(t, err)
	defer fixed.Close()
	_, err = fixed.Placement(4, 4)
	require.ErrorContains(t, err, "profiling run: image encoder")
	require.ErrorContains(t, err, "images are 4×4, the graph wants 8×8")
	_, err = fixed.Placement(0, 0)
	require.NoError(t, err)
}

// TestParseProfile counts the recorded profile's nodes, and the same
// profile with some nodes moved to another provider, as a GPU run would
// place them.
func TestParseProfile(t *testing.T) {
	data, err := os.ReadFile(recordedProfile)
	require.NoError(t, err)
	nodes, err := parseProfile(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, map[string]int{"CPU": 59}, nodes)

	// Move the Conv nodes to CUDA: 13 of them in this graph (see its
	// op_name fields).
	convs := strings.Count(string(data), `"op_name" : "Conv"`)
	require.Greater(t, convs, 0)
	moved := moveConvs(t, data, "CUDAExecutionProvider")
	nodes, err = parseProfile(bytes.NewReader(moved))
	require.NoError(t, err)
	require.Equal(t, map[string]int{"CUDA": convs, "CPU": 59 - convs}, nodes)
	p := Placement{Provider: ProviderName("cuda"), Nodes: nodes}
	require.Equal(t, convs, p.OnDevice())
	require.Equal(t, 59-convs, p.Fallback())
	require.Equal(t, "CUDA "+strconv.Itoa(convs)+", CPU "+strconv.Itoa(59-convs), p.String())

	// Providers keep ProviderName's names; an unknown one ONNX Runtime's,
	// less the suffix.
	for id, want := range map[string]string{"TensorrtExecutionProvider": "TensorRT", "DmlExecutionProvider": "DirectML",
		"QNNExecutionProvider": "QNN", "VitisAIExecutionProvider": "VitisAI"} {
		nodes, err = parseProfile(bytes.NewReader(moveConvs(t, data, id)))
		require.NoError(t, err)
		require.Equal(t, convs, nodes[want], id)
	}

	// The object form of a Chrome trace holds the same events.
	nodes, err = parseProfile(strings.NewReader(`{"traceEvents": ` + string(data) + `}`))
	require.NoError(t, err)
	require.Equal(t, map[string]int{"CPU": 59}, nodes)

	// A second run of the same nodes counts them once; fence events are
	// not nodes.
	events := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(string(data)), "["), "]")
	twice := `[{"cat":"Node","name":"x_fence_before","args":{}},` + events + "," + events + "]"
	nodes, err = parseProfile(strings.NewReader(twice))
	require.NoError(t, err)
	require.Equal(t, map[string]int{"CPU": 59}, nodes)

	require.Equal(t, "not measured", Placement{}.String())
}

// moveConvs returns the profile with the provider of its Conv nodes set
// to id.
func moveConvs(t *testing.T, data []byte, id string) []byte {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.Contains(l, `"op_name" : "Conv"`) {
			lines[i] = strings.Replace(l, `"provider" : "CPUExecutionProvider"`, `"provider" : "`+id+`"`, 1)
			require.NotEqual(t, l, lines[i], "line %d names no provider", i)
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// TestParseProfileMalformed checks that a profile the parser cannot read
// whole is an error naming what is wrong, never a count.
func TestParseProfileMalformed(t *testing.T) {
	data, err := os.ReadFile(recordedProfile)
	require.NoError(t, err)
	good := string(data)
	node := `{"cat":"Node","name":"a_kernel_time","args":{"provider":"CPUExecutionProvider","node_index":"0"}}`
	for _, tt := range []struct {
		name, profile, err string
	}{
		{"empty", "", "not an ONNX Runtime profile"},
		{"truncated", good[:len(good)/2], "not an ONNX Runtime profile"},
		{"cut before the closing bracket", strings.TrimSuffix(strings.TrimSpace(good), "]"), "not an ONNX Runtime profile"},
		{"not JSON", "provider: CPU", "not an ONNX Runtime profile"},
		{"an object of something else", `{"nodes": 59}`, `an object without "traceEvents"`},
		{"a number", `59`, "not an ONNX Runtime profile"},
		{"no events", `[]`, "no node ran (0 events"},
		{"session events only", `[{"cat":"Session","name":"model_run","args":{}}]`, "no node ran (1 events"},
		{"provider missing", strings.Replace(good, `"provider" : "CPUExecutionProvider",`, "", 1), "names no provider (args.provider)"},
		{"provider not a string", strings.Replace(good, `"provider" : "CPUExecutionProvider"`, `"provider" : 7`, 1), "not an ONNX Runtime profile"},
		{"two providers for a node", `[` + node + `,` + strings.Replace(node, "CPU", "CUDA", 1) + `]`, `node "a" ran on CPUExecutionProvider and on CUDAExecutionProvider`},
		{"unknown node event", `[` + node + `,{"cat":"Node","name":"a_launch","args":{}}]`, `node event "a_launch" is neither a kernel run`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			nodes, err := parseProfile(strings.NewReader(tt.profile))
			require.ErrorContains(t, err, tt.err)
			require.Nil(t, nodes)
		})
	}
	_, err = parseProfile(errReader{})
	require.ErrorContains(t, err, "read ONNX Runtime profile: disk gone")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk gone") }
