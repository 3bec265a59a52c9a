package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/zsic/zsic/internal/shard"
	"github.com/zsic/zsic/zsic"
	runreport "github.com/zsic/zsic/zsic/report"
)

// scaleFlags are eval's flags for runs split over several processes or
// resumed after a kill.
type scaleFlags struct {
	shard  string
	resume bool
	spec   *shard.Spec // parsed --shard
}

func (s *scaleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.shard, "shard", "", "evaluate part K of N of the selected rows: K/N (K from 0), auto/N or auto, reading the part from JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID, _MIN and _COUNT (Slurm)")
	fs.BoolVar(&s.resume, "resume", false, "continue a killed run from the partial predictions it left (.NAME.partial beside the --predictions file NAME); start afresh when there are none")
}

// check parses --shard and checks the outputs the flags need.
func (s *scaleFlags) check(output, predictions string) error {
	if s.shard != "" {
		spec, err := shard.Parse(s.shard, os.Getenv)
		if err != nil {
			return err
		}
		s.spec = &spec
		if output == "" || predictions == "" {
			return fmt.Errorf("--shard needs --output and --predictions: zsic merge reads each shard's report and predictions")
		}
	}
	if s.resume && predictions == "" {
		return errors.New("--resume needs --predictions: a run resumes from the partial predictions file it writes")
	}
	return nil
}

// fingerprintInput is what a run's fingerprint is computed from.
type fingerprintInput struct {
	model    *zsic.Model
	variant  string
	device   string
	ort      string // ONNX Runtime version
	data     string // the dataset: a local path or a Hub id
	split    string
	revision string // of a Hub dataset
	cols     map[string]string
	total    int // rows in the dataset
	samples  int
	shuffle  bool
	seed     int64
	manifest string
	rows     []int      // the selection, before any split into shards
	prompts  [][]string // each class's prompts
	head     string     // the saved head used instead, if any
	classes  []string
}

// runFingerprint computes the fingerprint of a run (see shard.Fingerprint).
func runFingerprint(in fingerprintInput) (*shard.Fingerprint, error) {
	fp := &shard.Fingerprint{Device: in.device}
	fp.Model = shard.ModelID{Type: string(in.model.Type), Towers: map[string]shard.FileID{}, Files: map[string]string{}}
	for _, r := range zsic.Roles() {
		id, err := shard.HashTower(in.model.Towers[r])
		if err != nil {
			return nil, err
		}
		fp.Model.Towers[string(r)] = id
	}
	// The configs and tokenizer files zsic reads from the model folder.
	want := zsic.ModelFiles(in.variant)
	entries, err := os.ReadDir(in.model.Dir)
	if err != nil {
		return nil, fmt.Errorf("fingerprint model: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !want(e.Name()) || filepath.Ext(e.Name()) == ".onnx" {
			continue
		}
		id, err := shard.HashFile(filepath.Join(in.model.Dir, e.Name()))
		if err != nil {
			return nil, err
		}
		fp.Model.Files[e.Name()] = id.SHA256
	}

	if _, err := os.Stat(in.data); err == nil {
		if fp.Dataset, err = shard.ListFiles(in.data); err != nil {
			return nil, err
		}
	} else {
		// A Hub dataset: its id and revision (the cache's files are the
		// Hub's, as the downloads are checked).
		fp.Dataset.Hub = in.data + "@" + in.revision
	}
	fp.Dataset.Rows, fp.Dataset.Split, fp.Dataset.Columns = in.total, in.split, in.cols

	fp.Selection = shard.Selection{Samples: in.samples, Shuffle: in.shuffle, Seed: in.seed,
		Rows: len(in.rows), RowsSHA256: shard.RowsDigest(in.rows)}
	if in.manifest != "" {
		id, err := shard.HashFile(in.manifest)
		if err != nil {
			return nil, err
		}
		fp.Selection.ManifestSHA256 = id.SHA256
	}
	var prompts []string
	for _, p := range in.prompts {
		prompts = append(prompts, p...)
	}
	fp.Prompts = shard.Prompts{Prompts: runreport.NewStrings(prompts), Classes: runreport.NewStrings(in.classes)}
	fp.Prompts.Prompts.Values = nil
	if in.head != "" {
		id, err := shard.HashFile(in.head)
		if err != nil {
			return nil, err
		}
		fp.Prompts.HeadSHA256 = id.SHA256
	}
	fp.Versions = shard.VersionInfo{Zsic: runreport.CurrentBuild(), ORT: in.ort}
	return fp, nil
}

// remaining returns rows without those already done.
func remaining(rows []int, done shard.Done) []int {
	if done.Rows() == 0 {
		return rows
	}
	seen := make(map[int]bool, done.Rows())
	for _, p := range done.Predictions {
		seen[p.Row] = true
	}
	for _, f := range done.Failures {
		seen[f.Row] = true
	}
	return slices.DeleteFunc(slices.Clone(rows), func(r int) bool { return seen[r] })
}

// testPause, when ZSIC_TEST_PAUSE_AFTER_BATCHES=K is set, stops the run
// after its K-th batch is saved and waits to be killed: the end-to-end tests
// use it to kill a run at a point they control. It is not a user feature.
func testPause(stderr io.Writer) func() {
	k, err := strconv.Atoi(os.Getenv("ZSIC_TEST_PAUSE_AFTER_BATCHES"))
	if err != nil || k <= 0 {
		return func() {}
	}
	var n int
	return func() {
		if n++; n == k {
			fmt.Fprintf(stderr, "zsic: test pause after %d batches\n", k)
			for {
				time.Sleep(time.Hour)
			}
		}
	}
}
