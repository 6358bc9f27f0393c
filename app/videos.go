package app

import (
	"pinhole/app/transcode"
)

// Hardware H.264 encoders' devices: a Raspberry Pi 4's V4L2 encoder and
// the first DRM render node (Intel VAAPI).
const (
	v4l2EncoderDevice = "/dev/video11"
	vaapiDevice       = "/dev/dri/renderD128"
)

// openVideos starts the converter of videos browsers cannot play.
func (a *App) openVideos() (*transcode.Service, error) {
	cfg := transcode.Config{
		Dir:       a.Cfg.VideoDir(),
		MaxBytes:  a.Cfg.VideoCacheMB << 20,
		MaxHeight: a.Cfg.VideoMaxHeight,
		Logger:    a.Log.With("component", "transcode"),
	}
	if a.Cfg.VideoHWEncoder {
		cfg.V4L2Device, cfg.VAAPIDevice = v4l2EncoderDevice, vaapiDevice
	}
	return transcode.New(cfg)
}

// videoStatus is the status document's "videos" block: the conversion
// cache and the encoder chosen (empty until the first conversion).
func videoStatus(v *transcode.Service) VideoStatus {
	st := v.Stats()
	return VideoStatus{Available: v.Available(), Encoder: v.Encoder(), MaxHeight: v.MaxHeight(),
		CacheBytes: st.Bytes, CacheMaxBytes: st.MaxBytes, CacheFiles: st.Files, Conversions: v.Conversions()}
}

// VideoStatus is the video converter's part of the status document.
type VideoStatus struct {
	// Available: ffmpeg was found, so videos browsers cannot play are
	// converted.
	Available     bool   `json:"available"`
	Encoder       string `json:"encoder"`
	MaxHeight     int    `json:"max_height"`
	CacheBytes    int64  `json:"cache_bytes"`
	CacheMaxBytes int64  `json:"cache_max_bytes"`
	CacheFiles    int64  `json:"cache_files"`
	Conversions   int64  `json:"conversions"`
}
