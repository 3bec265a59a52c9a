package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/shard"
	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/dataset"
)

// buildZsic builds the zsic binary into a temporary folder.
func buildZsic(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "zsic")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build ./cmd/zsic: %s", out)
	return bin
}

// engineEnv is the environment of a task of an engine: the test's own,
// without any engine variables it may run under, plus vars.
func engineEnv(vars ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "JOB_COMPLETION_INDEX=") || strings.HasPrefix(kv, "SLURM_") || strings.HasPrefix(kv, pauseEnv+"=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, vars...)
}

// zsicRun runs the binary and fails the test unless it succeeds.
func zsicRun(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "zsic %s\n%s", strings.Join(args, " "), stderr.String())
	return stdout.String()
}

// zsicFail runs the binary, requires it to fail, and returns its stderr.
func zsicFail(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	require.Error(t, err, "zsic %s succeeded", strings.Join(args, " "))
	return stderr.String()
}

// imageFolder writes CIFAR-100 test rows 0..n-1 as an ImageFolder dataset
// and returns its path.
func imageFolder(t *testing.T, n int) string {
	t.Helper()
	src, err := dataset.Open(testenv.CIFAR100(t), dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	dir := t.TempDir()
	rows, err := dataset.Select(src.Len(), n, false, 0)
	require.NoError(t, err)
	require.NoError(t, src.Read(rows, func(s dataset.Sample) error {
		d := filepath.Join(dir, src.Classes()[s.Label])
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(d, fmt.Sprintf("row%03d.png", s.Row)), s.Image, 0o644)
	}))
	return dir
}

// pinSample writes a manifest pinning every third row of the dataset at dir,
// from the end, and returns its path.
func pinSample(t *testing.T, dir string) string {
	t.Helper()
	src, err := dataset.Open(dir, dataset.DefaultColumns())
	require.NoError(t, err)
	defer src.Close()
	var rows []int
	for r := src.Len() - 1; r >= 0; r -= 3 {
		rows = append(rows, r)
	}
	slices.Sort(rows)
	m, err := dataset.NewManifest(src, rows, "cifar100-folder", "test", 0)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "sample.json")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, m.Encode(f))
	require.NoError(t, f.Close())
	return path
}

// engineVars returns the variables an engine sets in task k of n.
func engineVars(engine string, k, n int) (shardArg string, vars []string) {
	if engine == "kubernetes" {
		return "auto/" + strconv.Itoa(n), []string{"JOB_COMPLETION_INDEX=" + strconv.Itoa(k)}
	}
	// A Slurm array --array=10-(10+n-1): ids need not start at 0.
	return "auto", []string{
		"SLURM_ARRAY_TASK_ID=" + strconv.Itoa(10+k), "SLURM_ARRAY_TASK_MIN=10",
		"SLURM_ARRAY_TASK_COUNT=" + strconv.Itoa(n), "SLURM_ARRAY_JOB_ID=1234",
	}
}

// runShards runs n shards of args at once, as an engine would, each with
// its index in the engine's variables and outputs in the common folder out.
func runShards(t *testing.T, bin, engine string, n int, out string, args []string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	logs := make([]bytes.Buffer, n)
	for k := range n {
		arg, vars := engineVars(engine, k, n)
		cmd := exec.Command(bin, append(slices.Clone(args), "--shard", arg, "--quiet",
			"--output", filepath.Join(out, fmt.Sprintf("shard-%d.json", k)),
			"--predictions", filepath.Join(out, fmt.Sprintf("shard-%d.jsonl", k)))...)
		cmd.Env = engineEnv(vars...)
		cmd.Stderr = &logs[k]
		wg.Go(func() { errs[k] = cmd.Run() })
	}
	wg.Wait()
	for k, err := range errs {
		require.NoError(t, err, "shard %d: %s", k, logs[k].String())
	}
}

// requireSameRun requires the merged report and predictions to be those of the
// single-process run: the same metrics, samples, failures, fingerprint and
// dataset, and byte-identical predictions.
func requireSameRun(t *testing.T, singleReport, singlePreds, mergedReport, mergedPreds string) {
	t.Helper()
	var a, b report
	require.NoError(t, json.Unmarshal([]byte(readFile(t, singleReport)), &a))
	require.NoError(t, json.Unmarshal([]byte(readFile(t, mergedReport)), &b))
	require.Equal(t, a.Metrics, b.Metrics)
	require.Equal(t, a.Dataset, b.Dataset)
	require.Equal(t, a.Failures, b.Failures)
	require.Equal(t, a.ModelID, b.ModelID)
	require.NotNil(t, a.Fingerprint)
	require.Equal(t, a.Fingerprint, b.Fingerprint)
	require.Nil(t, b.Shard)
	require.Equal(t, readFile(t, singlePreds), readFile(t, mergedPreds))
}

// TestShardedRunsEqualSingleRun runs the binary as 3 and 4 separate
// processes that take their part from the Kubernetes or the Slurm
// variables, merges them, and requires the single-process report and
// predictions, on the first rows, a shuffled sample and a manifest.
func TestShardedRunsEqualSingleRun(t *testing.T) {
	bin := buildZsic(t)
	cifar := testenv.CIFAR100(t)
	folder := imageFolder(t, 45)
	model := tinyCLIP(t)
	type split struct {
		engine string
		n      int
	}
	k8s3, k8s4, slurm3, slurm4 := split{"kubernetes", 3}, split{"kubernetes", 4}, split{"slurm", 3}, split{"slurm", 4}
	selections := []struct {
		name   string
		args   []string
		splits []split
	}{
		{"first rows", []string{"--dataset", cifar, "--samples", "50"}, []split{k8s3, slurm4}},
		{"shuffled", []string{"--dataset", cifar, "--samples", "41", "--shuffle", "--seed", "7"}, []split{k8s4, slurm3}},
		{"manifest", []string{"--dataset", folder, "--manifest", pinSample(t, folder)}, []split{k8s3, slurm4}},
	}
	for _, sel := range selections {
		t.Run(sel.name, func(t *testing.T) {
			args := append([]string{"eval", "-m", model, "--batch-size", "4"}, sel.args...)
			single := t.TempDir()
			sr, sp := filepath.Join(single, "report.json"), filepath.Join(single, "preds.jsonl")
			zsicRun(t, bin, engineEnv(), append(slices.Clone(args), "--quiet", "--output", sr, "--predictions", sp)...)
			for _, tc := range sel.splits {
				t.Run(fmt.Sprintf("%s %d", tc.engine, tc.n), func(t *testing.T) {
					out := t.TempDir()
					runShards(t, bin, tc.engine, tc.n, out, args)
					mr, mp := filepath.Join(out, "report.json"), filepath.Join(out, "predictions.jsonl")
					stdout := zsicRun(t, bin, engineEnv(), "merge", "--output", mr, "--predictions", mp, filepath.Join(out, "shard-*.json"))
					require.Contains(t, stdout, fmt.Sprintf("%d shards merged", tc.n))
					requireSameRun(t, sr, sp, mr, mp)
					// Each shard report says which part it is.
					for k := range tc.n {
						var r report
						require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(out, fmt.Sprintf("shard-%d.json", k)))), &r))
						require.Equal(t, &shard.Spec{Index: k, Count: tc.n}, r.Shard)
					}
				})
			}
		})
	}
}

// pauseEnv makes zsic eval stop after that many batches, flushed, and wait
// to be killed: a point in the run the test controls. Test-only.
const pauseEnv = "ZSIC_TEST_PAUSE_AFTER_BATCHES"

// killAfter starts zsic with args, waits until it has written batches
// batches, kills it with SIGKILL and waits for it to end.
func killAfter(t *testing.T, bin string, env []string, batches int, args ...string) {
	t.Helper()
	_, err := stopAfter(t, bin, env, batches, syscall.SIGKILL, args...)
	require.ErrorContains(t, err, "signal: killed")
}

// stopAfter starts zsic with args, waits until it has written batches
// batches, sends it sig and waits for it to end. It returns what zsic
// wrote to stderr after the pause, and how it ended.
func stopAfter(t *testing.T, bin string, env []string, batches int, sig syscall.Signal, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(slices.Clone(env), pauseEnv+"="+strconv.Itoa(batches))
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	paused, rest := make(chan string, 1), make(chan string, 1)
	go func() {
		var log strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "test pause after") {
				paused <- log.String()
				b, _ := io.ReadAll(stderr)
				rest <- string(b)
				return
			}
		}
		paused <- "exited without pausing:\n" + log.String()
		rest <- ""
	}()
	select {
	case msg := <-paused:
		require.Contains(t, msg, fmt.Sprintf("test pause after %d batches", batches))
	case <-time.After(2 * time.Minute):
		t.Fatal("zsic did not pause")
	}
	require.NoError(t, cmd.Process.Signal(sig))
	after := <-rest
	return after, cmd.Wait()
}

// TestInterruptNamesPartial interrupts a run with --predictions partway:
// it exits 130 having written no report, and says where the predictions
// made so far are kept, a file that --resume continues.
func TestInterruptNamesPartial(t *testing.T) {
	bin := buildZsic(t)
	dir := t.TempDir()
	r, p := filepath.Join(dir, "report.json"), filepath.Join(dir, "preds.jsonl")
	msg, err := stopAfter(t, bin, engineEnv(), 2, syscall.SIGINT, "eval", "-m", tinyCLIP(t), "--dataset", testenv.CIFAR100(t),
		"--samples", "40", "--batch-size", "4", "--quiet", "--output", r, "--predictions", p)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 130, exit.ExitCode(), msg)
	require.Contains(t, msg, "interrupted (SIGINT); no output was written; the predictions made so far are kept in "+partialOf(t, p)+" (run again with --resume to continue)")
	require.NoFileExists(t, r)
	require.NoFileExists(t, p)
	require.FileExists(t, partialOf(t, p))
}

// partialOf returns the partial predictions file of predictions p.
func partialOf(t *testing.T, p string) string {
	t.Helper()
	name, err := shard.PartialPath(p)
	require.NoError(t, err)
	return name
}

// TestResumeAfterKill kills runs with SIGKILL partway, twice, tears the last
// line of their partial predictions, resumes them, and requires the
// uninterrupted run's report and predictions: for a whole run, and for a
// shard merged with the other.
func TestResumeAfterKill(t *testing.T) {
	bin := buildZsic(t)
	env := engineEnv()
	args := []string{"eval", "-m", tinyCLIP(t), "--dataset", testenv.CIFAR100(t), "--samples", "37", "--shuffle", "--seed", "3", "--batch-size", "4", "--quiet"}
	ref := t.TempDir()
	rr, rp := filepath.Join(ref, "report.json"), filepath.Join(ref, "preds.jsonl")
	zsicRun(t, bin, env, append(slices.Clone(args), "--output", rr, "--predictions", rp)...)

	for _, sh := range []string{"", "1/2"} {
		t.Run("shard "+sh, func(t *testing.T) {
			dir := t.TempDir()
			r, p := filepath.Join(dir, "report.json"), filepath.Join(dir, "preds.jsonl")
			run := append(slices.Clone(args), "--output", r, "--predictions", p)
			if sh != "" {
				run = append(run, "--shard", sh)
			}
			killAfter(t, bin, env, 2, run...)
			// Killed: no report, no predictions, a partial file with the
			// header and two batches of four.
			require.NoFileExists(t, r)
			require.NoFileExists(t, p)
			lines := strings.Split(strings.TrimSuffix(readFile(t, partialOf(t, p)), "\n"), "\n")
			require.Len(t, lines, 1+2*4)

			// Resumed and killed again, then the last line torn as if the
			// kill came during a write.
			killAfter(t, bin, env, 1, append(slices.Clone(run), "--resume")...)
			lines = strings.Split(strings.TrimSuffix(readFile(t, partialOf(t, p)), "\n"), "\n")
			require.Len(t, lines, 1+3*4)
			f, err := os.OpenFile(partialOf(t, p), os.O_WRONLY|os.O_TRUNC, 0)
			require.NoError(t, err)
			torn := strings.Join(lines, "\n")
			_, err = f.WriteString(torn[:len(torn)-9])
			require.NoError(t, err)
			require.NoError(t, f.Close())

			zsicRun(t, bin, env, append(slices.Clone(run), "--resume")...)
			require.NoFileExists(t, partialOf(t, p))
			if sh == "" {
				requireSameRun(t, rr, rp, r, p)
				return
			}
			// The resumed shard merges with an uninterrupted other half.
			other := append(slices.Clone(args), "--shard", "0/2",
				"--output", filepath.Join(dir, "report-0.json"), "--predictions", filepath.Join(dir, "preds-0.jsonl"))
			zsicRun(t, bin, env, other...)
			mr, mp := filepath.Join(dir, "merged.json"), filepath.Join(dir, "merged.jsonl")
			zsicRun(t, bin, env, "merge", "--output", mr, "--predictions", mp, filepath.Join(dir, "report-0.json"), r)
			requireSameRun(t, rr, rp, mr, mp)
		})
	}
}

// TestShardBadInput runs the cases a sharded or resumed run must refuse,
// each with an error that names what is wrong.
func TestShardBadInput(t *testing.T) {
	bin := buildZsic(t)
	cifar := testenv.CIFAR100(t)
	clip := tinyCLIP(t)
	siglip := filepath.Join(testenv.Root(t), "fixtures", "models", "tiny-siglip")
	dir := t.TempDir()
	out := func(name string) []string {
		return []string{"--output", filepath.Join(dir, name+".json"), "--predictions", filepath.Join(dir, name+".jsonl")}
	}
	base := []string{"eval", "-m", clip, "--dataset", cifar, "--samples", "12", "--batch-size", "4", "--quiet"}
	env := engineEnv()

	for _, tt := range []struct {
		shard, env, want string
	}{
		{"3/3", "", "shard 3/3: the part must be from 0 to 2"},
		{"0/0", "", "the number of parts must be at least 1, not 0"},
		{"-1/2", "", "shard -1/2: the part must be from 0 to 1"},
		{"auto", "", "neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm job array) is set"},
		{"auto", "JOB_COMPLETION_INDEX=1", "write auto/N with N the Job's completions"},
		{"auto/2", "JOB_COMPLETION_INDEX=2", "shard 2/2: the part must be from 0 to 1"},
		{"0/13", "", "the selection has 12 rows, fewer than the 13 parts"},
	} {
		e := env
		if tt.env != "" {
			e = engineEnv(tt.env)
		}
		stderr := zsicFail(t, bin, e, append(slices.Clone(base), append(out("bad"), "--shard", tt.shard)...)...)
		require.Contains(t, stderr, tt.want, tt.shard)
		require.NotContains(t, stderr, "goroutine", "no panic")
	}
	stderr := zsicFail(t, bin, env, append(slices.Clone(base), "--shard", "0/2", "--output", filepath.Join(dir, "x.json"))...)
	require.Contains(t, stderr, "--shard needs --output and --predictions")
	stderr = zsicFail(t, bin, env, append(slices.Clone(base), "--resume")...)
	require.Contains(t, stderr, "--resume needs --predictions")

	// Shards 0/2 and 1/2, and shard 1/2 of other runs.
	zsicRun(t, bin, env, append(slices.Clone(base), append(out("s0"), "--shard", "0/2")...)...)
	zsicRun(t, bin, env, append(slices.Clone(base), append(out("s1"), "--shard", "1/2")...)...)
	otherModel := slices.Clone(base)
	otherModel[2] = siglip
	zsicRun(t, bin, env, append(otherModel, append(out("siglip1"), "--shard", "1/2")...)...)
	zsicRun(t, bin, env, "eval", "-m", clip, "--dataset", imageFolder(t, 12), "--batch-size", "4", "--quiet", "--shard", "1/2",
		"--output", filepath.Join(dir, "folder1.json"), "--predictions", filepath.Join(dir, "folder1.jsonl"))
	zsicRun(t, bin, env, append(slices.Clone(base), append(out("s1of3"), "--shard", "1/3")...)...)
	zsicRun(t, bin, env, append(slices.Clone(base), out("whole")...)...)
	p := func(name string) string { return filepath.Join(dir, name+".json") }
	merged := filepath.Join(dir, "merged.json")

	for _, tt := range []struct {
		name    string
		reports []string
		want    []string
	}{
		{"another model", []string{p("s0"), p("siglip1")}, []string{p("siglip1") + " is from another run than " + p("s0"), "model.towers.image-encoder.sha256", "missing shard(s) 1/2 of 2"}},
		{"another dataset", []string{p("s0"), p("folder1")}, []string{p("folder1") + " is from another run than " + p("s0"), "dataset.rows: 9999 ≠ 12"}},
		{"missing", []string{p("s0")}, []string{"missing shard(s) 1/2 of 2"}},
		{"twice", []string{p("s0"), p("s1"), p("s1")}, []string{"shard 1/2 is given 2 times: " + p("s1") + ", " + p("s1")}},
		{"split differently", []string{p("s0"), p("s1of3")}, []string{"is shard 1/3 but " + p("s0") + " is shard 0/2"}},
		{"not a shard", []string{p("s0"), p("s1"), p("whole")}, []string{p("whole") + " is not a shard report"}},
		{"no match", []string{filepath.Join(dir, "nothing-*.json")}, []string{"matches no file"}},
	} {
		stderr := zsicFail(t, bin, env, append([]string{"merge", "--output", merged}, tt.reports...)...)
		for _, w := range tt.want {
			require.Contains(t, stderr, w, tt.name)
		}
		require.NoFileExists(t, merged, tt.name)
	}
	// The good pair merges.
	zsicRun(t, bin, env, "merge", "--output", merged, p("s1"), p("s0"))

	// A partial predictions file from another run is refused by --resume,
	// and left in place.
	killAfter(t, bin, env, 1, append(otherModel, out("resume")...)...)
	partial := partialOf(t, filepath.Join(dir, "resume.jsonl"))
	before := readFile(t, partial)
	stderr = zsicFail(t, bin, env, append(slices.Clone(base), append(out("resume"), "--resume")...)...)
	require.Contains(t, stderr, partial+": it belongs to another run")
	require.Contains(t, stderr, "model.towers.image-encoder.sha256")
	require.Equal(t, before, readFile(t, partial))
	// Without --resume the run starts afresh over it, and says so.
	cmd := exec.Command(bin, append(slices.Clone(base), out("resume")...)...)
	cmd.Env = env
	var errb bytes.Buffer
	cmd.Stderr = &errb
	require.NoError(t, cmd.Run(), errb.String())
	require.Contains(t, errb.String(), "note: starting afresh over the partial predictions "+partial)
	require.NoFileExists(t, partial)
}

// TestResumeWithFailures resumes a run over a folder holding undecodable
// images, killed after two batches: the rows that failed before the kill
// are not tried again, and the report lists the same failures as an
// uninterrupted run's.
func TestResumeWithFailures(t *testing.T) {
	bin := buildZsic(t)
	env := engineEnv()
	data := imageFolder(t, 14)
	for i, class := range []string{"apple", "apple", "zebra"} {
		p := filepath.Join(data, class, fmt.Sprintf("broken%d.png", i))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("not a png"), 0o644))
	}
	args := []string{"eval", "-m", tinyCLIP(t), "--dataset", data, "--batch-size", "4", "--quiet"}
	ref := t.TempDir()
	rr, rp := filepath.Join(ref, "report.json"), filepath.Join(ref, "preds.jsonl")
	zsicRun(t, bin, env, append(slices.Clone(args), "--output", rr, "--predictions", rp)...)
	var want report
	require.NoError(t, json.Unmarshal([]byte(readFile(t, rr)), &want))
	require.Len(t, want.Failures, 3)

	dir := t.TempDir()
	r, p := filepath.Join(dir, "report.json"), filepath.Join(dir, "preds.jsonl")
	run := append(slices.Clone(args), "--output", r, "--predictions", p)
	killAfter(t, bin, env, 2, run...)
	require.Contains(t, readFile(t, partialOf(t, p)), `"error":"decode image`)
	zsicRun(t, bin, env, append(slices.Clone(run), "--resume")...)
	requireSameRun(t, rr, rp, r, p)
}
