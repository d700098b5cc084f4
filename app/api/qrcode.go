package api

import (
	"encoding/base64"
	"fmt"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// svgWriter draws a QR matrix as SVG: one square per dark module, with the
// four-module quiet zone the standard asks for.
type svgWriter struct{ out strings.Builder }

func (w *svgWriter) Write(mat qrcode.Matrix) error {
	bits := mat.Bitmap()
	const quiet = 4
	size := len(bits) + 2*quiet
	fmt.Fprintf(&w.out, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, size, size, size, size)
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&w.out, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	w.out.WriteString(`"/></svg>`)
	return nil
}

func (w *svgWriter) Close() error { return nil }

// qrDataURL is text as a QR code, an SVG data URL an <img> shows and a
// printer renders sharp at any size.
func qrDataURL(text string) (string, error) {
	qr, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", err
	}
	var w svgWriter
	if err := qr.Save(&w); err != nil {
		return "", err
	}
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(w.out.String())), nil
}
