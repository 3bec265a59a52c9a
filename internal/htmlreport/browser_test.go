package htmlreport

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
)

// chromiumEnv names a Chromium binary to use instead of the one on $PATH.
const chromiumEnv = "ZSIC_CHROMIUM"

// screenshotsEnv names a folder where the browser test leaves its
// screenshots, for a person to look at.
const screenshotsEnv = "ZSIC_SCREENSHOTS"

// findChromium returns a Chromium (or Chrome) binary, or "".
func findChromium() string {
	if p := os.Getenv(chromiumEnv); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// visit is what the browser saw when loading a page.
type visit struct {
	screenshot []byte
	errors     []string // console errors, exceptions and error log entries
	requests   []string // URLs requested other than the page itself and data: URIs
	counts     map[string]int
}

// countsJS counts, per chart, the filled shapes of its SVG (bars, bins,
// cells: every other line is stroked, with fill none), the gallery's
// images that decoded, and the rows of the pairs table.
const countsJS = `(() => {
  const out = {};
  for (const f of document.querySelectorAll('figure[data-chart]')) {
    out[f.dataset.chart] = Array.from(f.querySelectorAll('svg path')).filter(p => {
      const fill = p.style.fill; return fill && fill !== 'none';
    }).length;
  }
  const imgs = Array.from(document.querySelectorAll('.gallery img'));
  out.images = imgs.length;
  out.decoded = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  out.cards = document.querySelectorAll('.gallery > div').length;
  out.pairs = document.querySelectorAll('#pairs tr').length - (document.querySelector('#pairs') ? 1 : 0);
  return out;
})()`

// startChromium starts headless Chromium; load opens tabs in it.
func startChromium(t *testing.T, exe string) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1200, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(ctx), "start Chromium %s", exe)
	return ctx
}

// load opens the HTML file at path in a new tab of the browser and records
// what happened.
func load(t *testing.T, browser context.Context, exe, path string) visit {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser) // a new tab
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	url := "file://" + path
	var mu sync.Mutex
	v := visit{}
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				v.errors = append(v.errors, fmt.Sprintf("console.%s: %v", e.Type, e.Args))
			}
		case *runtime.EventExceptionThrown:
			v.errors = append(v.errors, "exception: "+e.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				v.errors = append(v.errors, fmt.Sprintf("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		case *network.EventRequestWillBeSent:
			if u := e.Request.URL; u != url && !strings.HasPrefix(u, "data:") {
				v.requests = append(v.requests, u)
			}
		}
	}))
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body"))), "Chromium %s loading %s", exe, path)
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](countsJS))
	require.NoError(t, err, "counting the charts' shapes")
	v.screenshot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err, "screenshot")
	// Let late events (a failed request, a deferred error) arrive.
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	v.counts = counts
	return v
}

// requireNotBlank checks that a screenshot is a PNG with content: a
// sizeable share of pixels that are not the page's white, in several
// colours.
func requireNotBlank(t *testing.T, shot []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	require.NoError(t, err, "screenshot is not a PNG")
	b := img.Bounds()
	var ink int
	colors := map[color.RGBA]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}
			colors[c] = true
			if c != (color.RGBA{255, 255, 255, 255}) {
				ink++
			}
		}
	}
	total := (b.Dx() / 2) * (b.Dy() / 2)
	require.Greater(t, b.Dy(), 1000, "the page is too short to hold the report")
	require.Greater(t, float64(ink)/float64(total), 0.03, "the screenshot is almost blank")
	require.Greater(t, len(colors), 50, "the screenshot has too few colours to show charts and images")
}

// saveShot leaves a screenshot in $ZSIC_SCREENSHOTS, if set.
func saveShot(t *testing.T, name string, shot []byte) {
	if dir := os.Getenv(screenshotsEnv); dir != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), shot, 0o644))
		t.Logf("screenshot: %s", filepath.Join(dir, name))
	}
}

// solid returns a w×h PNG of one colour.
func solid(w, h int, c color.Color) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		img.Set(i%w, i/w, c)
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// TestBrowser loads a run's page and a comparison's page in headless
// Chromium and checks that they render, hold every chart with the right
// number of bars and cells and every gallery image, log no error and make
// no request.
func TestBrowser(t *testing.T) {
	exe := findChromium()
	if exe == "" {
		t.Skipf("SKIPPED: no Chromium on $PATH (and $%s unset), so the HTML reports were NOT checked in a browser; "+
			"install Debian's chromium (make setup does when it can) to run this test", chromiumEnv)
	}
	browser := startChromium(t, exe)
	dir := t.TempDir()
	preds, classes := synthRun(1000, 100, 7)
	a := Analyze(preds, classes)
	thumbs := map[int][]byte{}
	for i, p := range a.Mistakes {
		thumbs[p.Row] = solid(32, 32, color.RGBA{uint8(40 * i), 90, uint8(255 - 10*i), 255})
	}
	labelled := map[int]bool{}
	for _, p := range preds {
		labelled[p.Label] = true
	}

	t.Run("run", func(t *testing.T) {
		doc, err := RenderRun(Run{Title: "browser test run", Analysis: a, Sources: []string{"synthetic"}, Thumbs: thumbs}, HTML, "")
		require.NoError(t, err)
		path := filepath.Join(dir, "run.html")
		require.NoError(t, os.WriteFile(path, doc.Body, 0o644))
		v := load(t, browser, exe, path)
		saveShot(t, "report.png", v.screenshot)
		require.Empty(t, v.errors, "console errors")
		require.Empty(t, v.requests, "network requests")
		requireNotBlank(t, v.screenshot)
		require.Equal(t, len(labelled), v.counts["per-class"], "bars of the per-class chart: one per class with samples")
		require.Equal(t, len(classes)*len(classes), v.counts["confusion"], "cells of the confusion heatmap")
		require.Equal(t, 2*HistogramBins, v.counts["scores"], "bins of the score histogram, right and wrong")
		require.Equal(t, TopPairs, v.counts["pairs"], "rows of the confused pairs table")
		require.Equal(t, GallerySize, v.counts["cards"])
		require.Equal(t, GallerySize, v.counts["decoded"], "gallery images that decoded")
	})

	t.Run("compare", func(t *testing.T) {
		other := make([]zsic.Prediction, len(preds))
		copy(other, preds)
		for i := 0; i < len(other); i += 9 { // flip every ninth sample to its second label
			p := other[i]
			p.Top5 = append([]int{p.Top5[1], p.Top5[0]}, p.Top5[2:]...)
			other[i] = p
		}
		c, err := ComparePredictions(preds, other, classes)
		require.NoError(t, err)
		flipThumbs := map[int][]byte{}
		for _, f := range c.Flips {
			flipThumbs[f.A.Row] = solid(40, 30, color.RGBA{200, uint8(f.A.Row % 255), 60, 255})
		}
		doc, err := RenderCompare(Compare{Title: "browser test compare", NameA: "a.jsonl", NameB: "b.jsonl", Comparison: c, Alpha: 0.05, Thumbs: flipThumbs}, HTML, "")
		require.NoError(t, err)
		path := filepath.Join(dir, "compare.html")
		require.NoError(t, os.WriteFile(path, doc.Body, 0o644))
		v := load(t, browser, exe, path)
		saveShot(t, "compare.png", v.screenshot)
		require.Empty(t, v.errors, "console errors")
		require.Empty(t, v.requests, "network requests")
		requireNotBlank(t, v.screenshot)
		// Classes whose count of right or top-5 samples differs, counted
		// here from the predictions.
		var count [2]map[int][2]int
		for r, run := range [][]zsic.Prediction{preds, other} {
			count[r] = map[int][2]int{}
			for _, p := range run {
				n := count[r][p.Label]
				if p.Top5[0] == p.Label {
					n[0]++
				}
				if slices.Contains(p.Top5, p.Label) {
					n[1]++
				}
				count[r][p.Label] = n
			}
		}
		changed := 0
		for l := range labelled {
			if count[0][l] != count[1][l] {
				changed++
			}
		}
		require.Positive(t, changed)
		require.Equal(t, 2*changed, v.counts["delta"], "bars of the per-class delta chart: a loss and a gain bar per changed class")
		require.Equal(t, min(len(c.Flips), GallerySize), v.counts["decoded"])
	})

	// The checks must be able to fail: a page that fetches an image and
	// throws is caught.
	t.Run("control", func(t *testing.T) {
		path := filepath.Join(dir, "bad.html")
		page := `<!DOCTYPE html><html><body><p>bad</p><img src="http://127.0.0.1:9/x.png"><script>console.error("boom")</script></body></html>`
		require.NoError(t, os.WriteFile(path, []byte(page), 0o644))
		v := load(t, browser, exe, path)
		require.NotEmpty(t, v.requests, "the request to 127.0.0.1:9 was not seen")
		require.NotEmpty(t, v.errors, "console.error was not seen")
	})
}
