package thumbs

import (
	"bytes"
	"path/filepath"
	"strings"
)

// format is how a file is turned into pixels.
type format int

const (
	formatUnknown format = iota
	formatJPEG
	formatImage // PNG, GIF, WebP, TIFF, BMP: decoded by the standard library and x/image
	formatRAW   // an embedded preview JPEG
	formatHEIF  // HEIC, HEIF, AVIF
	formatVideo
)

var rawExts = map[string]bool{
	".cr2": true, ".cr3": true, ".nef": true, ".nrw": true, ".arw": true, ".srf": true, ".sr2": true,
	".dng": true, ".orf": true, ".rw2": true, ".pef": true, ".raf": true, ".srw": true, ".iiq": true,
	".3fr": true, ".erf": true, ".kdc": true, ".mef": true, ".mos": true, ".x3f": true, ".rwl": true,
}

var videoExts = map[string]bool{
	".mp4": true, ".mov": true, ".m4v": true, ".3gp": true, ".3g2": true, ".avi": true,
	".mkv": true, ".webm": true, ".mts": true, ".m2ts": true, ".mpg": true, ".mpeg": true, ".wmv": true,
}

// sniff decides the format from the file's first bytes, its name and the
// MIME type the index recorded; content wins over names.
func sniff(head []byte, path, mime string) format {
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, []byte("FUJIFILMCCD-RAW")):
		return formatRAW
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return formatJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG")), bytes.HasPrefix(head, []byte("GIF8")),
		bytes.HasPrefix(head, []byte("BM")) && ext == ".bmp",
		len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return formatImage
	case bytes.HasPrefix(head, []byte("II")) || bytes.HasPrefix(head, []byte("MM")):
		// TIFF-based RAWs share the TIFF header; the extension tells them apart.
		if rawExts[ext] || strings.HasPrefix(mime, "image/x-") && mime != "image/x-tiff" {
			return formatRAW
		}
		return formatImage
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		brand := string(head[8:12])
		switch brand {
		case "crx ":
			return formatRAW
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis":
			return formatHEIF
		}
		return formatVideo
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:11]) == "AVI":
		return formatVideo
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}): // Matroska, WebM
		return formatVideo
	}
	switch {
	case strings.HasPrefix(mime, "video/") || videoExts[ext]:
		return formatVideo
	case rawExts[ext]:
		return formatRAW
	case ext == ".heic" || ext == ".heif" || ext == ".avif" || mime == "image/heic" || mime == "image/heif" || mime == "image/avif":
		return formatHEIF
	}
	return formatUnknown
}
