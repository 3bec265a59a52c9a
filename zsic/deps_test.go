package zsic

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDependencies pins the dependency direction: a program that imports
// zsic to classify images must not link the dataset readers and their
// parquet, compression and geometry libraries. Package dataset imports zsic,
// not the other way round.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/zsic/zsic/zsic").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/yalue/onnxruntime_go", "go list answered something else")
	for _, bad := range []string{
		"github.com/zsic/zsic/zsic/dataset",
		"github.com/parquet-go/",
		"github.com/andybalholm/brotli",
		"github.com/klauspost/compress",
		"github.com/pierrec/lz4",
		"github.com/twpayne/go-geom",
		// The SentencePiece reader needs protowire only, not the runtime.
		"google.golang.org/protobuf/proto",
		"google.golang.org/protobuf/reflect",
		"google.golang.org/protobuf/runtime",
	} {
		for _, d := range deps {
			require.False(t, strings.HasPrefix(d, bad), "package zsic depends on %s", d)
		}
	}
}
