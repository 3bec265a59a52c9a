package setup

import (
	"fmt"
	"runtime"

	"github.com/zsic/zsic/zsic/imageproc"
)

// JPEGDecoder checks that zsic finds libjpeg-turbo's TurboJPEG library
// (libturbojpeg), which it loads at run time to decode JPEG exactly as
// Pillow does; SystemPackages installs it on Debian. Without it JPEG would
// decode through Go's image/jpeg, a few levels off Pillow, and the JPEG
// parity tests fail, so setup says how to install it.
// On Windows, where zsic does not load libjpeg-turbo, it only says so.
func (s *Setup) JPEGDecoder() error {
	if runtime.GOOS == "windows" {
		s.logf("JPEG decoder: %s", imageproc.JPEGDecoder())
		return nil
	}
	if !imageproc.JPEGExact() {
		return fmt.Errorf("libjpeg-turbo's TurboJPEG library was not found: %s\n"+
			"  zsic needs it to decode JPEG as Pillow does. Install it:\n"+
			"    Debian/Ubuntu: sudo apt-get install libturbojpeg0\n"+
			"    Fedora/RHEL:   sudo dnf install turbojpeg\n"+
			"    macOS:         brew install jpeg-turbo\n"+
			"  or set ZSIC_TURBOJPEG to the library's path (libturbojpeg.so.0, libturbojpeg.0.dylib)",
			imageproc.JPEGDecoder())
	}
	s.logf("JPEG decoder: %s", imageproc.JPEGDecoder())
	return nil
}
