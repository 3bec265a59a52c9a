package zsic_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zsic/zsic/zsic"
)

// One template through EncodeClasses is exactly EncodeLabels: same prompts,
// same padding, same embeddings.
func TestEncodeClassesOneTemplate(t *testing.T) {
	c := openTinyCLIP(t)
	names := []string{"maple tree", "cat", "aquarium fish", "sweet pepper"}
	want, err := c.EncodeLabels(names, "", 3)
	require.NoError(t, err)
	prompts := make([][]string, len(names))
	for i, p := range zsic.Prompts("", names) {
		prompts[i] = []string{p}
	}
	got, err := c.EncodeClasses(names, prompts, 3)
	require.NoError(t, err)
	require.Equal(t, want, got)

	// Two prompts a class: the ensemble of the two rows EmbedTexts gives.
	two := [][]string{{"a maple tree.", "the maple tree."}, {"a cat.", "the cat."}}
	got, err = c.EncodeClasses(names[:2], two, 0)
	require.NoError(t, err)
	rows, err := c.EmbedTexts([]string{"a maple tree.", "the maple tree.", "a cat.", "the cat."}, 0)
	require.NoError(t, err)
	wantEmb, err := zsic.Ensemble(rows, []int{2, 2})
	require.NoError(t, err)
	require.Equal(t, wantEmb, got.Embeds)
	require.NotEqual(t, zsic.Normalize(rows[0]), got.Embeds[0])
}
