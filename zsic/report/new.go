package report

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/prompt"
)

// Run is what an evaluation knows about itself; New turns it into a
// Report.
type Run struct {
	// ModelID is the model folder or Hub id.
	ModelID string
	// Towers maps each role to its ONNX file's path.
	Towers map[zsic.Role]string
	// Device is the --device, e.g. "cpu"; ExecutionProvider the ONNX
	// Runtime provider it names, e.g. "CPU"; StrictDevice whether CPU
	// fallback was forbidden.
	Device            string
	ExecutionProvider string
	StrictDevice      bool
	// Placement is where each tower's nodes ran, if measured.
	Placement zsic.Placements
	// Threads, Workers and Streams are the run's parallelism (see
	// Provenance).
	Threads, Workers, Streams int
	// ONNXRuntime is the runtime library's version.
	ONNXRuntime string
	// Dataset says what was evaluated; Fingerprint identifies the rows
	// read (see Fingerprinter).
	Dataset     Dataset
	Fingerprint Fingerprint
	// Prompts identifies the class names and prompts; Classes are the
	// class names by label id.
	Prompts *prompt.Record
	Classes []string
	// Start is when the run started; the report's duration runs from it
	// to the call of New.
	Start time.Time
	// Metrics, Failures and Timings are the run's outcome.
	Metrics  zsic.Metrics
	Failures []zsic.Failure
	Timings  Timings
}

// New assembles the report of a run, hashing its towers. The predictions
// file's identity is left for the caller, who writes that file.
func New(r Run) (*Report, error) {
	towers := map[string]File{}
	paths := map[string]string{}
	for _, role := range slices.Sorted(maps.Keys(r.Towers)) {
		f, err := HashFile(r.Towers[role])
		if err != nil {
			return nil, fmt.Errorf("report: tower %s: %w", role, err)
		}
		towers[string(role)] = f
		paths[string(role)] = r.Towers[role]
	}
	return &Report{
		Schema:            Schema,
		ModelID:           r.ModelID,
		ModelPath:         paths,
		Task:              "zero-shot-image-classification",
		Device:            r.Device,
		ExecutionProvider: r.ExecutionProvider,
		StrictDevice:      r.StrictDevice,
		Placement:         newPlacement(r.Placement),
		Dataset:           r.Dataset,
		Metrics:           r.Metrics,
		Timings:           r.Timings,
		Provenance: Provenance{
			Zsic:              CurrentBuild(),
			ONNXRuntime:       r.ONNXRuntime,
			Towers:            towers,
			ExecutionProvider: r.ExecutionProvider,
			Threads:           r.Threads,
			Workers:           r.Workers,
			Streams:           r.Streams,
			CPU:               CurrentCPU(),
			Start:             r.Start.UTC(),
			DurationS:         time.Since(r.Start).Seconds(),
			Dataset:           r.Fingerprint,
		},
		Prompts:      r.Prompts,
		ClassNames:   r.Classes,
		FailureCount: len(r.Failures),
		Failures:     r.Failures,
	}, nil
}

// newPlacement returns the report's placement of each tower, nil when none
// was measured.
func newPlacement(p zsic.Placements) map[string]Placement {
	if len(p) == 0 {
		return nil
	}
	out := make(map[string]Placement, len(p))
	for role, pl := range p {
		out[string(role)] = Placement{Nodes: maps.Clone(pl.Nodes), DeviceNodes: pl.OnDevice(), FallbackNodes: pl.Fallback()}
	}
	return out
}
