// Command benchtable turns `make bench` output (Go benchmark format, as
// benchstat reads it) into the Markdown table of README.md's Speed section:
// per case and batch size, BenchmarkFloor's images/s, BenchmarkEvaluate's
// images/s over the whole call and over its image phase, the floor's
// ratio to the image phase (1.05: zsic's image phase takes 5% longer than
// bare ONNX Runtime Runs), and Evaluate's CPU time per image, for each
// case Evaluate ran. With several runs of a benchmark (-count), it takes their
// median.
//
//	make bench | go run ./regress/cmd/benchtable
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// key names one case at one batch size, e.g. "CLIP/tiny-clip/fp32/batch=32".
type key = string

// results holds the metric samples of each benchmark, by kind ("Floor" or
// "Evaluate"), case and unit.
type results map[string]map[key]map[string][]float64

// suffix is the -GOMAXPROCS suffix of a benchmark name.
var suffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader) (results, []key, error) {
	res := results{}
	var order []key
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := suffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		kind, k, ok := strings.Cut(name, "/")
		if !ok || (kind != "Floor" && kind != "Evaluate") {
			continue
		}
		if res[kind] == nil {
			res[kind] = map[key]map[string][]float64{}
		}
		if res[kind][k] == nil {
			res[kind][k] = map[string][]float64{}
			if !slices.Contains(order, k) {
				order = append(order, k)
			}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: value %q: %w", f[0], f[i], err)
			}
			res[kind][k][f[i+1]] = append(res[kind][k][f[i+1]], v)
		}
	}
	return res, order, sc.Err()
}

// median returns the median of vs, or NaN when there are none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func table(w io.Writer, res results, order []key) {
	fmt.Fprintln(w, "| case | batch | floor (bare ONNX Runtime), images/s | zsic eval, images/s | zsic image phase, images/s | floor / image phase | zsic CPU ms/image |")
	fmt.Fprintln(w, "| --- | --: | --: | --: | --: | --: | --: |")
	for _, k := range order {
		c, batch, _ := strings.Cut(k, "/batch=")
		fl := median(res["Floor"][k]["images/s"])
		ev := median(res["Evaluate"][k]["images/s"])
		img := median(res["Evaluate"][k]["image-images/s"])
		cpu := median(res["Evaluate"][k]["cpu-ms/image"])
		if ev == 0 {
			continue // a floor alone compares nothing
		}
		ratio := "–"
		if fl > 0 && img > 0 {
			ratio = fmt.Sprintf("%.2f", fl/img)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", c, batch, num(fl), num(ev), num(img), ratio, num(cpu))
	}
}

// num prints a figure to about three significant digits, or "–" for none.
func num(v float64) string {
	switch {
	case v == 0:
		return "–"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func main() {
	res, order, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	if len(order) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no BenchmarkFloor or BenchmarkEvaluate lines on stdin (pipe `make bench` into it)")
		os.Exit(1)
	}
	table(os.Stdout, res, order)
}
