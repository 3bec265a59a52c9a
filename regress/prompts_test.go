package regress_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/regress"
	"github.com/zsic/zsic/zsic"
	"github.com/zsic/zsic/zsic/prompt"
)

// TestOneTemplateIsToday runs each fixture model on the pinned sample twice:
// as `zsic eval` does by default, and through the ensemble path with the
// same single template per class. The predictions, scores included, must be
// identical; and OpenAI's 18 templates must change them.
func TestOneTemplateIsToday(t *testing.T) {
	s := suite(t)
	for _, c := range regress.Cases() {
		if c.Kind != regress.Fixture || c.Variant != "" {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			clf, err := s.Open(c)
			require.NoError(t, err)
			defer clf.Close()
			rows, _ := s.Sample(200)
			want, err := clf.Evaluate(context.Background(), s.Source(), rows, s.EvalOptions())
			require.NoError(t, err)

			opt := s.EvalOptions()
			names := make([]string, len(s.Classes()))
			for i, n := range s.Classes() {
				names[i] = zsic.PromptName(n)
			}
			opt.Prompts, err = prompt.ClassPrompts(names, []string{zsic.DefaultTemplate}, nil)
			require.NoError(t, err)
			got, err := clf.Evaluate(context.Background(), s.Source(), rows, opt)
			require.NoError(t, err)
			require.Equal(t, want.Predictions, got.Predictions)

			tmpl, err := prompt.LoadTemplates(prompt.OpenAI)
			require.NoError(t, err)
			opt.Prompts, err = prompt.ClassPrompts(names, tmpl.List, nil)
			require.NoError(t, err)
			ens, err := clf.Evaluate(context.Background(), s.Source(), rows, opt)
			require.NoError(t, err)
			require.NotEqual(t, want.Predictions, ens.Predictions)
		})
	}
}
