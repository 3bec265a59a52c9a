package zsic

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestClassifierPlacement measures both towers of the tiny CLIP fixture
// on the CPU: every node on the CPU provider, none fallen back, and the
// towers still run afterwards.
func TestClassifierPlacement(t *testing.T) {
	c := openTinyCLIP(t)
	p, err := c.Placement()
	require.NoError(t, err)
	require.Len(t, p, 2)
	for _, r := range Roles() {
		require.Equal(t, "CPU", p[r].Provider, r)
		require.Greater(t, p[r].Total(), 0, r)
		require.Equal(t, p[r].Total(), p[r].OnDevice(), r)
	}
	require.Zero(t, p.Fallback())
	require.Regexp(t, `^image-encoder CPU [1-9][0-9]*; text-encoder CPU [1-9][0-9]*$`, p.String())
	_, err = c.EmbedTexts([]string{"a photo of a cat"}, 0)
	require.NoError(t, err)

	// Fake towers cannot measure it: they are absent, not an error.
	fake, _ := fakeClassifier(t, 4)
	p, err = fake.Placement()
	require.NoError(t, err)
	require.Empty(t, p)
	require.Equal(t, "", p.String())
}

// TestPlacementsString checks the order and the fallback sum.
func TestPlacementsString(t *testing.T) {
	p := Placements{
		TextEncoder:  {Provider: "QNN", Nodes: map[string]int{"QNN": 1, "CPU": 2}},
		ImageEncoder: {Provider: "QNN", Nodes: map[string]int{"QNN": 3, "CPU": 7, "CUDA": 1}},
	}
	require.Equal(t, "image-encoder QNN 3, CPU 7, CUDA 1; text-encoder QNN 1, CPU 2", p.String())
	require.Equal(t, 10, p.Fallback())
}
