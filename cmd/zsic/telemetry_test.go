package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/internal/testenv"
	"github.com/zsic/zsic/zsic/encoder"
)

// TestNoTelemetry runs an evaluation as a user would, outside CI, and
// requires that ONNX Runtime left none of its telemetry's traces: ONNX
// Runtime 1.30's Linux build, left alone, writes a device id and an event
// database under $HOME/.cache/Microsoft/DeveloperTools/.onnxruntime and a
// /tmp/mat-debug-PID.log, and tries to upload events (seen with strace on
// this project's pin), unless zsic opts out (encoder.TelemetryOptOut).
func TestNoTelemetry(t *testing.T) {
	bin := buildZsic(t)
	home := t.TempDir()
	// ONNX Runtime keeps quiet in CI on its own: drop the variables it
	// looks for, and zsic's opt-out variables, so that zsic's opt-out is
	// what is tested.
	quiet := []string{"CI", "GITHUB_ACTIONS", "TF_BUILD", "BUILD_BUILDID", "JENKINS_URL", "GITLAB_CI", "TRAVIS",
		"CIRCLECI", "BUILDKITE", "APPVEYOR", "TEAMCITY_VERSION", "CODEBUILD_BUILD_ID", "ORT_RUNNING_UNIT_TESTS"}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if slices.Contains(quiet, name) || slices.Contains(encoder.TelemetryOptOut, name) || name == "HOME" || name == "XDG_CACHE_HOME" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home, "ONNXRUNTIME_LIB="+testenv.ORTLibrary(t))
	cmd := exec.Command(bin, "eval", "-m", tinyCLIP(t), "--dataset", testenv.CIFAR100(t), "--samples", "2", "--quiet")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var left []string
	require.NoError(t, filepath.WalkDir(home, func(p string, d os.DirEntry, err error) error {
		if p != home {
			left = append(left, p)
		}
		return err
	}))
	require.Empty(t, left, "the run wrote into $HOME")
	require.NoFileExists(t, fmt.Sprintf("/tmp/mat-debug-%d.log", cmd.Process.Pid))
}
