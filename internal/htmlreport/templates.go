package htmlreport

import (
	"html/template"
	"strings"
	texttemplate "text/template"
)

// funcs are the templates' helpers.
var funcs = map[string]any{
	// img passes a thumbnail's data: URI (made by imageRef) as a URL.
	"img": func(s string) template.URL {
		if strings.HasPrefix(s, "data:image/png;base64,") {
			return template.URL(s)
		}
		return ""
	},
	"signed": func(x float64) string { return pts(x) },
	"mdcell": func(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) },
}

// style is the pages' stylesheet.
const style = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#1d2733;background:#fff}
h1{font-size:22px;margin:8px 0 2px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dee6;padding-bottom:4px}
.src{color:#5b6775;font-size:12px;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #eef1f4;text-align:left;vertical-align:top}
th{background:#f4f6f9}td.num{text-align:right;font-variant-numeric:tabular-nums}
.kv td:first-child{color:#5b6775;white-space:nowrap}.kv td{font-size:13px;word-break:break-all}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0}.metric{border:1px solid #d8dee6;border-radius:6px;padding:8px 14px;min-width:120px}
.metric b{display:block;font-size:20px}.metric span{color:#5b6775;font-size:12px}
figure{margin:8px 0;overflow-x:auto}figure svg{max-width:100%;height:auto}
.legend i{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:-1px}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.gallery div{border:1px solid #d8dee6;border-radius:6px;padding:8px;font-size:12px}
.gallery img{width:96px;height:96px;object-fit:contain;image-rendering:pixelated;display:block;margin-bottom:4px;background:#f4f6f9}
.gallery b{display:block;font-size:13px}.verdict{font-size:16px;padding:8px 12px;border-radius:6px;background:#eef5ee}
.verdict.worse{background:#fbeaea}.note{color:#5b6775;font-size:12px}
.right-to-wrong{border-color:#c0392b!important}.wrong-to-right{border-color:#2e8b57!important}
`

// head is the start of every page: no script, and a policy that forbids
// loading anything but inline styles and data: images.
const head = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><style>` + style + `</style></head><body>
<h1>{{.Title}}</h1>`

const galleryHTML = `<div class="gallery">{{range .Gallery}}<div class="{{if eq .Kind "right→wrong"}}right-to-wrong{{else if eq .Kind "wrong→right"}}wrong-to-right{{end}}" data-row="{{.Row}}">{{if .Img}}<img src="{{img .Img}}" alt="row {{.Row}}">{{end}}<b>{{.Title}}</b>{{range .Lines}}{{.}}<br>{{end}}</div>{{end}}</div>`

var runHTML = template.Must(template.New("run").Funcs(funcs).Parse(head + `
{{if .Sources}}<p class="src">from {{range $i, $s := .Sources}}{{if $i}}, {{end}}{{$s}}{{end}}</p>{{end}}
<div class="cards">{{range .Summary}}<div class="metric"><b>{{.Value}}</b><span>{{.Key}}</span></div>{{end}}</div>
<h2>Per-class top-1 accuracy</h2>
<p class="note">Every class with samples, worst at the top; each bar is labelled with right/samples.</p>
<figure data-chart="per-class" data-bars="{{.Bars}}">{{index .Charts "per-class"}}</figure>
<h2>Confusions</h2>
<p class="note">Counts of true class (rows) by top-1 class (columns), ordered so that classes confused with each other sit together; the diagonal holds the right answers.{{range .Omitted}} {{.}}{{end}}</p>
<figure data-chart="confusion" data-cells="{{.Cells}}">{{index .Charts "confusion"}}</figure>
<table id="pairs"><tr><th>true → top-1</th><th>samples</th></tr>{{range .Pairs}}<tr><td>{{.Key}}</td><td class="num">{{.Value}}</td></tr>{{end}}</table>
<h2>Top-1 scores</h2>
<p class="legend"><i style="background:#2e8b57"></i>right<i style="background:#c0392b"></i>wrong</p>
<figure data-chart="scores" data-bins="{{.Bins}}">{{index .Charts "scores"}}</figure>
<h2>Most confident mistakes</h2>
{{if .NoImages}}<p class="note">No images: give zsic report --dataset to show them.</p>{{end}}
` + galleryHTML + `
{{if .Timings}}<h2>Timings</h2><table class="kv" id="timings">{{range .Timings}}<tr><td>{{.Key}}</td><td class="num">{{.Value}}</td></tr>{{end}}</table>{{end}}
{{if .Provenance}}<h2>Provenance</h2><table class="kv" id="provenance">{{range .Provenance}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>{{end}}</table>{{end}}
{{if .Failures}}<p>First failed rows:</p><ul>{{range .Failures}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>
`))

var compareHTML = template.Must(template.New("compare").Funcs(funcs).Parse(head + `
<p class="src">A: {{.NameA}}<br>B: {{.NameB}}</p>
<p class="verdict{{if .Worse}} worse{{end}}">{{.Verdict}}</p>
<table id="summary"><tr><th></th><th>A</th><th>B</th><th>Δ (B − A)</th></tr>{{range .Summary}}<tr><td>{{index . 0}}</td><td class="num">{{index . 1}}</td><td class="num">{{index . 2}}</td><td class="num">{{index . 3}}</td></tr>{{end}}</table>
<table class="kv" id="stats">{{range .Stats}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>{{end}}</table>
<h2>Per-class change of top-1 accuracy</h2>
<p class="note">{{.Changed}} classes changed their top-1 or top-5 count{{if .Unchanged}}; {{.Unchanged}} unchanged classes are not shown{{end}}.</p>
{{if .Changed}}<p class="legend"><i style="background:#c0392b"></i>worse in B<i style="background:#2e8b57"></i>better in B</p>
<figure data-chart="delta" data-bars="{{.Bars}}">{{index .Charts "delta"}}</figure>{{end}}
{{define "classes"}}<tr><th>{{.}}</th><th>A → B (of n)</th><th>Δ top-1</th><th>Δ top-5</th></tr>{{end}}
{{if .Worst}}<table id="worsened">{{template "classes" "most worsened"}}{{range .Worst}}<tr><td>{{.Name}}</td><td class="num">{{.Top1A}} → {{.Top1B}} ({{.N}})</td><td class="num">{{signed .Delta}}</td><td class="num">{{signed .Delta5}}</td></tr>{{end}}</table>{{end}}
{{if .Best}}<table id="improved">{{template "classes" "most improved"}}{{range .Best}}<tr><td>{{.Name}}</td><td class="num">{{.Top1A}} → {{.Top1B}} ({{.N}})</td><td class="num">{{signed .Delta}}</td><td class="num">{{signed .Delta5}}</td></tr>{{end}}</table>{{end}}
<h2>Flipped images</h2>
<p class="note">{{.FlipsShown}} of {{.Flips}} flips: right→wrong first, then wrong→right, then wrong→wrong.{{if .NoImages}} No images: give zsic compare --dataset to show them.{{end}}</p>
` + galleryHTML + `
</body></html>
`))

const galleryMD = `{{range .Gallery}}| {{if .Img}}![row {{.Row}}]({{.Img}}){{end}} | **{{mdcell .Title}}**{{range .Lines}}<br>{{mdcell .}}{{end}} |
{{end}}`

var runMD = texttemplate.Must(texttemplate.New("run.md").Funcs(funcs).Parse(`# {{.Title}}
{{if .Sources}}
From {{range $i, $s := .Sources}}{{if $i}}, {{end}}` + "`{{$s}}`" + `{{end}}.
{{end}}
| | |
|---|--:|
{{range .Summary}}| {{mdcell .Key}} | {{mdcell .Value}} |
{{end}}
## Per-class top-1 accuracy

![per-class top-1 accuracy]({{index .ChartFiles "per-class"}})

## Confusions

![confusion heatmap]({{index .ChartFiles "confusion"}})

| true → top-1 | samples |
|---|--:|
{{range .Pairs}}| {{mdcell .Key}} | {{.Value}} |
{{end}}
## Top-1 scores (green: right, red: wrong)

![top-1 score histogram]({{index .ChartFiles "scores"}})

## Most confident mistakes

| image | prediction |
|---|---|
` + galleryMD + `{{if .Timings}}
## Timings

| | |
|---|--:|
{{range .Timings}}| {{mdcell .Key}} | {{.Value}} |
{{end}}{{end}}{{if .Provenance}}
## Provenance

| | |
|---|---|
{{range .Provenance}}| {{mdcell .Key}} | {{mdcell .Value}} |
{{end}}{{end}}`))

var compareMD = texttemplate.Must(texttemplate.New("compare.md").Funcs(funcs).Parse(`# {{.Title}}

A: ` + "`{{.NameA}}`" + `, B: ` + "`{{.NameB}}`" + `

**{{.Verdict}}**

| | A | B | Δ (B − A) |
|---|--:|--:|--:|
{{range .Summary}}| {{index . 0}} | {{index . 1}} | {{index . 2}} | {{index . 3}} |
{{end}}
| | |
|---|---|
{{range .Stats}}| {{mdcell .Key}} | {{mdcell .Value}} |
{{end}}
## Per-class change of top-1 accuracy (red: worse in B, green: better)

{{.Changed}} classes changed their top-1 or top-5 count{{if .Unchanged}}; {{.Unchanged}} unchanged classes are not shown{{end}}.
{{if .Changed}}
![per-class delta]({{index .ChartFiles "delta"}})
{{end}}{{if .Worst}}
| most worsened | A → B (of n) | Δ top-1 | Δ top-5 |
|---|--:|--:|--:|
{{range .Worst}}| {{mdcell .Name}} | {{.Top1A}} → {{.Top1B}} ({{.N}}) | {{signed .Delta}} | {{signed .Delta5}} |
{{end}}{{end}}{{if .Best}}
| most improved | A → B (of n) | Δ top-1 | Δ top-5 |
|---|--:|--:|--:|
{{range .Best}}| {{mdcell .Name}} | {{.Top1A}} → {{.Top1B}} ({{.N}}) | {{signed .Delta}} | {{signed .Delta5}} |
{{end}}{{end}}
## Flipped images ({{.FlipsShown}} of {{.Flips}})

| image | predictions |
|---|---|
` + galleryMD))
