package head

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
)

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// WriteNPY writes rows as a NumPy .npy array of float32, shape [len(rows),
// dim], C order, byte for byte as numpy.save writes it (format 1.0, header
// padded to 64 bytes). Every row must have dim values.
func WriteNPY(w io.Writer, rows [][]float32, dim int) error {
	for i, r := range rows {
		if len(r) != dim {
			return fmt.Errorf("npy: row %d has %d values, want %d", i, len(r), dim)
		}
	}
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", len(rows), dim)
	// magic (6) + version (2) + length (2) + dict + padding + "\n" ≡ 0 mod 64
	pad := 64 - (10+len(dict)+1)%64
	if pad == 64 {
		pad = 0
	}
	header := dict + string(bytes.Repeat([]byte{' '}, pad)) + "\n"
	if len(header) > math.MaxUint16 {
		return errors.New("npy: header too long")
	}
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.Write([]byte{1, 0})
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	buf := make([]byte, 4*dim)
	for _, r := range rows {
		for j, x := range r {
			binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(x))
		}
		b.Write(buf)
	}
	_, err := w.Write(b.Bytes())
	return err
}

var (
	descrRE   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	fortranRE = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	shapeRE   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// ReadNPY reads a 2-D little-endian float32 .npy array in C order (any
// format version), as numpy.save writes a float32 matrix, and returns its
// rows. Anything else (another dtype, Fortran order, another rank, a short
// or long data section) is an error saying what the file holds.
func ReadNPY(data []byte) ([][]float32, error) {
	if len(data) < 10 || string(data[:6]) != npyMagic {
		return nil, errors.New("npy: not a .npy file (no \\x93NUMPY magic)")
	}
	major := data[6]
	var hlen, off int
	switch major {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(data[8:10])), 10
	case 2, 3:
		if len(data) < 12 {
			return nil, errors.New("npy: truncated header")
		}
		hlen, off = int(binary.LittleEndian.Uint32(data[8:12])), 12
	default:
		return nil, fmt.Errorf("npy: format version %d.%d is not one numpy writes (1.0, 2.0, 3.0)", major, data[7])
	}
	if off+hlen > len(data) {
		return nil, fmt.Errorf("npy: header of %d bytes but the file has %d", hlen, len(data))
	}
	header := string(data[off : off+hlen])
	descr := descrRE.FindStringSubmatch(header)
	fortran := fortranRE.FindStringSubmatch(header)
	shape := shapeRE.FindStringSubmatch(header)
	if descr == nil || fortran == nil || shape == nil {
		return nil, fmt.Errorf("npy: header %q lacks descr, fortran_order or shape", header)
	}
	if descr[1] != "<f4" {
		return nil, fmt.Errorf("npy: dtype %s, want <f4 (little-endian float32)", descr[1])
	}
	if fortran[1] != "False" {
		return nil, errors.New("npy: Fortran-order array, want C order")
	}
	var dims []int
	for _, f := range bytes.Split([]byte(shape[1]), []byte(",")) {
		f = bytes.TrimSpace(f)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.Atoi(string(f))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("npy: bad shape (%s)", shape[1])
		}
		dims = append(dims, n)
	}
	if len(dims) != 2 {
		return nil, fmt.Errorf("npy: shape (%s) has %d dimensions, want 2 [classes, dim]", shape[1], len(dims))
	}
	rows, dim := dims[0], dims[1]
	body := data[off+hlen:]
	if want := int64(rows) * int64(dim) * 4; int64(len(body)) != want {
		return nil, fmt.Errorf("npy: shape (%d, %d) needs %d bytes of data, the file has %d", rows, dim, want, len(body))
	}
	out := make([][]float32, rows)
	for i := range out {
		out[i] = make([]float32, dim)
		for j := range out[i] {
			out[i][j] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*(i*dim+j):]))
		}
	}
	return out, nil
}
