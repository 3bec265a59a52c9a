// Command jpegdecoder prints the JPEG decoder zsic's imageproc.Decode uses
// (imageproc.JPEGDecoder), for scripts/bench_jpeg.py and setup's check.
// It exits with status 1 when that decoder is not libjpeg-turbo.
package main

import (
	"fmt"
	"os"

	"github.com/zsic/zsic/zsic/imageproc"
)

func main() {
	fmt.Println(imageproc.JPEGDecoder())
	if !imageproc.JPEGExact() {
		os.Exit(1)
	}
}
