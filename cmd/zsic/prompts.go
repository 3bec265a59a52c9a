package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/dataset"
	"github.com/zsic/zsic/zsic/head"
	"github.com/zsic/zsic/zsic/prompt"
)

// promptFlags are eval's flags that choose what goes into the text tower:
// class names, templates, class-specific prompts, or a saved head instead.
type promptFlags struct {
	template   string // --template, one template
	templates  string // --templates FILE[#KEY] | openai | openai-imagenet
	classnames string // --classnames FILE | openai
	cupl       string // --prompts FILE
	head       string // --head FILE
	saveHead   string // --save-head FILE
	set        map[string]bool
	asGiven    bool // names go into prompts as given ("_" kept), as classify does
}

func (p *promptFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.template, "template", zsic.DefaultTemplate, "one prompt template; {} (or {c}) is replaced by the class name")
	fs.StringVar(&p.templates, "templates", "", "a template set, averaged per class as open_clip does: FILE (one a line, a JSON array, or FILE#KEY of a JSON object of dataset → templates), "+
		prompt.OpenAI+" (OpenAI's 18 CIFAR templates) or "+prompt.OpenAIImageNet+" (OpenAI's 80 ImageNet templates); default: the dataset's own, else --template")
	fs.StringVar(&p.classnames, "classnames", "", "class names by label id: FILE (one a line, or a JSON array) or "+prompt.OpenAI+" (OpenAI's cleaned CIFAR-100 or CIFAR-10 names); default: the dataset's own")
	fs.StringVar(&p.cupl, "prompts", "", "CuPL-style JSON of class name → prompts, replacing templates; it must name every class")
	fs.StringVar(&p.head, "head", "", "a zero-shot head saved by --save-head (.npy with its .json sidecar), used instead of running the text tower")
	fs.StringVar(&p.saveHead, "save-head", "", "write the class embeddings to FILE.npy (float32 [classes, dim]) with a FILE.json sidecar")
}

// textPlan is what a run scores images against.
type textPlan struct {
	classes  []string        // class names by label id, as given
	prompts  [][]string      // each class's prompts (nil with a head)
	labels   *zsic.Labels    // the saved head's embeddings, when --head
	meta     *head.Meta      // the saved head's sidecar, when --head
	record   prompt.Record   // what the report says
	warnings []string        // to print
	tmpl     *prompt.Summary // the templates, nil for CuPL prompts or a head
	tlist    []string        // the templates, nil for CuPL prompts or a head
}

// templateSource is a dataset that brings its own templates (a
// CLIP_benchmark WebDataset).
type templateSource interface {
	Templates() *prompt.Templates
}

// plan resolves class names and prompts from the flags and the dataset:
// flags first, then what the dataset brings (class names, and a
// WebDataset's templates), then --template. datasetClasses are the
// dataset's class names (or those of --labels); src may bring templates.
func (p *promptFlags) plan(datasetClasses []string, src any) (*textPlan, error) {
	if p.head != "" {
		for _, f := range []struct{ name, val string }{{"templates", p.templates}, {"classnames", p.classnames}, {"prompts", p.cupl}, {"save-head", p.saveHead}} {
			if f.val != "" {
				return nil, fmt.Errorf("--head fixes the class names and prompts: drop --%s", f.name)
			}
		}
		if p.set["template"] {
			return nil, errors.New("--head fixes the class names and prompts: drop --template")
		}
		return p.headPlan(datasetClasses)
	}
	if p.saveHead != "" && !strings.EqualFold(filepath.Ext(p.saveHead), ".npy") {
		return nil, fmt.Errorf("--save-head %s: the file name must end in .npy (its sidecar is the same name with .json)", p.saveHead)
	}
	if p.templates != "" && p.set["template"] {
		return nil, errors.New("give --template (one template) or --templates (a set), not both")
	}
	if p.cupl != "" && (p.templates != "" || p.set["template"]) {
		return nil, errors.New("--prompts gives every class its own prompts: drop --template and --templates")
	}
	tp := &textPlan{classes: datasetClasses}
	var namesSource string
	if p.classnames != "" {
		names, err := prompt.LoadClassNames(p.classnames, len(datasetClasses))
		if err != nil {
			return nil, err
		}
		tp.classes, namesSource = names, p.classnames
	}
	if len(tp.classes) == 0 {
		return nil, fmt.Errorf("%w: the label column has no ClassLabel names; give them with --labels a,b,c or --labels @FILE, or --classnames FILE", dataset.ErrNoClasses)
	}
	if p.cupl != "" {
		c, err := prompt.LoadCuPL(p.cupl)
		if err != nil {
			return nil, err
		}
		if tp.prompts, err = prompt.ClassPrompts(tp.classes, nil, c); err != nil {
			return nil, fmt.Errorf("--prompts %s: %w", p.cupl, err)
		}
		if extra := c.Extra(tp.classes); len(extra) > 0 {
			tp.warnings = append(tp.warnings, fmt.Sprintf("--prompts %s names %d classes the dataset does not have (first: %q); they are ignored", p.cupl, len(extra), extra[0]))
		}
	} else {
		t, err := p.templateSet(src)
		if err != nil {
			return nil, err
		}
		tp.warnings = append(tp.warnings, t.Warnings...)
		if tp.prompts, err = prompt.ClassPrompts(p.names(tp.classes), t.List, nil); err != nil {
			return nil, err
		}
		s := prompt.Summarize(t.List, t.Source)
		tp.tmpl, tp.tlist = &s, t.List
	}
	tp.record = record(p.names(tp.classes), namesSource, tp.tmpl, tp.prompts)
	return tp, nil
}

// templateSet picks the templates: --templates, else an explicit
// --template, else the dataset's own, else the default --template.
func (p *promptFlags) templateSet(src any) (*prompt.Templates, error) {
	if p.templates != "" {
		return prompt.LoadTemplates(p.templates)
	}
	if ts, ok := src.(templateSource); ok && !p.set["template"] {
		if t := ts.Templates(); t != nil {
			return t, nil
		}
	}
	if !prompt.HasPlaceholder(p.template) {
		return nil, fmt.Errorf("--template %q: %w", p.template, prompt.ErrNoPlaceholder)
	}
	src2 := ""
	if p.set["template"] {
		src2 = "--template"
	}
	return &prompt.Templates{List: []string{p.template}, Source: src2}, nil
}

// headPlan loads --head and checks it against the dataset's classes.
func (p *promptFlags) headPlan(datasetClasses []string) (*textPlan, error) {
	h, err := head.Load(p.head)
	if err != nil {
		return nil, err
	}
	m := h.Meta
	if len(datasetClasses) > 0 && len(datasetClasses) != len(m.Classes) {
		return nil, fmt.Errorf("head %s has %d classes, the dataset %d", p.head, len(m.Classes), len(datasetClasses))
	}
	tp := &textPlan{classes: m.Classes, labels: &zsic.Labels{Names: m.Classes, Embeds: h.Embeds}, meta: &m}
	if len(datasetClasses) > 0 && !slices.Equal(promptNames(datasetClasses), promptNames(m.Classes)) {
		tp.warnings = append(tp.warnings, fmt.Sprintf("head %s names the classes otherwise than the dataset (%q for %q first); label ids are matched by position", p.head, m.Classes[firstDiff(datasetClasses, m.Classes)], datasetClasses[firstDiff(datasetClasses, m.Classes)]))
	}
	prompts := m.ClassPrompts
	var tmpl *prompt.Summary
	if prompts == nil {
		if prompts, err = prompt.ClassPrompts(p.names(m.Classes), m.Templates, nil); err != nil {
			return nil, fmt.Errorf("head %s: %w", p.head, err)
		}
		s := prompt.Summarize(m.Templates, p.head)
		tmpl = &s
	}
	tp.record = record(p.names(m.Classes), p.head, tmpl, prompts)
	return tp, nil
}

// names returns class names as they go into prompts: with "_" read as a
// space (as eval does), or as given (classify, as the pipeline does).
func (p *promptFlags) names(classes []string) []string {
	if p.asGiven {
		return classes
	}
	return promptNames(classes)
}

// record summarizes the class names (as put into prompts) and prompts of a
// run.
func record(classes []string, namesSource string, tmpl *prompt.Summary, prompts [][]string) prompt.Record {
	var flat []string
	for _, ps := range prompts {
		flat = append(flat, ps...)
	}
	return prompt.Record{
		ClassNames:   prompt.Summarize(classes, namesSource),
		Templates:    tmpl,
		ClassPrompts: prompt.Summarize(flat, ""),
		Ensemble:     prompt.EnsembleMethod,
	}
}

// promptNames returns names as they go into prompts.
func promptNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = zsic.PromptName(n)
	}
	return out
}

func firstDiff(a, b []string) int {
	for i := range a {
		if zsic.PromptName(a[i]) != zsic.PromptName(b[i]) {
			return i
		}
	}
	return 0
}

// saveHead writes labels, the class embeddings made by the plan's prompts,
// as a head for the towers of clf.
func (p *promptFlags) saveHeadFile(path string, clf *zsic.Classifier, tp *textPlan, labels *zsic.Labels) error {
	towers := map[string]string{}
	for role, p := range clf.Model.Towers {
		towers[string(role)] = p
	}
	recs, err := head.TowerSHA256(towers)
	if err != nil {
		return fmt.Errorf("--save-head %s: %w", path, err)
	}
	meta := head.Meta{
		Classes:       p.names(tp.classes),
		Templates:     tp.tlist,
		Towers:        recs,
		Normalization: prompt.EnsembleMethod,
		ModelType:     string(clf.Model.Type),
		Scoring:       &head.Scoring{Kind: string(clf.Model.Scoring.Kind), Scale: clf.Model.Scoring.Scale, Bias: clf.Model.Scoring.Bias},
	}
	if tp.tlist == nil {
		meta.ClassPrompts = tp.prompts
	}
	h := &head.Head{Embeds: labels.Embeds, Meta: meta}
	return h.Save(path)
}

// checkHead refuses a head made for other towers than clf's.
func checkHead(path string, tp *textPlan, clf *zsic.Classifier) error {
	towers := map[string]string{}
	for role, p := range clf.Model.Towers {
		towers[string(role)] = p
	}
	h := &head.Head{Meta: *tp.meta}
	return h.Check(towers, path)
}

// checkOutputs refuses a --save-head whose files are another output, or
// the --head being read.
func (p *promptFlags) checkOutputs(outputs ...string) error {
	if p.saveHead == "" {
		return nil
	}
	side := head.SidecarPath(p.saveHead)
	for _, o := range outputs {
		if o != "" && (samePath(o, p.saveHead) || samePath(o, side)) {
			return fmt.Errorf("--save-head %s (and its sidecar %s) would overwrite %s: give another file", p.saveHead, side, o)
		}
	}
	return nil
}
