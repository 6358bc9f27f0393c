// Package transcode makes the videos browsers cannot play playable: it
// decides from a video's codecs whether it plays as it is, and converts
// the others on demand with ffmpeg into H.264/AAC in fragmented MP4 that
// streams while it is written, one job at a time at low priority under
// the thumbnail helpers' resource limits, into a size-capped disk cache.
//
// It sits beside app/maps: a leaf service with a disk cache and an
// external program, used by web through a small interface and wired by
// app. It is not part of thumbs, which renders still images and whose
// caches, budgets and errors are about pictures; it reuses thumbs'
// helper launcher (thumbs.StartHelper) so ffmpeg runs under the same
// limits whoever starts it.
package transcode

import (
	"strconv"
	"strings"
)

// Codec names after normalisation: what ffprobe calls them. Containers
// name the same codec many ways (an MP4 sample entry "hvc1", a Matroska
// codec ID "V_MPEGH/ISO/HEVC", an MPEG-TS stream type 36).
const (
	codecH264   = "h264"
	codecHEVC   = "hevc"
	codecVP8    = "vp8"
	codecVP9    = "vp9"
	codecAV1    = "av1"
	codecAAC    = "aac"
	codecMP3    = "mp3"
	codecOpus   = "opus"
	codecVorbis = "vorbis"
)

// VideoCodec normalises a video codec name as a container, meta.Info or
// ffprobe gives it. Unknown names come back lower-cased.
func VideoCodec(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	switch c {
	case "avc1", "avc3", "h264", "x264", "v_mpeg4/iso/avc":
		return codecH264
	case "hvc1", "hev1", "hevc", "h265", "x265", "dvh1", "dvhe", "v_mpegh/iso/hevc":
		return codecHEVC
	case "vp08", "vp8", "v_vp8":
		return codecVP8
	case "vp09", "vp9", "v_vp9":
		return codecVP9
	case "av01", "av1", "v_av1":
		return codecAV1
	}
	// MPEG-TS names codecs by stream type (meta keeps the decimal number).
	if n, err := strconv.Atoi(c); err == nil {
		switch n {
		case 0x1b:
			return codecH264
		case 0x24:
			return codecHEVC
		case 0x01:
			return "mpeg1video"
		case 0x02:
			return "mpeg2video"
		case 0x10:
			return "mpeg4"
		}
	}
	return c
}

// AudioCodec normalises an audio codec name; "" (no audio) stays "".
func AudioCodec(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	switch {
	case c == "mp4a", c == "aac", strings.HasPrefix(c, "a_aac"):
		return codecAAC
	case c == ".mp3", c == "mp3", c == "a_mpeg/l3":
		return codecMP3
	case c == "opus", c == "a_opus":
		return codecOpus
	case c == "vorbis", c == "a_vorbis":
		return codecVorbis
	}
	if n, err := strconv.Atoi(c); err == nil {
		switch n {
		case 0x0f, 0x11: // ADTS and LATM AAC
			return codecAAC
		case 0x03, 0x04:
			return "mp2" // MPEG-1/2 audio; layer 3 cannot be told apart here
		}
	}
	return c
}

// Playable reports whether browsers play a video as it is, from its MIME
// type (as the indexer found it by content) and its first video and audio
// codec: H.264, VP8, VP9 or AV1 with AAC, MP3, Opus or no audio in
// MP4/MOV/M4V, and VP8, VP9 or AV1 with Opus, Vorbis or no audio in WebM.
// Everything else is converted: HEVC (most browsers lack it), MPEG-2
// (AVCHD's MTS), MJPEG AVI, H.263 3GP, WMV, Matroska (Safari and older
// Firefox play no .mkv at all), PCM or AMR sound. An empty video codec
// is not known yet and reads as not playable; the caller probes first.
func Playable(mime, video, audio string) bool {
	v, a := VideoCodec(video), AudioCodec(audio)
	switch strings.ToLower(mime) {
	case "video/mp4", "video/quicktime", "video/x-m4v":
		return (v == codecH264 || v == codecVP8 || v == codecVP9 || v == codecAV1) &&
			(a == "" || a == codecAAC || a == codecMP3 || a == codecOpus)
	case "video/webm":
		return (v == codecVP8 || v == codecVP9 || v == codecAV1) &&
			(a == "" || a == codecOpus || a == codecVorbis)
	}
	return false
}
