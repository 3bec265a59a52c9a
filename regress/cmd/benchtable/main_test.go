package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTable(t *testing.T) {
	in := `goos: linux
BenchmarkFloor/CLIP/tiny-clip/fp32/batch=32-2   	      10	 100 ns/op	 2000 images/s	 0.5 cpu-ms/image
BenchmarkFloor/CLIP/tiny-clip/fp32/batch=32-2   	      10	 100 ns/op	 1000 images/s	 0.5 cpu-ms/image
BenchmarkFloor/CLIP/tiny-clip/fp32/batch=32-2   	      10	 100 ns/op	 3000 images/s	 0.5 cpu-ms/image
BenchmarkEvaluate/CLIP/tiny-clip/fp32/batch=32-2	       1	 100 ns/op	 1000 images/s	 1600 image-images/s	 1.25 cpu-ms/image
BenchmarkEvaluate/CLIP/twin/x/batch=1-2	       1	 100 ns/op	 10 images/s	 3 cpu-ms/image
BenchmarkFloor/CLIP/twin/y/batch=1-2	       1	 100 ns/op	 10 images/s	 3 cpu-ms/image
PASS
`
	res, order, err := parse(strings.NewReader(in))
	require.NoError(t, err)
	require.Equal(t, []string{"CLIP/tiny-clip/fp32/batch=32", "CLIP/twin/x/batch=1", "CLIP/twin/y/batch=1"}, order)
	var b strings.Builder
	table(&b, res, order)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 4)
	require.Equal(t, "| CLIP/tiny-clip/fp32 | 32 | 2000 | 1000 | 1600 | 1.25 | 1.25 |", lines[2], "median floor 2000")
	require.Equal(t, "| CLIP/twin/x | 1 | – | 10.0 | – | – | 3 |", lines[3])

	_, _, err = parse(strings.NewReader("BenchmarkFloor/a/batch=1-2 1 x images/s\n"))
	require.ErrorContains(t, err, `value "x"`)
}
