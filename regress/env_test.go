package regress

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestModelDir(t *testing.T) {
	root, models := t.TempDir(), t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "fixtures/models/tiny-clip"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(models, "openai/clip-vit-base-patch32"), 0o755))
	byName := map[string]Case{}
	for _, c := range Cases() {
		byName[c.Name()] = c
	}
	fixture, twin := byName["CLIP/tiny-clip/fp32"], byName["CLIP/twin/openai/clip-vit-base-patch32"]
	real, other := byName["CLIP/openai/clip-vit-base-patch32"], byName["SigLIP/google/siglip-base-patch16-224"]
	tests := []struct {
		name    string
		env     Env
		c       Case
		want    string
		absent  bool
		message string
	}{
		{"fixture", Env{Root: root}, fixture, filepath.Join(root, "fixtures/models/tiny-clip"), false, ""},
		{"missing twin", Env{Root: root}, twin, "", false, "case CLIP/twin/openai/clip-vit-base-patch32: fixture model missing (run `make fixtures`)"},
		{"real", Env{Root: root, ModelsDir: models}, real, filepath.Join(models, "openai/clip-vit-base-patch32"), false, ""},
		{"no models dir", Env{Root: root}, real, "", true, "real model openai/clip-vit-base-patch32 is not here (ZSIC_MODELS_DIR is unset): set ZSIC_MODELS_DIR to a folder holding openai/clip-vit-base-patch32/"},
		{"real absent", Env{Root: root, ModelsDir: models}, other, "", true, "real model google/siglip-base-patch16-224 is not here (no folder " + filepath.Join(models, "google/siglip-base-patch16-224") + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := tt.env.ModelDir(tt.c)
			if tt.message != "" {
				require.ErrorContains(t, err, tt.message)
				require.Equal(t, tt.absent, IsAbsent(err))
				if tt.absent {
					require.ErrorContains(t, err, "python -m scripts.convert --quantize --split_modalities --model_id "+tt.c.Model)
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, dir)
		})
	}
}
