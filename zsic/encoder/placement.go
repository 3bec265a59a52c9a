package encoder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Placement says where ONNX Runtime ran a tower's nodes: how many of the
// nodes of the optimized graph each execution provider ran, counting the
// nodes of a control-flow node's subgraph (If, Loop) that ran. Off the CPU,
// ONNX Runtime silently gives the CPU the nodes the device's provider
// cannot run, unless Options.StrictDevice forbids it.
//
// Providers that compile the graph for the device (TensorRT, OpenVINO,
// QNN, CoreML) run each part they take as one fused node, so their count
// is the number of such parts, not of the original graph's nodes; the
// CPU's count is still the number of nodes left to the CPU.
type Placement struct {
	// Provider is the provider the session asked for, as ProviderName
	// names it ("CUDA", "QNN", "CPU").
	Provider string
	// Nodes counts the nodes that ran, by the provider that ran them,
	// named as Provider is ("CPU" for ONNX Runtime's
	// CPUExecutionProvider); a provider whose name zsic does not know
	// keeps ONNX Runtime's, less "ExecutionProvider".
	Nodes map[string]int
}

// OnDevice returns the number of nodes Provider ran.
func (p Placement) OnDevice() int { return p.Nodes[p.Provider] }

// Fallback returns the number of nodes other providers ran: in practice
// the CPU's, which takes what the device's provider cannot run. It is 0
// when the device is the CPU.
func (p Placement) Fallback() int { return p.Total() - p.OnDevice() }

// Total returns the number of nodes that ran.
func (p Placement) Total() int {
	n := 0
	for _, c := range p.Nodes {
		n += c
	}
	return n
}

// String lists the node counts, Provider first, then the others by name,
// e.g. "CUDA 412, CPU 3"; "not measured" for the zero Placement.
func (p Placement) String() string {
	if p.Nodes == nil {
		return "not measured"
	}
	parts := []string{fmt.Sprintf("%s %d", p.Provider, p.OnDevice())}
	for _, name := range slices.Sorted(maps.Keys(p.Nodes)) {
		if name != p.Provider {
			parts = append(parts, fmt.Sprintf("%s %d", name, p.Nodes[name]))
		}
	}
	return strings.Join(parts, ", ")
}

// PlacementByDefault reports whether zsic measures placement on device
// unless told otherwise: off the CPU, where ONNX Runtime may leave nodes to
// the CPU. On the CPU every node runs on the CPU provider, so measuring it
// would cost a session per tower to learn nothing.
func PlacementByDefault(device string) bool { return ProviderName(device) != "CPU" }

// Placement measures where ONNX Runtime places the image tower's nodes. It
// opens a second session on the same graph, with the same options, device
// and provider options, and ONNX Runtime's profiling on; runs it once on a
// blank image of height×width (0×0 takes the size the graph fixes);
// closes it, which writes the profile into a private
// temporary folder; and reads and removes that profile. The tower's own
// session is never profiled, so its runs are not slowed. On a device that
// compiles graphs, the second session compiles again.
func (e *Image) Placement(height, width int) (Placement, error) {
	gh, gw := e.Size()
	if height == 0 && width == 0 {
		height, width = gh, gw
	}
	if height <= 0 || width <= 0 {
		return Placement{}, fmt.Errorf("placement of image encoder %s: image size %d×%d: want a positive height and width, or 0×0 for the graph's own (%d×%d, 0 where dynamic)", e.s.path, height, width, gh, gw)
	}
	return measurePlacement(e.s, func(profile string) (err error) {
		p, err := openImage(e.s.rt, e.s.path, e.s.opt, profile)
		if err != nil {
			return err
		}
		defer closeInto(p, &err)
		_, err = p.Embed(make([]float32, 3*height*width), 1, height, width)
		return err
	})
}

// placementSeqLen is the number of tokens of the text that Text.Placement
// runs through a graph whose sequence length is dynamic.
const placementSeqLen = 8

// Placement measures where ONNX Runtime places the text tower's nodes, as
// Image.Placement does, running one text of token id 0 (of the graph's
// sequence length, or 8 tokens where it is dynamic).
func (e *Text) Placement() (Placement, error) {
	seq := e.SeqLen()
	if seq == 0 {
		seq = placementSeqLen
	}
	ids, mask := [][]int64{make([]int64, seq)}, [][]int64{make([]int64, seq)}
	for i := range mask[0] {
		mask[0][i] = 1
	}
	return measurePlacement(e.s, func(profile string) (err error) {
		p, err := openText(e.s.rt, e.s.path, e.s.opt, profile)
		if err != nil {
			return err
		}
		defer closeInto(p, &err)
		_, err = p.Embed(ids, mask)
		return err
	})
}

// closeInto closes c, keeping its error in *err unless one is there.
func closeInto(c io.Closer, err *error) {
	if cerr := c.Close(); *err == nil {
		*err = cerr
	}
}

// measurePlacement calls run with a profile prefix in a new temporary
// folder; run opens a profiling session of s's graph with it, runs it once
// and closes it. It then reads the one profile ONNX Runtime wrote there
// and removes the folder.
func measurePlacement(s *session, run func(profile string) error) (Placement, error) {
	fail := func(err error) (Placement, error) {
		return Placement{}, fmt.Errorf("placement of %s %s: %w", s.role, s.path, err)
	}
	dir, err := os.MkdirTemp("", "zsic-placement-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	if err := run(filepath.Join(dir, "profile")); err != nil {
		return fail(fmt.Errorf("profiling run: %w", err))
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return fail(err)
	}
	if len(files) != 1 {
		return fail(fmt.Errorf("want one ONNX Runtime profile in %s, found %d", dir, len(files)))
	}
	f, err := os.Open(files[0])
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	nodes, err := parseProfile(f)
	if err != nil {
		return fail(err)
	}
	return Placement{Provider: ProviderName(s.opt.Device), Nodes: nodes}, nil
}

// shortProvider returns the name ProviderName gives the provider ONNX
// Runtime calls id, or id less "ExecutionProvider" for a provider zsic
// does not know.
func shortProvider(id string) string {
	for _, p := range providers {
		if p.id == id {
			return p.name
		}
	}
	return strings.TrimSuffix(id, "ExecutionProvider")
}

// profileEvent is the part of a trace event of ONNX Runtime's profile that
// placement reads. A node's run is an event of category "Node" named
// "<node>_kernel_time", whose args name the provider and the node's index
// in its graph; older releases also wrote "_fence_before" and
// "_fence_after" events around it.
type profileEvent struct {
	Cat  string `json:"cat"`
	Name string `json:"name"`
	Args struct {
		Provider  string `json:"provider"`
		NodeIndex string `json:"node_index"`
	} `json:"args"`
}

// parseProfile reads an ONNX Runtime profile, a JSON array of Chrome trace
// events (or an object holding them as "traceEvents"), and counts the
// distinct nodes that ran by provider, named by shortProvider. A profile
// it cannot read whole, a node run that names no provider, a node run by
// two providers, or a profile without a node run is an error, never a
// partial count.
func parseProfile(r io.Reader) (map[string]int, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read ONNX Runtime profile: %w", err)
	}
	var events []profileEvent
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		var obj struct {
			TraceEvents *[]profileEvent `json:"traceEvents"`
		}
		err = json.Unmarshal(trimmed, &obj)
		if err == nil && obj.TraceEvents == nil {
			err = errors.New(`an object without "traceEvents"`)
		}
		if obj.TraceEvents != nil {
			events = *obj.TraceEvents
		}
	} else {
		err = json.Unmarshal(data, &events)
	}
	if err != nil {
		return nil, fmt.Errorf("not an ONNX Runtime profile (want a JSON array of trace events): %w", err)
	}
	ran := map[string]string{} // provider by node
	for i, ev := range events {
		if ev.Cat != "Node" {
			continue
		}
		node, ok := strings.CutSuffix(ev.Name, "_kernel_time")
		if !ok {
			if strings.HasSuffix(ev.Name, "_fence_before") || strings.HasSuffix(ev.Name, "_fence_after") {
				continue
			}
			return nil, fmt.Errorf("ONNX Runtime profile: event %d: node event %q is neither a kernel run (_kernel_time) nor a fence", i, ev.Name)
		}
		if ev.Args.Provider == "" {
			return nil, fmt.Errorf("ONNX Runtime profile: event %d: node %q names no provider (args.provider)", i, node)
		}
		key := node + "\x00" + ev.Args.NodeIndex
		if prev, seen := ran[key]; seen && prev != ev.Args.Provider {
			return nil, fmt.Errorf("ONNX Runtime profile: event %d: node %q ran on %s and on %s", i, node, prev, ev.Args.Provider)
		}
		ran[key] = ev.Args.Provider
	}
	if len(ran) == 0 {
		return nil, fmt.Errorf("ONNX Runtime profile: no node ran (%d events, none a node's kernel run)", len(events))
	}
	nodes := map[string]int{}
	for _, p := range ran {
		nodes[shortProvider(p)]++
	}
	return nodes, nil
}
