package hub

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIsRepoID(t *testing.T) {
	for s, want := range map[string]bool{
		"openai/clip-vit-base-patch32":          true,
		"timm/vit_base_patch16_clip_224.openai": true,
		"uoft-cs/cifar100":                      true,
		"cifar100":                              false,
		"./org/name":                            false,
		"/abs/path":                             false,
		"a/b/c":                                 false,
		"org/..":                                false,
		"org/":                                  false,
		"":                                      false,
		`org\name`:                              false,
	} {
		require.Equal(t, want, IsRepoID(s), s)
	}
}
