package certificates

import (
	"bytes"
	"image/png"

	qrcode "github.com/skip2/go-qrcode"
)

// qrPixelsPerModule keeps the image small while letting viewers that smooth
// upscaled images still show sharp module edges; 1 pixel per module would
// be blurred into grey by them.
const qrPixelsPerModule = 4

// qrPNG draws content as a QR code, with its four-module quiet zone, as a
// two-colour PNG. Level M survives a crease or a smudge on a printed page
// and keeps the code of a verify URL coarse enough to scan at 3-4 cm.
func qrPNG(content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	// The library's own PNG uses the slowest compression, which costs more
	// than the rest of the page; a 1-bit image gains next to nothing by it.
	// A new compressor allocates about a megabyte, hence the pool.
	var buf bytes.Buffer
	if err := qrEncoder.Encode(&buf, q.Image(-qrPixelsPerModule)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var qrEncoder = &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: make(pngBuffers, 8)}

// pngBuffers keeps a few encoders' buffers between pages. Unlike a
// sync.Pool it keeps them across garbage collections, which come every
// page or two when certificates are issued in bulk.
type pngBuffers chan *png.EncoderBuffer

func (p pngBuffers) Get() *png.EncoderBuffer {
	select {
	case b := <-p:
		return b
	default:
		return nil
	}
}

func (p pngBuffers) Put(b *png.EncoderBuffer) {
	select {
	case p <- b:
	default:
	}
}
