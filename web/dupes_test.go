package web_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"pinhole/app/dupes"
	"pinhole/app/testkit"
	"pinhole/web"
)

// withDupes serves near-duplicate review; the tests store the hashes
// themselves (app/dupes measures how they are computed).
func withDupes(d *web.Deps) { d.Dupes = dupes.New(d.DB, nil, dupes.Options{Originals: d.Originals}) }

// dupePair adds two photos (the first larger) whose stored hashes are one
// bit apart, and returns their ids.
func (e *env) dupePair(n int) (int64, int64) {
	e.t.Helper()
	big := e.addFiles([2]any{fmt.Sprintf("dupes/%d-big.jpg", n), testkit.JPEG(testkit.Photo{W: 64, H: 48, Seed: uint64(1000 + n)})})
	small := e.addFiles([2]any{fmt.Sprintf("dupes/%d-small.jpg", n), testkit.JPEG(testkit.Photo{W: 32, H: 24, Seed: uint64(2000 + n)})})
	h := uint64(n) * 0x9E3779B97F4A7C15
	for _, p := range []struct {
		id   int64
		hash string
		bit  uint64
	}{{big.ID, big.Hash, 0}, {small.ID, small.Hash, 1}} {
		if err := e.db.SavePictureHash(context.Background(), p.id, p.hash, h^p.bit, h, true); err != nil {
			e.t.Fatal(err)
		}
	}
	return big.ID, small.ID
}

type dupesAnswer struct {
	Groups []struct {
		Kind   string `json:"kind"`
		Keeper int64  `json:"keeper"`
		Photos []struct {
			ID    int64 `json:"id"`
			Bytes int64 `json:"bytes"`
		} `json:"photos"`
	} `json:"groups"`
	Total   int `json:"total"`
	Pending int `json:"pending"`
}

func (a dupesAnswer) groups() [][]int64 {
	var out [][]int64
	for _, g := range a.Groups {
		var ids []int64
		for _, p := range g.Photos {
			ids = append(ids, p.ID)
		}
		out = append(out, ids)
	}
	return out
}

// Duplicates as a person reviews them: a group of two with the larger
// photo suggested, "keep this one" moves the other to the Trash (and
// restoring it brings the group back), "not duplicates" hides a group for
// good; a viewer may do none of it.
func TestDupesReview(t *testing.T) {
	e := newEnv(t, func(d *web.Deps) { withTrash(t, false)(d); withDupes(d) })
	big, small := e.dupePair(1)
	var got dupesAnswer
	e.do(e.user, "GET", "/api/v1/dupes", nil, 200, &got)
	if got.Total != 1 || !slices.Equal(got.groups()[0], []int64{big, small}) || got.Groups[0].Keeper != big || got.Groups[0].Kind != "duplicates" {
		t.Fatalf("groups %+v, want one of %d (the keeper, larger) and %d", got, big, small)
	}
	// The env's own photos have no hash yet: they are pending.
	if got.Pending < 4 {
		t.Errorf("pending %d, want the env's photos not hashed yet", got.Pending)
	}
	for _, r := range []struct{ method, path string }{{"GET", "/api/v1/dupes"}, {"POST", "/api/v1/dupes/resolve"}, {"POST", "/api/v1/dupes/dismiss"}} {
		e.do(e.viewer, r.method, r.path, map[string]any{"photo_ids": []int64{big, small}, "keep": big}, 403, nil)
	}
	e.do(e.user, "POST", "/api/v1/dupes/resolve", map[string]any{"photo_ids": []int64{big, small}, "keep": 999}, 400, nil)
	e.do(e.user, "POST", "/api/v1/dupes/resolve", map[string]any{"photo_ids": []int64{big}, "keep": big}, 400, nil)

	var res map[string]int
	e.do(e.user, "POST", "/api/v1/dupes/resolve", map[string]any{"photo_ids": []int64{big, small}, "keep": big}, 200, &res)
	if res["trashed"] != 1 {
		t.Fatalf("resolve: %v", res)
	}
	var tr trashAnswer
	e.do(e.user, "GET", "/api/v1/trash", nil, 200, &tr)
	if !slices.Equal(photoIDs(tr.Photos), []int64{small}) {
		t.Fatalf("the Trash holds %v after keeping %d, want %d", photoIDs(tr.Photos), big, small)
	}
	e.do(e.user, "GET", "/api/v1/dupes", nil, 200, &got)
	if got.Total != 0 {
		t.Fatalf("the group is still listed after resolving it: %+v", got)
	}
	// Undo through the Trash.
	e.do(e.user, "POST", "/api/v1/trash/restore", map[string]any{"photo_ids": []int64{small}}, 200, nil)
	e.do(e.user, "GET", "/api/v1/dupes", nil, 200, &got)
	if got.Total != 1 {
		t.Fatalf("restoring the trashed copy did not bring the group back: %+v", got)
	}

	// Not duplicates: gone, and stays gone when another group appears.
	e.do(e.admin, "POST", "/api/v1/dupes/dismiss", map[string]any{"photo_ids": []int64{big, small}}, 200, nil)
	a, b := e.dupePair(2)
	e.do(e.user, "GET", "/api/v1/dupes", nil, 200, &got)
	if got.Total != 1 || !slices.Equal(got.groups()[0], []int64{a, b}) {
		t.Fatalf("after dismissing: %v, want only the new group [%d %d]", got.groups(), a, b)
	}
}
