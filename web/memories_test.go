package web_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"pinhole/db"
)

type memoriesAnswer struct {
	Date     string `json:"date"`
	Memories []struct {
		ID      string     `json:"id"`
		Title   string     `json:"title"`
		CoverID int64      `json:"cover_id"`
		Photos  []db.Photo `json:"photos"`
	} `json:"memories"`
	ThumbToken string `json:"thumb_token"`
}

// GET /api/v1/memories: the day's cards from what the caller may see (a
// viewer no private photo), thumbnails through the caller's own token,
// today by default, and a clear 400 for a date that is not one.
func TestMemoriesAPI(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	for id, at := range map[int64]string{e.pub.ID: "2023-06-14 10:00:00", e.priv.ID: "2023-06-14 12:00:00"} {
		if err := e.db.EditPhoto(ctx, id, db.PhotoEdit{SetTaken: true, TakenLocal: at}); err != nil {
			t.Fatal(err)
		}
	}
	var got memoriesAnswer
	e.do(e.user, "GET", "/api/v1/memories?date=2025-06-14", nil, 200, &got)
	if got.Date != "2025-06-14" || len(got.Memories) != 1 || got.Memories[0].Title != "2 years ago" || got.ThumbToken != e.thumbToken("user") {
		t.Fatalf("user: %+v", got)
	}
	var ids []int64
	for _, p := range got.Memories[0].Photos {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []int64{e.pub.ID, e.priv.ID}) {
		t.Errorf("user's card holds %v, want %v", ids, []int64{e.pub.ID, e.priv.ID})
	}

	e.do(e.viewer, "GET", "/api/v1/memories?date=2025-06-14", nil, 200, &got)
	if len(got.Memories) != 1 || len(got.Memories[0].Photos) != 1 || got.Memories[0].Photos[0].ID != e.pub.ID {
		t.Errorf("viewer: %+v, want only the public photo", got)
	}
	// The cover opens with the viewer's token.
	if st := e.status(client{}, "GET", fmt.Sprintf("/api/v1/t/%s/%s/tile_224", got.Memories[0].Photos[0].Hash, got.ThumbToken), nil); st != 200 {
		t.Errorf("the viewer's memory thumbnail answered %d", st)
	}

	e.do(e.viewer, "GET", "/api/v1/memories", nil, 200, &got)
	if today := time.Now().Format("2006-01-02"); got.Date != today {
		t.Errorf("default date %q, want today %q", got.Date, today)
	}
	for _, bad := range []string{"2025-02-30", "14/06/2025", "0000-06-14", "2025-6-14", "x"} {
		resp := e.request(e.viewer, "GET", "/api/v1/memories?date="+bad, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("date=%s: %d, want 400", bad, resp.StatusCode)
		}
	}
}
