package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
	"sigs.k8s.io/yaml"

	"github.com/zsic/zsic/internal/ortdist"
	"github.com/zsic/zsic/internal/shard"
	"github.com/zsic/zsic/internal/testenv"
)

// The deployment files are checked with the parsers their engines use:
// the Kubernetes API types, a shell parser for the sbatch script, BuildKit's
// parser for the Dockerfile; and every zsic command line in them with
// zsic's own flag parsing.

// k8sManifest holds the decoded documents of eval-job.yaml.
type k8sManifest struct {
	eval, merge *batchv1.Job
	claims      []string
}

// readManifest decodes every document of the manifest strictly (an unknown
// or misspelt field is an error) into its API type.
func readManifest(t *testing.T) k8sManifest {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.Root(t), "deploy", "kubernetes", "eval-job.yaml"))
	require.NoError(t, err)
	defer f.Close()
	var m k8sManifest
	r := utilyaml.NewYAMLReader(bufio.NewReader(f))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var tm metav1.TypeMeta
		require.NoError(t, yaml.Unmarshal(doc, &tm))
		switch tm.APIVersion + " " + tm.Kind {
		case "batch/v1 Job":
			var j batchv1.Job
			require.NoError(t, yaml.UnmarshalStrict(doc, &j), "Job:\n%s", doc)
			switch j.Name {
			case "zsic-eval":
				m.eval = &j
			case "zsic-merge":
				m.merge = &j
			default:
				t.Fatalf("unexpected Job %q", j.Name)
			}
		case "v1 PersistentVolumeClaim":
			var c corev1.PersistentVolumeClaim
			require.NoError(t, yaml.UnmarshalStrict(doc, &c))
			m.claims = append(m.claims, c.Name)
		default:
			t.Fatalf("unexpected document %s %s", tm.APIVersion, tm.Kind)
		}
	}
	require.NotNil(t, m.eval, "no zsic-eval Job")
	require.NotNil(t, m.merge, "no zsic-merge Job")
	return m
}

// expandK8s expands $(NAME) references to the container's variables as the
// kubelet does, from values.
func expandK8s(s string, values map[string]string) string {
	for k, v := range values {
		s = strings.ReplaceAll(s, "$("+k+")", v)
	}
	return s
}

// dataMount checks that a pod mounts the claim the manifest declares and
// returns the mount path.
func dataMount(t *testing.T, spec corev1.PodSpec, c corev1.Container, claims []string) string {
	t.Helper()
	require.Len(t, spec.Volumes, 1)
	v := spec.Volumes[0]
	require.NotNil(t, v.PersistentVolumeClaim)
	require.Contains(t, claims, v.PersistentVolumeClaim.ClaimName)
	require.Len(t, c.VolumeMounts, 1)
	require.Equal(t, v.Name, c.VolumeMounts[0].Name)
	return c.VolumeMounts[0].MountPath
}

func under(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && filepath.IsLocal(rel)
}

func TestKubernetesManifest(t *testing.T) {
	m := readManifest(t)

	// The evaluation: an Indexed Job whose pods evaluate part i of n.
	job := m.eval.Spec
	require.NotNil(t, job.CompletionMode)
	require.Equal(t, batchv1.IndexedCompletion, *job.CompletionMode)
	require.NotNil(t, job.Completions)
	n := int(*job.Completions)
	require.Greater(t, n, 1)
	require.NotNil(t, job.Parallelism)
	require.LessOrEqual(t, int(*job.Parallelism), n)
	pod := job.Template.Spec
	require.Len(t, pod.Containers, 1)
	c := pod.Containers[0]
	mount := dataMount(t, pod, c, m.claims)
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	require.True(t, under(mount, env["HF_HOME"].Value), "HF_HOME %s on the volume %s", env["HF_HOME"].Value, mount)
	// $(SHARD_INDEX) in the paths is the completion index.
	idx := env["SHARD_INDEX"].ValueFrom
	require.NotNil(t, idx)
	require.Equal(t, "metadata.annotations['batch.kubernetes.io/job-completion-index']", idx.FieldRef.FieldPath)

	var outputs []string
	for k := range n {
		args := expandK8s(strings.Join(append(slices.Clone(c.Command), c.Args...), "\x00"), map[string]string{"SHARD_INDEX": strconv.Itoa(k)})
		line := strings.Split(args, "\x00")
		require.Equal(t, "zsic", line[0])
		require.Equal(t, "eval", line[1])
		t.Setenv(shard.EnvJobIndex, strconv.Itoa(k)) // as the Job controller sets it
		f, err := parseEval(line[2:], io.Discard)
		require.NoError(t, err, "%q", line)
		require.Equal(t, &shard.Spec{Index: k, Count: n}, f.scale.spec, "pod %d evaluates part %d of %d", k, k, n)
		require.True(t, f.scale.resume, "a replaced pod resumes")
		require.True(t, under(mount, f.out.output) && under(mount, f.predictions))
		require.NotContains(t, outputs, f.out.output)
		outputs = append(outputs, f.out.output)
	}

	// The merge: once every shard report exists, zsic merge reads them all.
	mj := m.merge.Spec.Template.Spec
	require.Len(t, mj.Containers, 1)
	mc := mj.Containers[0]
	require.Equal(t, mount, dataMount(t, mj, mc, m.claims))
	line := append(slices.Clone(mc.Command), mc.Args...)
	require.Equal(t, []string{"zsic", "merge"}, line[:2])
	f, err := parseMerge(line[2:], io.Discard)
	require.NoError(t, err)
	require.True(t, under(mount, f.out.output) && under(mount, f.predictions))
	require.Len(t, f.reports, 1)
	for _, o := range outputs {
		ok, err := path.Match(f.reports[0], o)
		require.NoError(t, err)
		require.True(t, ok, "merge's %s misses shard report %s", f.reports[0], o)
	}
	require.Len(t, mj.InitContainers, 1)
	var expected string
	for _, e := range mj.InitContainers[0].Env {
		if e.Name == "EXPECTED_SHARDS" {
			expected = e.Value
		}
	}
	require.Equal(t, strconv.Itoa(n), expected, "the merge waits for every shard")
}

// shellCalls returns the words of every simple command in a shell program.
func shellCalls(t *testing.T, src, name string) [][]*syntax.Word {
	t.Helper()
	file, err := syntax.NewParser().Parse(strings.NewReader(src), name)
	require.NoError(t, err)
	var calls [][]*syntax.Word
	syntax.Walk(file, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 0 {
			calls = append(calls, c.Args)
		}
		return true
	})
	return calls
}

// TestSlurmScript parses the sbatch script as a shell program, finds the
// array and merge submissions and the zsic command lines they wrap, expands
// them as the shell would in each task, and parses them with zsic's flags.
func TestSlurmScript(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.Root(t), "deploy", "slurm", "eval-array.sbatch"))
	require.NoError(t, err)
	const shards = 5
	vars := []string{"ZSIC=zsic", "MODEL=openai/clip-vit-base-patch32", "DATASET=uoft-cs/cifar100",
		"OUT=/scratch/out", "SHARDS=" + strconv.Itoa(shards), "array=42", "SLURM_CPUS_PER_TASK=4"}
	fields := func(env []string, words ...*syntax.Word) []string {
		out, err := expand.Fields(&expand.Config{Env: expand.ListEnviron(env...)}, words...)
		require.NoError(t, err)
		return out
	}

	var evalLine, mergeLine []*syntax.Word
	var arrayOpts, mergeOpts []string
	for _, call := range shellCalls(t, string(data), "eval-array.sbatch") {
		if fields(vars, call[0])[0] != "sbatch" {
			continue
		}
		opts := fields(vars, call[1:]...)
		i := slices.Index(opts, "--wrap")
		require.GreaterOrEqual(t, i, 0, "sbatch %q has no --wrap", opts)
		var zsic [][]*syntax.Word
		for _, c := range shellCalls(t, opts[i+1], "wrap") {
			if fields(vars, c[0])[0] == "zsic" {
				zsic = append(zsic, c)
			}
		}
		require.Len(t, zsic, 1, "one zsic command in %q", opts[i+1])
		switch fields(vars, zsic[0][1])[0] {
		case "eval":
			evalLine, arrayOpts = zsic[0], opts
		case "merge":
			mergeLine, mergeOpts = zsic[0], opts
		}
	}
	require.NotNil(t, evalLine, "no sbatch wraps zsic eval")
	require.NotNil(t, mergeLine, "no sbatch wraps zsic merge")
	require.Contains(t, arrayOpts, "--array=0-"+strconv.Itoa(shards-1))
	require.Contains(t, arrayOpts, "--requeue")
	require.Contains(t, mergeOpts, "--dependency=afterok:42")

	var outputs []string
	for k := range shards {
		task := []string{"SLURM_ARRAY_TASK_ID=" + strconv.Itoa(k), "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_COUNT=" + strconv.Itoa(shards)}
		for _, kv := range task {
			name, v, _ := strings.Cut(kv, "=")
			t.Setenv(name, v)
		}
		line := fields(append(slices.Clone(vars), task...), evalLine...)
		f, err := parseEval(line[2:], io.Discard)
		require.NoError(t, err, "%q", line)
		require.Equal(t, &shard.Spec{Index: k, Count: shards}, f.scale.spec)
		require.True(t, f.scale.resume, "a requeued task resumes")
		require.NotContains(t, outputs, f.out.output)
		outputs = append(outputs, f.out.output)
	}
	line := fields(vars, mergeLine...)
	f, err := parseMerge(line[2:], io.Discard)
	require.NoError(t, err, "%q", line)
	require.Len(t, f.reports, 1)
	for _, o := range outputs {
		ok, err := path.Match(f.reports[0], o)
		require.NoError(t, err)
		require.True(t, ok, "merge's %s misses shard report %s", f.reports[0], o)
	}
}

// makeSetup returns the command the Makefile's setup target runs, with the
// Makefile's variables (NAME ?= value) expanded.
func makeSetup(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.Root(t), "Makefile"))
	require.NoError(t, err)
	lines := strings.Split(string(data), "\n")
	i := slices.Index(lines, "setup:")
	require.GreaterOrEqual(t, i, 0, "no setup target in the Makefile")
	require.True(t, strings.HasPrefix(lines[i+1], "\t"), "setup has no recipe")
	recipe := lines[i+1]
	for _, l := range lines {
		if name, v, ok := strings.Cut(l, " ?= "); ok && !strings.ContainsAny(name, " \t#") {
			recipe = strings.ReplaceAll(recipe, "$("+name+")", v)
		}
	}
	calls := shellCalls(t, recipe, "Makefile")
	require.Len(t, calls, 1)
	var words []string
	for _, w := range calls[0] {
		words = append(words, w.Lit())
	}
	return words
}

func TestDockerfile(t *testing.T) {
	f, err := os.Open(filepath.Join(testenv.Root(t), "Dockerfile"))
	require.NoError(t, err)
	defer f.Close()
	res, err := parser.Parse(f)
	require.NoError(t, err)
	stages, _, err := instructions.Parse(res.AST, nil)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(stages), 2, "a multi-stage build")
	build, final := stages[0], stages[len(stages)-1]
	require.Equal(t, "build", build.Name)

	// The build stage runs the program `make setup` runs, for the target
	// platform's ONNX Runtime library only, and installs the library it
	// prints where the final stage copies it from.
	setup := makeSetup(t)
	args := map[string]string{}
	var installed string
	for _, cmd := range build.Commands {
		switch c := cmd.(type) {
		case *instructions.ArgCommand:
			for _, a := range c.Args {
				if a.Value != nil {
					args[a.Key] = *a.Value
				}
			}
		case *instructions.RunCommand:
			var env []string
			for k, v := range args {
				env = append(env, k+"="+v)
			}
			var setupRan bool
			for _, call := range shellCalls(t, strings.Join(c.CmdLine, " "), "RUN") {
				words, err := expand.Fields(&expand.Config{Env: expand.ListEnviron(env...)}, call...)
				require.NoError(t, err)
				switch {
				case len(words) > len(setup) && slices.Equal(words[:len(setup)], setup):
					require.Equal(t, []string{"-platform", "linux/amd64"}, words[len(setup):])
					setupRan = true
				case setupRan && words[0] == "install":
					installed = words[len(words)-1]
				}
			}
		}
	}
	require.NotEmpty(t, installed, "the build stage does not run %q and install the library it fetched", setup)
	b, err := ortdist.Lookup(ortdist.Version, "linux", "amd64")
	require.NoError(t, err)
	require.Equal(t, b.Lib.Name(), path.Base(installed))

	copies := map[string]string{} // destination -> source in the build stage
	finalEnv := map[string]string{}
	var user string
	var volumes, entrypoint, packages []string
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.RunCommand:
			for _, call := range shellCalls(t, strings.Join(c.CmdLine, " "), "RUN") {
				var words []string
				for _, w := range call {
					words = append(words, w.Lit())
				}
				if len(words) > 2 && words[0] == "apt-get" && words[1] == "install" {
					packages = append(packages, words[2:]...)
				}
			}
		case *instructions.CopyCommand:
			require.Equal(t, build.Name, c.From, "the final stage copies from the build stage")
			require.Len(t, c.SourcePaths, 1)
			copies[c.DestPath] = c.SourcePaths[0]
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				finalEnv[kv.Key] = kv.Value
			}
		case *instructions.UserCommand:
			user = c.User
		case *instructions.VolumeCommand:
			volumes = append(volumes, c.Volumes...)
		case *instructions.EntrypointCommand:
			entrypoint = c.CmdLine
		}
	}
	require.Equal(t, installed, copies[finalEnv["ONNXRUNTIME_LIB"]], "ONNXRUNTIME_LIB is the library setup fetched")
	uid, _, _ := strings.Cut(user, ":")
	require.NotContains(t, []string{"", "0", "root"}, uid, "runs as a non-root user")
	require.True(t, slices.ContainsFunc(volumes, func(v string) bool { return under(v, finalEnv["HF_HOME"]) }),
		"HF_HOME %s on a volume %v", finalEnv["HF_HOME"], volumes)
	require.Equal(t, []string{"zsic"}, entrypoint)
	require.Contains(t, packages, "libturbojpeg0", "JPEGs decode as Pillow does only with libturbojpeg")
	require.Contains(t, copies, "/usr/local/bin/zsic")
}
