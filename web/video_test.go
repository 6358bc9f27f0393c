package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pinhole/app/meta"
	"pinhole/app/transcode"
	"pinhole/db"
	"pinhole/web"
)

// makeVideo records a test video with the real ffmpeg into the library.
func makeVideo(t *testing.T, root, rel string, args ...string) {
	t.Helper()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatal("ffmpeg is not on PATH; `scripts/deps.sh test` installs it")
	}
	p := filepath.Join(root, filepath.FromSlash(rel))
	os.MkdirAll(filepath.Dir(p), 0o755)
	all := append([]string{"-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440"}, args...)
	if out, err := exec.Command(ff, append(all, p)...).CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v: %s", rel, err, out)
	}
}

// videoEnv is newEnv with a real converter and, in the library, an iPhone
// HEVC video and a longer AVCHD clip beside the corpus's H.264 one.
func videoEnv(t *testing.T) (*env, *transcode.Service, db.Photo, db.Photo) {
	t.Helper()
	var svc *transcode.Service
	e := newEnv(t, func(d *web.Deps) {
		var err error
		svc, err = transcode.New(transcode.Config{Dir: filepath.Join(t.TempDir(), "video"), Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(svc.Close)
		d.Videos = svc
	})
	makeVideo(t, e.root, "2021/IMG_0001.MOV", "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx265", "-preset", "ultrafast",
		"-x265-params", "log-level=error", "-tag:v", "hvc1", "-c:a", "aac", "-f", "mov")
	makeVideo(t, e.root, "2021/00001.MTS", "-t", "30", "-s", "640x360", "-c:v", "mpeg2video", "-q:v", "6", "-c:a", "mp2", "-f", "mpegts")
	if _, err := e.ix.Scan(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	return e, svc, e.photo("2021/IMG_0001.MOV"), e.photo("2021/00001.MTS")
}

type videoStatus struct {
	Playable bool    `json:"playable"`
	State    string  `json:"state"`
	Progress float64 `json:"progress"`
	Ready    bool    `json:"ready"`
	Queue    int     `json:"queue"`
	Error    string  `json:"error"`
}

// The API says which videos play as they are; those are served as they
// are, the others converted: live while ffmpeg writes, then from the
// cache with Range support, without ffmpeg running again. Share visitors
// get the same with their token.
func TestVideoPlayback(t *testing.T) {
	e, svc, hevc, mts := videoEnv(t)
	tok := e.thumbToken("viewer")

	var list struct{ Photos []db.Photo }
	e.do(e.viewer, "GET", "/api/v1/photos?type=video", nil, 200, &list)
	playable := map[int64]*bool{}
	for _, p := range list.Photos {
		playable[p.ID] = p.Playable
	}
	for _, c := range []struct {
		p    db.Photo
		want bool
	}{{e.video, true}, {hevc, false}, {mts, false}} {
		if got := playable[c.p.ID]; got == nil || *got != c.want {
			t.Errorf("photo %d: playable %s, want %v", c.p.ID, show(got), c.want)
		}
	}
	var detail struct{ Photo db.Photo }
	e.do(e.viewer, "GET", fmt.Sprintf("/api/v1/photos/%d", hevc.ID), nil, 200, &detail)
	if detail.Photo.Playable == nil || *detail.Photo.Playable {
		t.Errorf("detail of the HEVC video: playable %s", show(detail.Photo.Playable))
	}

	// H.264 plays as it is: the original, nothing converted.
	resp := e.request(client{}, "GET", "/api/v1/video/"+e.video.Hash+"?t="+tok, nil, http.Header{"Range": {"bytes=0-99"}})
	resp.Body.Close()
	if resp.StatusCode != 206 || resp.Header.Get("X-Pinhole-Video") != "original" {
		t.Errorf("H.264 video: %d %q", resp.StatusCode, resp.Header.Get("X-Pinhole-Video"))
	}
	var st videoStatus
	e.do(client{}, "GET", "/api/v1/video/"+e.video.Hash+"/status?start=1&t="+tok, nil, 200, &st)
	if !st.Playable || st.State != "direct" {
		t.Errorf("H.264 status: %+v", st)
	}

	// HEVC: the first view converts it, streaming.
	e.do(client{}, "GET", "/api/v1/video/"+hevc.Hash+"/status?t="+tok, nil, 200, &st)
	if st.Playable || st.State != "none" {
		t.Errorf("HEVC status before anyone asked: %+v", st)
	}
	resp = e.request(client{}, "GET", "/api/v1/video/"+hevc.Hash+"?t="+tok, nil, http.Header{"Range": {"bytes=0-"}})
	live, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Pinhole-Video") != "converting" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("first view of the HEVC video: %d %v", resp.StatusCode, resp.Header)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, `video/mp4; codecs="avc1.`) || !strings.Contains(ct, "mp4a.40.2") {
		t.Errorf("content type %q", ct)
	}
	if len(live) < 1000 || string(live[4:8]) != "ftyp" {
		t.Fatalf("the live stream is %d bytes: %q", len(live), live[:min(len(live), 16)])
	}
	e.do(client{}, "GET", "/api/v1/video/"+hevc.Hash+"/status?t="+tok, nil, 200, &st)
	if st.State != "done" || st.Progress != 1 {
		t.Errorf("status after the stream: %+v", st)
	}
	// The second view: the cached file, by range, no ffmpeg.
	resp = e.request(client{}, "GET", "/api/v1/video/"+hevc.Hash+"?t="+tok, nil, http.Header{"Range": {"bytes=100-199"}})
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || resp.Header.Get("X-Pinhole-Video") != "converted" || !bytes.Equal(part, live[100:200]) {
		t.Errorf("second view: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("X-Pinhole-Video"), len(part))
	}
	if want := fmt.Sprintf("bytes 100-199/%d", len(live)); resp.Header.Get("Content-Range") != want {
		t.Errorf("Content-Range %q, want %q", resp.Header.Get("Content-Range"), want)
	}
	if n := svc.Conversions(); n != 1 {
		t.Errorf("%d conversions, want 1", n)
	}

	// A share visitor plays the same video with the share's token.
	album, _ := e.db.CreateAlbum(context.Background(), "Videos", "")
	e.db.AddToAlbum(context.Background(), album.ID, []int64{hevc.ID, mts.ID})
	var sh db.Share
	e.do(e.user, "POST", fmt.Sprintf("/api/v1/albums/%d/shares", album.ID), map[string]any{}, 201, &sh)
	var opened struct {
		ThumbToken string `json:"thumb_token"`
	}
	e.do(client{}, "GET", "/api/v1/s/"+sh.Token, nil, 200, &opened)
	var vlist struct {
		Photos []struct {
			ID       int64
			Playable *bool
		}
	}
	e.do(client{}, "GET", "/api/v1/s/"+sh.Token+"/photos", nil, 200, &vlist)
	for _, p := range vlist.Photos {
		if p.Playable == nil || *p.Playable {
			t.Errorf("visitor's photo %d: playable %s, want false", p.ID, show(p.Playable))
		}
	}
	resp = e.request(client{}, "GET", "/api/v1/video/"+hevc.Hash+"?t="+opened.ThumbToken, nil, nil)
	vb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Pinhole-Video") != "converted" || !bytes.Equal(vb, live) {
		t.Errorf("visitor: %d %q", resp.StatusCode, resp.Header.Get("X-Pinhole-Video"))
	}

	// The longer clip, asked for by the visitor: status queues it, and the
	// stream's first bytes come while the conversion runs.
	e.do(client{}, "GET", "/api/v1/video/"+mts.Hash+"/status?start=1&t="+opened.ThumbToken, nil, 200, &st)
	if st.Playable || (st.State != "queued" && st.State != "running") {
		t.Errorf("visitor's status with start: %+v", st)
	}
	resp = e.request(client{}, "GET", "/api/v1/video/"+mts.Hash+"?t="+opened.ThumbToken, nil, nil)
	head := make([]byte, 8)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	e.do(client{}, "GET", "/api/v1/video/"+mts.Hash+"/status?t="+opened.ThumbToken, nil, 200, &st)
	if st.State != "running" || !st.Ready || st.Progress >= 1 {
		t.Errorf("when the first bytes came: %+v", st)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Header.Get("X-Pinhole-Video") != "converting" || string(head[4:8]) != "ftyp" {
		t.Errorf("live stream: %q %q", resp.Header.Get("X-Pinhole-Video"), head)
	}
}

// A video that cannot be converted answers 422 with the reason, never a
// path; a video indexed before codecs were read is probed once and the
// answer remembered.
func TestVideoConversionFailsAndOldRows(t *testing.T) {
	e, svc, hevc, _ := videoEnv(t)
	tok := e.thumbToken("user")
	ctx := context.Background()

	// An old row: the metadata has no codecs. The status probes it.
	rec := db.FileRecord{Path: "2021/IMG_0001.MOV", Kind: meta.KindVideo, MIME: "video/quicktime", Hash: hevc.Hash,
		Info: &meta.Info{MIME: "video/quicktime", Kind: meta.KindVideo, Duration: 2}}
	if st, err := os.Stat(filepath.Join(e.root, "2021/IMG_0001.MOV")); err == nil {
		rec.Size, rec.MTime = st.Size(), st.ModTime().UnixNano()
	}
	if _, err := e.db.ApplyFiles(ctx, []db.FileRecord{rec}, nil); err != nil {
		t.Fatal(err)
	}
	var list struct{ Photos []db.Photo }
	e.do(e.user, "GET", "/api/v1/photos?type=video", nil, 200, &list)
	for _, p := range list.Photos {
		if p.ID == hevc.ID && p.Playable != nil {
			t.Errorf("an old row's playable is %v before the probe, want unknown", *p.Playable)
		}
	}
	var st videoStatus
	e.do(client{}, "GET", "/api/v1/video/"+hevc.Hash+"/status?t="+tok, nil, 200, &st)
	if st.Playable || st.State != "none" {
		t.Errorf("old row's status: %+v", st)
	}
	vc, err := e.db.VideoCodecs(ctx, []string{hevc.Hash})
	if err != nil || !vc[hevc.Hash].Known || transcode.VideoCodec(vc[hevc.Hash].Video) != "hevc" {
		t.Errorf("the probe was not remembered: %+v, %v", vc, err)
	}
	e.do(e.user, "GET", "/api/v1/photos?type=video", nil, 200, &list)
	for _, p := range list.Photos {
		if p.ID == hevc.ID && (p.Playable == nil || *p.Playable) {
			t.Errorf("after the probe the list says playable %s, want false", show(p.Playable))
		}
	}

	// The file changes on disk into something no decoder reads, before
	// the index notices: the conversion fails with a reason.
	os.WriteFile(filepath.Join(e.root, "2021/IMG_0001.MOV"), bytes.Repeat([]byte("not a video "), 1000), 0o644)
	resp := e.request(client{}, "GET", "/api/v1/video/"+hevc.Hash+"?t="+tok, nil, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 422 || !strings.Contains(string(b), "could not be converted") || strings.Contains(string(b), e.root) {
		t.Errorf("broken video: %d %s", resp.StatusCode, b)
	}
	e.do(client{}, "GET", "/api/v1/video/"+hevc.Hash+"/status?start=1&t="+tok, nil, 200, &st)
	if st.State != "failed" || st.Error == "" {
		t.Errorf("status of the failed conversion: %+v", st)
	}
	if svc.Stats().Files != 0 {
		t.Error("a failed conversion is in the cache")
	}
}

// show prints an optional boolean.
func show(b *bool) string {
	if b == nil {
		return "absent"
	}
	return fmt.Sprint(*b)
}
