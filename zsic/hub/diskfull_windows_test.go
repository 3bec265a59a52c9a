//go:build windows

package hub

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

func TestIsDiskFullWindows(t *testing.T) {
	require.True(t, isDiskFull(&os.PathError{Op: "write", Path: "blob", Err: windows.ERROR_DISK_FULL}))
	require.True(t, isDiskFull(&os.PathError{Op: "write", Path: "blob", Err: windows.ERROR_HANDLE_DISK_FULL}))
	require.False(t, isDiskFull(&os.PathError{Op: "write", Path: "blob", Err: windows.ERROR_ACCESS_DENIED}))
}
