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
func videoStatus(v *transcode.Service) map[string]any {
	st := v.Stats()
	return map[string]any{"available": v.Available(), "encoder": v.Encoder(), "max_height": v.MaxHeight(),
		"cache_bytes": st.Bytes, "cache_max_bytes": st.MaxBytes, "cache_files": st.Files, "conversions": v.Conversions()}
}
