package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pinhole/app/transcode"
	"pinhole/db"
)

// Transcoder converts the videos browsers cannot play; app/transcode's
// Service is one.
type Transcoder interface {
	// Available reports whether conversions can run (ffmpeg is there).
	Available() bool
	// ProbeFile asks ffprobe for a video's codecs.
	ProbeFile(ctx context.Context, path string) (transcode.Probe, error)
	// Status reports a conversion's progress; start queues it.
	Status(src transcode.Source, start bool) transcode.Status
	// Open returns the converted video, finished or as it grows.
	Open(ctx context.Context, src transcode.Source) (*transcode.Stream, error)
}

// playback is how a video reaches the browser.
type playback struct {
	direct bool             // the original plays as it is
	src    transcode.Source // else: what to convert
}

// videoPlayback decides from the video's codecs (its stored metadata, else
// ffprobe once, remembered) whether the original plays in browsers.
// Without a transcoder every video is served as it is, as before.
func (s *Server) videoPlayback(ctx context.Context, hash string, f db.MediaFile) (playback, error) {
	if s.deps.Videos == nil {
		return playback{direct: true}, nil
	}
	known, err := s.deps.DB.VideoCodecs(ctx, []string{hash})
	if err != nil {
		return playback{}, err
	}
	vc := known[hash]
	if vc.MIME == "" {
		vc.MIME = f.MIME
	}
	abs, err := s.resolveOriginal(f.Path)
	if err != nil {
		s.log.Debug("video not on disk", "hash", hash, "err", err)
		return playback{}, fmt.Errorf("file %s is not readable on disk: %w", hash, db.ErrNotFound)
	}
	if !vc.Known && s.deps.Videos.Available() {
		// Indexed before codecs were read, or a container the reader does
		// not parse: ask ffprobe once and remember.
		p, err := s.deps.Videos.ProbeFile(ctx, abs)
		switch {
		case err == nil:
			vc.Video, vc.Audio, vc.Known = p.Video, p.Audio, true
			if vc.Duration <= 0 {
				vc.Duration = p.Duration
			}
			if vc.Width == 0 {
				vc.Width, vc.Height = p.Width, p.Height
			}
			if err := s.deps.DB.RememberVideoCodecs(ctx, hash, vc); err != nil {
				s.log.Warn("remember video codecs", "hash", hash, "err", err)
			}
		case ctx.Err() != nil:
			return playback{}, ctx.Err()
		default:
			s.log.Debug("probe video", "hash", hash, "err", err)
		}
	}
	if transcode.Playable(vc.MIME, vc.Video, vc.Audio) {
		return playback{direct: true}, nil
	}
	return playback{src: transcode.Source{Path: abs, Hash: hash, Duration: vc.Duration, Width: vc.Width, Height: vc.Height}}, nil
}

// video serves GET /api/v1/video/:hash: the original when browsers play
// it, else the converted video — from the cache with Range support, or
// live while ffmpeg writes it.
func (s *Server) video(c echo.Context) error {
	f, err := s.tokenFile(c, true)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	hash := c.Param("hash")
	pb, err := s.videoPlayback(ctx, hash, f)
	if err != nil {
		return err
	}
	if pb.direct || !s.deps.Videos.Available() {
		// Without ffmpeg the original is still the best there is; the
		// viewer says when the browser cannot play it.
		c.Response().Header().Set("X-Pinhole-Video", "original")
		return s.serveOriginal(c, f, true)
	}
	st, err := s.deps.Videos.Open(ctx, pb.src)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Info("video conversion failed", "hash", hash, "err", err)
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "this video could not be converted for the browser: "+err.Error())
	}
	defer st.Close()
	h := c.Response().Header()
	ct := "video/mp4"
	if st.Codecs != "" {
		ct += `; codecs="` + st.Codecs + `"`
	}
	h.Set("Content-Type", ct)
	name := strings.TrimSuffix(f.Name, path.Ext(f.Name)) + ".mp4"
	if cd := mime.FormatMediaType("inline", map[string]string{"filename": name}); cd != "" {
		h.Set("Content-Disposition", cd)
	}
	if st.Complete {
		h.Set("X-Pinhole-Video", "converted")
		h.Set("Cache-Control", "private, max-age=86400")
		h.Set("ETag", `"`+hash+"-v"+strconv.Itoa(transcode.Version)+`"`)
		http.ServeContent(c.Response(), c.Request(), "", fileTime(st), st.File)
		return nil
	}
	// Live: the whole stream from its start, whatever Range asked (the
	// length is not known yet), never cached as if it were complete.
	h.Set("X-Pinhole-Video", "converting")
	h.Set("Cache-Control", "no-store")
	h.Set("Accept-Ranges", "none")
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	buf := make([]byte, 256<<10)
	for {
		n, err := st.Read(buf)
		if n > 0 {
			if _, werr := c.Response().Write(buf[:n]); werr != nil {
				return nil // the viewer went away
			}
			c.Response().Flush()
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.Info("video conversion failed while streaming", "hash", hash, "err", err)
			panic(http.ErrAbortHandler) // a broken transfer, not a short video
		}
	}
}

// videoStatus serves GET /api/v1/video/:hash/status: whether the video
// plays as it is and, if not, how far its conversion is; start=1 queues
// it (or moves it to the front of the queue).
func (s *Server) videoStatus(c echo.Context) error {
	f, err := s.tokenFile(c, true)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	hash := c.Param("hash")
	pb, err := s.videoPlayback(ctx, hash, f)
	if err != nil {
		return err
	}
	type answer struct {
		Playable bool `json:"playable"`
		transcode.Status
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	switch {
	case pb.direct:
		return c.JSON(http.StatusOK, answer{Playable: true, Status: transcode.Status{State: "direct", Progress: 1, Ready: true}})
	case !s.deps.Videos.Available():
		return c.JSON(http.StatusOK, answer{Status: transcode.Status{State: "unavailable", Error: transcode.ErrNoFFmpeg.Error()}})
	}
	return c.JSON(http.StatusOK, answer{Status: s.deps.Videos.Status(pb.src, c.QueryParam("start") == "1")})
}

func fileTime(st *transcode.Stream) (t time.Time) {
	if fi, err := st.File.Stat(); err == nil {
		return fi.ModTime()
	}
	return t
}

// markPlayable sets Playable on the videos of a page of photos from their
// stored codecs (videos not probed yet stay unknown).
func (s *Server) markPlayable(ctx context.Context, photos []db.Photo) {
	var hashes []string
	for _, p := range photos {
		if p.MediaType == "video" && p.Hash != "" {
			hashes = append(hashes, p.Hash)
		}
	}
	if len(hashes) == 0 {
		return
	}
	known, err := s.deps.DB.VideoCodecs(ctx, hashes)
	if err != nil {
		s.log.Warn("video codecs", "err", err)
		return
	}
	for i := range photos {
		if vc, ok := known[photos[i].Hash]; ok && vc.Known && photos[i].MediaType == "video" {
			ok := transcode.Playable(vc.MIME, vc.Video, vc.Audio)
			photos[i].Playable = &ok
		}
	}
}
