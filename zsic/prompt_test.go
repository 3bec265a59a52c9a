package zsic

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPromptName(t *testing.T) {
	tests := []struct{ class, want string }{
		{"maple_tree", "maple tree"},
		{"aquarium_fish", "aquarium fish"},
		{"large_man-made_outdoor_things", "large man-made outdoor things"},
		{"cat", "cat"},
		{"", ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, PromptName(tt.class))
	}
}
