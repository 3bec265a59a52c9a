package progress

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBar(t *testing.T) {
	var out bytes.Buffer
	f := Bar(&out)
	f(Update{Task: "eval", Done: 0, Total: 4})
	f(Update{Task: "eval", Done: 2, Total: 4}) // within 100 ms: not drawn
	f(Update{Task: "eval", Done: 4, Total: 4, Final: true})
	require.Contains(t, out.String(), "\reval [                              ] 0/4")
	require.NotContains(t, out.String(), " 2/4 ")
	require.Contains(t, out.String(), "\reval [==============================] 4/4")
	require.Regexp(t, ` done\n$`, out.String())

	out.Reset()
	f(Update{Task: "downloading small", Unit: Bytes, Done: 10, Total: 10, Final: true})
	require.Empty(t, out.String(), "small downloads are not drawn")
	f(Update{Task: "downloading big", Unit: Bytes, Done: 3 << 19, Total: 3 << 19, Final: true, Err: errors.New("x")})
	require.Equal(t, "\rdownloading big: 1.5 MiB / 1.5 MiB (100%) failed\n", out.String())

	var nilFunc Func
	nilFunc.Report(Update{}) // no panic
}
