package regress

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlacementFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env, device string
		want        bool
		err         string
	}{
		{"", "", false, ""},
		{"", "cpu", false, ""},
		{"", "qnn", true, ""},
		{"", "directml:1", true, ""},
		{"1", "cpu", true, ""},
		{"0", "cuda", false, ""},
		{"yes", "cuda", false, `ZSIC_PLACEMENT="yes": want 1 (every device), 0 (none) or unset (every device but the CPU)`},
	} {
		t.Run(tt.env+"/"+tt.device, func(t *testing.T) {
			t.Setenv(PlacementEnv, tt.env)
			got, err := PlacementFromEnv(tt.device)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
