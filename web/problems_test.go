package web_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"pinhole/app/corpus"
	"pinhole/app/testkit"
	"pinhole/db"
	"pinhole/web"
)

type problemList struct {
	Problems []db.Problem   `json:"problems"`
	Counts   map[string]int `json:"counts"`
	Total    int            `json:"total"`
}

func byPath(list []db.Problem) map[string]db.Problem {
	m := map[string]db.Problem{}
	for _, p := range list {
		m[p.Path] = p
	}
	return m
}

// A library with a cut-off camera JPEG, a JPEG cut off in its header, a
// HEIC without heif-convert and a video without ffmpeg: the problems list
// says what is wrong with each and how to fix it, the photo lists mark
// them so the grid can draw a tile, and a viewer sees none of a private
// photo's files.
func TestProblemsListsWhatCannotBeShown(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	cam, err := os.ReadFile(corpus.Path(t, "exif-py/jpg/exif-org/canon-ixus.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	heic, err := os.ReadFile(corpus.Path(t, "exif-samples/heic/IMG_5195.HEIC"))
	if err != nil {
		t.Fatal(err)
	}
	sos := bytes.Index(cam, []byte{0xFF, 0xDA})
	testkit.WriteFile(t, e.root, "2021/Card/cut.jpg", cam[:len(cam)*6/10])
	testkit.WriteFile(t, e.root, "2021/Card/header.jpg", cam[:sos-100])
	testkit.WriteFile(t, e.root, "Phone/IMG_5195.HEIC", heic)
	testkit.WriteFile(t, e.root, "2019/Lisbon/secret-cut.jpg", append([]byte("\xff\xd8\xff\xfe\x00\x08secret"), testkit.JPEG(testkit.Photo{Seed: 9})[2:300]...))
	if _, err := e.ix.Scan(ctx, false); err != nil {
		t.Fatal(err)
	}
	secret := e.photo("2019/Lisbon/secret-cut.jpg")
	if err := e.db.SetFlag(ctx, secret.ID, "private", true); err != nil {
		t.Fatal(err)
	}

	var all problemList
	e.do(e.user, "GET", "/api/v1/problems", nil, 200, &all)
	got := byPath(all.Problems)
	for _, want := range []struct{ path, kind, reason, fix string }{
		{"2021/Card/cut.jpg", db.ProblemIncomplete, "Incomplete file", "Copy it again"},
		{"2021/Card/header.jpg", db.ProblemDamaged, "Damaged file", "Copy it again"},
		{"Phone/IMG_5195.HEIC", db.ProblemNeedsHEIF, "HEIC needs libheif", "install libheif-examples"},
		{"2020/clip.mp4", db.ProblemNeedsFFmpeg, "Preview needs ffmpeg", "sudo apt install ffmpeg"},
		{"2019/Lisbon/secret-cut.jpg", db.ProblemDamaged, "Damaged file", "Copy it again"},
	} {
		p, ok := got[want.path]
		if !ok {
			t.Errorf("%s is not in the problems list", want.path)
			continue
		}
		if p.Kind != want.kind || p.Reason != want.reason || !strings.Contains(strings.ToLower(p.Fix), strings.ToLower(want.fix)) || p.Detail == "" || p.PhotoID == 0 {
			t.Errorf("%s: %+v, want %s %q with a fix saying %q", want.path, p, want.kind, want.reason, want.fix)
		}
	}
	if len(got) != 5 || all.Total != 5 || all.Counts[db.ProblemDamaged] != 2 {
		t.Errorf("%d problems listed, total %d, counts %v; want 5 with 2 damaged: %+v", len(got), all.Total, all.Counts, all.Problems)
	}

	// Each kind is listed up to per_kind files; the counts cover all.
	var capped problemList
	e.do(e.user, "GET", "/api/v1/problems?per_kind=1", nil, 200, &capped)
	if len(capped.Problems) != 4 || capped.Counts[db.ProblemDamaged] != 2 || capped.Total != 5 {
		t.Errorf("per_kind=1: %d listed, counts %v, total %d; want 4 listed of 5, 2 damaged", len(capped.Problems), capped.Counts, capped.Total)
	}

	// A viewer sees the others but nothing of the private photo.
	var seen problemList
	e.do(e.viewer, "GET", "/api/v1/problems", nil, 200, &seen)
	vs := byPath(seen.Problems)
	if _, ok := vs["2019/Lisbon/secret-cut.jpg"]; ok {
		t.Error("a viewer sees the private photo's file among the problems")
	}
	if _, ok := vs["Phone/IMG_5195.HEIC"]; !ok || len(vs) != 4 {
		t.Errorf("a viewer sees %d problems, want the 4 public ones: %+v", len(vs), seen.Problems)
	}

	// The photo list marks the HEIC (no preview) and leaves the rest alone.
	var list struct{ Photos []db.Photo }
	e.do(e.user, "GET", "/api/v1/photos?limit=500", nil, 200, &list)
	heicID := e.photo("Phone/IMG_5195.HEIC").ID
	for _, p := range list.Photos {
		switch {
		case p.ID == heicID:
			if p.Problem == nil || p.Problem.Reason != "HEIC needs libheif" || p.Problem.Preview {
				t.Errorf("the HEIC in the list has problem %+v", p.Problem)
			}
		case p.ID == e.pub.ID && p.Problem != nil:
			t.Errorf("a whole JPEG has problem %+v", p.Problem)
		}
	}
}

// With heif-convert and ffmpeg found, HEIC photos and videos are no
// longer problems.
func TestProblemsFollowTheHelpers(t *testing.T) {
	e := newEnv(t, func(d *web.Deps) { d.Helpers = func() (bool, bool) { return true, true } })
	heic, err := os.ReadFile(corpus.Path(t, "exif-samples/heic/IMG_5195.HEIC"))
	if err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, e.root, "Phone/IMG_5195.HEIC", heic)
	if _, err := e.ix.Scan(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	var all problemList
	e.do(e.admin, "GET", "/api/v1/problems", nil, 200, &all)
	if len(all.Problems) != 0 {
		t.Errorf("problems with every helper found: %+v", all.Problems)
	}
}
