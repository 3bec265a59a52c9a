//go:build cgo && !nojpegturbo && !windows

package imageproc

/*
#cgo linux LDFLAGS: -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

// The TurboJPEG 2.x API (turbojpeg.h), declared here so that building needs
// no headers: the library is opened at run time with dlopen.
typedef void *tjhandle;
typedef tjhandle (*tjInitDecompress_t)(void);
typedef int (*tjDecompress2_t)(tjhandle, const unsigned char *, unsigned long,
	unsigned char *, int, int, int, int, int);
typedef char *(*tjGetErrorStr2_t)(tjhandle);
typedef int (*tjGetErrorCode_t)(tjhandle);
typedef int (*tjDestroy_t)(tjhandle);

static tjInitDecompress_t zsic_tjInitDecompress;
static tjDecompress2_t zsic_tjDecompress2;
static tjGetErrorStr2_t zsic_tjGetErrorStr2;
static tjGetErrorCode_t zsic_tjGetErrorCode;
static tjDestroy_t zsic_tjDestroy;

// zsic_tj_open loads the library at path and its five functions. It returns
// NULL on success, else dlerror's message. On success *file names the file
// the dynamic linker opened (after following the search path).
static const char *zsic_tj_open(const char *path, const char **file) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		return dlerror();
	}
#define LOAD(name) \
	zsic_##name = (name##_t)dlsym(h, #name); \
	if (zsic_##name == NULL) { return dlerror(); }
	LOAD(tjInitDecompress)
	LOAD(tjDecompress2)
	LOAD(tjGetErrorStr2)
	LOAD(tjGetErrorCode)
	LOAD(tjDestroy)
#undef LOAD
	Dl_info info;
	*file = "";
	if (dladdr((void *)zsic_tjDecompress2, &info) != 0 && info.dli_fname != NULL) {
		*file = info.dli_fname;
	}
	return NULL;
}

// zsic_tj_decode decodes a JPEG into dst (pitch bytes a row) with
// tjDecompress2's defaults, libjpeg's accurate integer IDCT (JDCT_ISLOW) and
// fancy upsampling, as Pillow decodes; flags is 0 or TJFLAG_STOPONWARNING.
// It returns 0 on success, 1 on a warning (the pixels are complete unless
// flags stopped the decoding there), -1 on an error; msg receives the
// library's last message for 1 and -1.
static int zsic_tj_decode(const unsigned char *data, unsigned long size,
		unsigned char *dst, int width, int pitch, int height, int pf, int flags,
		char *msg, int msglen) {
	tjhandle h = zsic_tjInitDecompress();
	if (h == NULL) {
		snprintf(msg, msglen, "tjInitDecompress failed");
		return -1;
	}
	int ret = 0;
	if (zsic_tjDecompress2(h, data, size, dst, width, pitch, height, pf, flags) != 0) {
		snprintf(msg, msglen, "%s", zsic_tjGetErrorStr2(h));
		ret = zsic_tjGetErrorCode(h) == 0 ? 1 : -1; // TJERR_WARNING is 0
	}
	zsic_tjDestroy(h);
	return ret;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"unsafe"
)

// turboBuilt says that this build can load libjpeg-turbo.
const turboBuilt = true

// TurboJPEG pixel formats (turbojpeg.h's TJPF) and a flag.
const (
	tjpfRGB             = 0
	tjpfGray            = 6
	tjpfCMYK            = 11
	tjflagStopOnWarning = 8192
)

// turbo is the run-time loaded libturbojpeg: loaded once, on first use,
// like ONNX Runtime's environment.
var turbo struct {
	once sync.Once
	file string // the library's file, when loaded
	err  error  // why it is not loaded
}

// turboNames are the file names tried, in order, when ZSIC_TURBOJPEG does
// not name the library.
func turboNames() []string {
	switch runtime.GOOS {
	case "darwin":
		return []string{"libturbojpeg.0.dylib", "libturbojpeg.dylib",
			"/opt/homebrew/opt/jpeg-turbo/lib/libturbojpeg.0.dylib",
			"/usr/local/opt/jpeg-turbo/lib/libturbojpeg.0.dylib"}
	}
	return []string{"libturbojpeg.so.0", "libturbojpeg.so"}
}

// loadTurbo opens libturbojpeg once. ZSIC_TURBOJPEG names the library's
// file, or "off" to use the Go decoder.
func loadTurbo() error {
	turbo.once.Do(func() {
		names := turboNames()
		switch env := os.Getenv(turboEnv); env {
		case "":
		case "off":
			turbo.err = fmt.Errorf("%s=off", turboEnv)
			return
		default:
			names = []string{env}
		}
		var errs []error
		for _, name := range names {
			cname := C.CString(name)
			var file *C.char
			msg := C.zsic_tj_open(cname, &file)
			C.free(unsafe.Pointer(cname))
			if msg == nil {
				turbo.file = C.GoString(file)
				if p, err := filepath.EvalSymlinks(turbo.file); err == nil {
					turbo.file = p
				}
				return
			}
			errs = append(errs, errors.New(C.GoString(msg)))
		}
		turbo.err = fmt.Errorf("libturbojpeg not loaded: %w", errors.Join(errs...))
	})
	return turbo.err
}

// turboDecoder describes the loaded library, or says why there is none.
func turboDecoder() (string, error) {
	if err := loadTurbo(); err != nil {
		return "", err
	}
	return "libjpeg-turbo (" + turbo.file + ")", nil
}

// turboDecode decodes a JPEG of the given header with libjpeg-turbo into
// packed RGB, gray or (Adobe-inverted) CMYK pixels, by its number of
// components. Like Pillow, it refuses a file whose data ends early (libjpeg
// warns "Premature end of JPEG file" and makes up the rest) and accepts
// one about whose other faults libjpeg only warns.
func turboDecode(data []byte, hdr jpegHeader) ([]byte, error) {
	if err := loadTurbo(); err != nil {
		return nil, err
	}
	pf, n := C.int(tjpfRGB), 3
	switch hdr.components {
	case 1:
		pf, n = tjpfGray, 1
	case 4:
		pf, n = tjpfCMYK, 4
	}
	pix := make([]byte, n*hdr.width*hdr.height)
	run := func(flags C.int) (C.int, string) {
		var msg [256]C.char
		ret := C.zsic_tj_decode((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)),
			(*C.uchar)(unsafe.Pointer(&pix[0])), C.int(hdr.width), C.int(n*hdr.width), C.int(hdr.height), pf, flags,
			&msg[0], C.int(len(msg)))
		return ret, C.GoString(&msg[0])
	}
	// The first pass stops at the first warning, so that a truncation is
	// told apart from whatever libjpeg says after making up the missing data.
	ret, msg := run(tjflagStopOnWarning)
	if ret == 1 && !isTruncation(msg) {
		ret, msg = run(0)
	}
	switch {
	case ret == -1:
		return nil, fmt.Errorf("libjpeg-turbo: %s", msg)
	case ret == 1 && isTruncation(msg):
		return nil, fmt.Errorf("%w: libjpeg-turbo: %s", errTruncated, msg)
	}
	return pix, nil
}
