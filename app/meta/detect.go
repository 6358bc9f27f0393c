package meta

import (
	"path/filepath"
	"strings"
)

// typeByExt maps lower-case extensions to kind and MIME type. MIME names
// follow exiftool's File:MIMEType so values match what people see there.
var typeByExt = map[string]struct {
	kind Kind
	mime string
}{
	".jpg":  {KindImage, "image/jpeg"},
	".jpeg": {KindImage, "image/jpeg"},
	".jpe":  {KindImage, "image/jpeg"},
	".jfif": {KindImage, "image/jpeg"},
	".png":  {KindImage, "image/png"},
	".gif":  {KindImage, "image/gif"},
	".bmp":  {KindImage, "image/bmp"},
	".webp": {KindImage, "image/webp"},
	".tif":  {KindImage, "image/tiff"},
	".tiff": {KindImage, "image/tiff"},
	".heic": {KindImage, "image/heic"},
	".heif": {KindImage, "image/heif"},
	".hif":  {KindImage, "image/heif"},
	".avif": {KindImage, "image/avif"},
	".jxl":  {KindImage, "image/jxl"},

	".cr2": {KindRaw, "image/x-canon-cr2"},
	".cr3": {KindRaw, "image/x-canon-cr3"},
	".crw": {KindRaw, "image/x-canon-crw"},
	".nef": {KindRaw, "image/x-nikon-nef"},
	".nrw": {KindRaw, "image/x-nikon-nrw"},
	".arw": {KindRaw, "image/x-sony-arw"},
	".srf": {KindRaw, "image/x-sony-srf"},
	".sr2": {KindRaw, "image/x-sony-sr2"},
	".dng": {KindRaw, "image/x-adobe-dng"},
	".orf": {KindRaw, "image/x-olympus-orf"},
	".rw2": {KindRaw, "image/x-panasonic-rw2"},
	".rwl": {KindRaw, "image/x-leica-rwl"},
	".raw": {KindRaw, "image/x-panasonic-raw"},
	".pef": {KindRaw, "image/x-pentax-pef"},
	".srw": {KindRaw, "image/x-samsung-srw"},
	".raf": {KindRaw, "image/x-fujifilm-raf"},
	".mrw": {KindRaw, "image/x-minolta-mrw"},
	".x3f": {KindRaw, "image/x-sigma-x3f"},
	".3fr": {KindRaw, "image/x-hasselblad-3fr"},
	".fff": {KindRaw, "image/x-hasselblad-fff"},
	".erf": {KindRaw, "image/x-epson-erf"},
	".kdc": {KindRaw, "image/x-kodak-kdc"},
	".dcr": {KindRaw, "image/x-kodak-dcr"},
	".mef": {KindRaw, "image/x-mamiya-mef"},
	".mos": {KindRaw, "image/x-raw"},
	".iiq": {KindRaw, "image/x-raw"},

	".mp4":  {KindVideo, "video/mp4"},
	".m4v":  {KindVideo, "video/x-m4v"},
	".mov":  {KindVideo, "video/quicktime"},
	".qt":   {KindVideo, "video/quicktime"},
	".3gp":  {KindVideo, "video/3gpp"},
	".3g2":  {KindVideo, "video/3gpp2"},
	".avi":  {KindVideo, "video/x-msvideo"},
	".mkv":  {KindVideo, "video/x-matroska"},
	".webm": {KindVideo, "video/webm"},
	".mts":  {KindVideo, "video/m2ts"},
	".m2ts": {KindVideo, "video/m2ts"},

	".xmp": {KindSidecar, "application/rdf+xml"},
	// Google Takeout's JSON sidecars. The indexer keeps only those whose
	// name belongs to a photo beside them (TakeoutJSONNames).
	".json": {KindSidecar, mimeTakeout},
}

// Detect tells by the file name's extension alone whether a file is media
// Pinhole indexes (sidecar .xmp and Takeout .json files included), so a
// directory walk can skip everything else without opening it.
func Detect(name string) (kind Kind, mime string, ok bool) {
	t, ok := typeByExt[strings.ToLower(filepath.Ext(name))]
	if !ok {
		return "", "", false
	}
	return t.kind, t.mime, true
}

// kindOfMIME derives the kind from a MIME type found by content.
func kindOfMIME(mime string) Kind {
	switch {
	case strings.HasPrefix(mime, "video/"):
		return KindVideo
	case mime == "application/rdf+xml", mime == mimeTakeout:
		return KindSidecar
	case strings.HasPrefix(mime, "image/x-"):
		return KindRaw
	}
	return KindImage
}
