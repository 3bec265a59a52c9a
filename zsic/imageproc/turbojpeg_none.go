//go:build !cgo || nojpegturbo || windows

package imageproc

import "errors"

// turboBuilt says that this build cannot load libjpeg-turbo.
const turboBuilt = false

// turboDecoder says why this build has no libjpeg-turbo: it was built
// without cgo, with the nojpegturbo tag, or for Windows.
func turboDecoder() (string, error) {
	return "", errors.New("built without libjpeg-turbo (no cgo, the nojpegturbo build tag, or Windows)")
}

func turboDecode([]byte, jpegHeader) ([]byte, error) {
	_, err := turboDecoder()
	return nil, err
}
