// Package meta reads what Pinhole needs to know about a media file: when it
// was taken, with what, where, how big it is, and what the owner wrote about
// it. Everything read from a file is treated as hostile: parsers recover from
// panics, cap sizes and validate ranges, and a failure is returned as an error
// for that one file.
package meta

import (
	"strconv"
	"strings"
	"time"
)

// Kind is the broad media type of a file.
type Kind string

// Kinds of media files. Sidecar is a file that describes a photo without
// being one: an .xmp sidecar, or a Google Takeout .json.
const (
	KindImage   Kind = "image"
	KindRaw     Kind = "raw"
	KindVideo   Kind = "video"
	KindSidecar Kind = "sidecar"
)

// TimeSource says where Info.Taken came from, most trusted first.
type TimeSource string

// Sources of the taken time.
const (
	SourceEXIF     TimeSource = "exif"        // DateTimeOriginal / CreateDate in EXIF
	SourceXMP      TimeSource = "xmp"         // xmp:CreateDate / photoshop:DateCreated
	SourceIPTC     TimeSource = "iptc"        // IPTC-IIM DateCreated + TimeCreated
	SourceMaker    TimeSource = "maker"       // a vendor record: Canon CIFF, Sigma X3F, Olympus APP12
	SourceVideo    TimeSource = "video"       // QuickTime mvhd creation time
	SourceTakeout  TimeSource = "takeout"     // Google Takeout JSON photoTakenTime: an instant in UTC, no zone
	SourceFileName TimeSource = "file_name"   // a date in the file name
	SourceFolder   TimeSource = "folder_name" // a date in the names of the folders above the file
	SourceFileTime TimeSource = "file_time"   // the file's modification time
)

// ReaderVersion names what this program's readers return for a file. It is
// stored with each file's metadata (files.reader). Bump it whenever a reader
// changes what it returns for some file — a field read for the first time, a
// parser fix — and every library re-reads the files an older version read,
// in the background and without hashing them again (app/index/reread.go),
// as the thumbnail cache does with thumbs.RendererVersion.
//
// 0 is every file read before versions were recorded.
//
// 2: motion photos (Info.Motion) and Apple's content identifier.
//
// 3: the star rating from EXIF (Rating, RatingPercent) and Windows' XMP
// percent too; Windows Explorer writes only those.
//
// 4: named face regions in XMP (Info.Regions), MWG and Microsoft Photo.
const ReaderVersion = 4

// Info is what Pinhole reads from one file. Zero values mean "unknown".
//
// It is stored as JSON in the database (files.meta), so every field has an
// explicit snake_case name that a rename in Go does not change; zero values
// are left out. Blobs stored before the names existed use the Go field
// names; UnmarshalJSON reads both (infojson.go).
type Info struct {
	MIME string `json:"mime,omitzero"` // e.g. image/jpeg, image/x-canon-cr2, video/mp4
	Kind Kind   `json:"kind,omitzero"`

	// Taken is the capture time. When HasOffset is true, Taken carries a
	// fixed zone with that offset; otherwise it is the camera's wall-clock
	// time expressed in UTC (no zone known).
	Taken       time.Time  `json:"taken,omitzero"`
	HasOffset   bool       `json:"has_offset,omitzero"`
	TakenSource TimeSource `json:"taken_source,omitzero"`

	Make  string `json:"make,omitzero"`
	Model string `json:"model,omitzero"`
	Lens  string `json:"lens,omitzero"` // exiftool's LensModel
	// Serial is the camera body's serial number (exiftool's SerialNumber),
	// from EXIF, the maker note or XMP.
	Serial       string  `json:"serial,omitzero"`
	ExposureTime float64 `json:"exposure_time,omitzero"` // seconds
	FNumber      float64 `json:"f_number,omitzero"`
	ISO          int     `json:"iso,omitzero"`
	FocalLength  float64 `json:"focal_length,omitzero"` // mm

	HasGPS bool    `json:"has_gps,omitzero"`
	Lat    float64 `json:"lat,omitzero"` // degrees, validated: not 0,0 and in range
	Lng    float64 `json:"lng,omitzero"`
	Alt    float64 `json:"alt,omitzero"` // metres above sea level
	HasAlt bool    `json:"has_alt,omitzero"`

	Orientation int `json:"orientation,omitzero"` // EXIF orientation 1–8; 0 when absent or invalid
	// HasOrientation: the file stores an orientation tag, even an invalid
	// one (some writers store 0); inspect shows it as exiftool does.
	HasOrientation bool `json:"has_orientation,omitzero"`
	// Width and Height are the pixel size as stored in the file, before
	// orientation is applied. DisplayWidth/DisplayHeight swap them when the
	// orientation turns the picture by 90°.
	Width  int `json:"width,omitzero"`
	Height int `json:"height,omitzero"`
	// Rotation is a video track's display rotation in degrees clockwise
	// (0, 90, 180, 270): portrait phone videos are landscape frames turned
	// by 90° when played.
	Rotation int `json:"rotation,omitzero"`

	Duration float64 `json:"duration,omitzero"` // seconds, for video
	// VideoCodec and AudioCodec are the codecs of the first video and audio
	// track as the container names them: the QuickTime sample entry type
	// ("avc1", "hvc1", "mp4a"), the AVI stream handler ("H264"), the
	// Matroska codec ID ("V_MPEG4/ISO/AVC") or the MPEG-TS stream type
	// ("27"). Enough to tell whether a browser can play the file.
	VideoCodec string `json:"video_codec,omitzero"`
	AudioCodec string `json:"audio_codec,omitzero"`

	Title       string   `json:"title,omitzero"`
	Description string   `json:"description,omitzero"`
	Keywords    []string `json:"keywords,omitzero"`
	Rating      int      `json:"rating,omitzero"` // 0–5, -1 rejected

	// Favorite: a Google Takeout JSON says the owner starred the photo
	// in Google Photos.
	Favorite bool `json:"favorite,omitzero"`

	// What an .xmp sidecar says about itself: xmp:MetadataDate (when its
	// metadata last changed, as the writing tool stamped it),
	// xmp:CreatorTool, and the fields Pinhole wrote into it as a user's
	// edits (pinhole:Edited). meta.Merge uses them to tell Pinhole's own
	// sidecars from another program's changes.
	MetadataDate time.Time `json:"metadata_date,omitzero"`
	CreatorTool  string    `json:"creator_tool,omitzero"`
	EditedFields []string  `json:"edited_fields,omitzero"`

	// Motion is the video a motion photo (Google's or Samsung's) carries
	// inside the file, checked to be an MP4 inside it (motion.go).
	Motion *Motion `json:"motion,omitzero"`
	// ContentID is the identifier an iPhone gives both halves of a Live
	// Photo: the still's maker note and the movie's keys carry the same
	// one, so they pair even when their names differ.
	ContentID string `json:"content_id,omitzero"`
	// Regions are the named faces the file's XMP tags (regions.go), as
	// fractions of the picture as stored, before orientation.
	Regions []Region `json:"regions,omitzero"`

	// Raw values kept for `pinhole inspect`, in exiftool's formats.
	DateTimeOriginal   string `json:"date_time_original,omitzero"`   // "YYYY:MM:DD hh:mm:ss"
	OffsetTimeOriginal string `json:"offset_time_original,omitzero"` // "+02:00"
}

// Rotated reports whether the orientation (or a video's rotation) turns
// the picture by 90° or 270°.
func (i *Info) Rotated() bool {
	return i.Orientation >= 5 && i.Orientation <= 8 || i.Rotation == 90 || i.Rotation == 270
}

// DisplayWidth is the width as the picture is shown, after orientation.
func (i *Info) DisplayWidth() int {
	if i.Rotated() {
		return i.Height
	}
	return i.Width
}

// DisplayHeight is the height as the picture is shown, after orientation.
func (i *Info) DisplayHeight() int {
	if i.Rotated() {
		return i.Width
	}
	return i.Height
}

// Fields is the `pinhole inspect` view of the file: keys named like
// exiftool's tags (without group), numbers as numbers like `exiftool -n`,
// and unknown fields left out.
func (i *Info) Fields() map[string]any {
	m := map[string]any{}
	putS := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	putF := func(k string, v float64) {
		if v != 0 {
			m[k] = v
		}
	}
	putS("MIMEType", i.MIME)
	putS("DateTimeOriginal", i.DateTimeOriginal)
	putS("OffsetTimeOriginal", i.OffsetTimeOriginal)
	putS("TakenSource", string(i.TakenSource))
	putS("Make", i.Make)
	putS("Model", i.Model)
	putS("LensModel", i.Lens)
	putS("SerialNumber", i.Serial)
	putF("ExposureTime", i.ExposureTime)
	putF("FNumber", i.FNumber)
	if i.ISO > 0 {
		m["ISO"] = i.ISO
	}
	putF("FocalLength", i.FocalLength)
	if i.HasGPS {
		m["GPSLatitude"] = i.Lat
		m["GPSLongitude"] = i.Lng
		if i.HasAlt {
			m["GPSAltitude"] = i.Alt
		}
	}
	if i.Orientation > 0 || i.HasOrientation {
		m["Orientation"] = i.Orientation
	}
	if i.Width > 0 && i.Height > 0 {
		m["ImageWidth"] = i.Width
		m["ImageHeight"] = i.Height
	}
	putF("Duration", i.Duration)
	vk, ak := i.codecKeys()
	for k, v := range map[string]string{vk: i.VideoCodec, ak: i.AudioCodec} {
		if n, err := strconv.Atoi(v); err == nil && strings.HasSuffix(k, "StreamType") {
			m[k] = n // MPEG-TS stream types are numbers, as exiftool -n shows them
		} else {
			putS(k, v)
		}
	}
	putS("Title", i.Title)
	putS("Description", i.Description)
	if len(i.Keywords) > 0 {
		m["Keywords"] = i.Keywords
	}
	if i.Rating != 0 {
		m["Rating"] = i.Rating
	}
	return m
}

// codecKeys names the codec fields as exiftool does for the container.
func (i *Info) codecKeys() (video, audio string) {
	switch i.MIME {
	case "video/x-msvideo":
		return "VideoCodec", "AudioCodec"
	case "video/x-matroska", "video/webm":
		return "VideoCodecID", "AudioCodecID"
	case "video/m2ts":
		return "VideoStreamType", "AudioStreamType"
	}
	return "CompressorID", "AudioFormat"
}
