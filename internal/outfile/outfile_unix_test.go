//go:build unix

package outfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCreateDevice(t *testing.T) {
	st, err := os.Stat(os.DevNull)
	require.NoError(t, err)
	write(t, os.DevNull, "discarded")
	after, err := os.Stat(os.DevNull)
	require.NoError(t, err)
	require.True(t, os.SameFile(st, after), "/dev/null is written to, not replaced")
	require.NotZero(t, after.Mode()&os.ModeCharDevice)
}

func TestCreateFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	got := make(chan string)
	go func() {
		data, _ := os.ReadFile(fifo)
		got <- string(data)
	}()
	write(t, fifo, "through the pipe")
	require.Equal(t, "through the pipe", <-got)
	st, err := os.Lstat(fifo)
	require.NoError(t, err)
	require.NotZero(t, st.Mode()&os.ModeNamedPipe, "the FIFO is still a FIFO")
}
