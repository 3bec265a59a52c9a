package zsic

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

// cliAdvice matches a command-line flag or a make target in a string: the
// CLI's business, never the library's (cmd/zsic adds such advice to typed
// errors).
var cliAdvice = regexp.MustCompile("(^|[\\s(\\[`'\"])(--?[a-z][a-z-]*[ =]?[A-Z]*|make [a-z]+)")

// TestNoCLIAdviceInMessages scans every string literal of the library's
// non-test files for a flag or make target.
func TestNoCLIAdviceInMessages(t *testing.T) {
	for _, bad := range []string{"load x with --strict-device (y)", "give them (--labels FILE)", "or give -m image-encoder=PATH", "run `make setup`"} {
		require.Regexp(t, cliAdvice, bad)
	}
	for _, ok := range []string{"models--org--name", "%s: want -1 or more", "x-y", "shape [-1, 3]"} {
		require.NotRegexp(t, cliAdvice, ok)
	}
	root := ".." // the zsic/ folder's parent, the repository root
	var found []string
	err := filepath.WalkDir(filepath.Join(root, "zsic"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if strings.Contains(filepath.ToSlash(path), "/hubtest/") || strings.Contains(filepath.ToSlash(path), "/wdstest/") {
			return nil // test helpers
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && cliAdvice.MatchString(s) {
				found = append(found, fmt.Sprintf("%s: %s", path, lit.Value))
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	require.Empty(t, found, "library strings that name a CLI flag or make target")
}
