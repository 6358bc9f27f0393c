package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/app/internal/oldlib"
	"pinhole/app/meta"
	"pinhole/db"
)

// TestServeRereadsOlderLibrary starts `pinhole serve` on the database of an
// older Pinhole (its reader did not read lens models; a user edited one
// photo): the server reads the old files again in the background and
// shows its progress in /api/v1/status; the photos get their lenses, the
// user's edits stay, and only the one file that changed on disk is hashed.
func TestServeRereadsOlderLibrary(t *testing.T) {
	data := t.TempDir()
	orig := oldlib.Build(t, filepath.Join(data, "pinhole.db"))
	sony, err := os.ReadFile(corpus.Path(t, "exiftool-t/Sony.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	oldlib.Write(t, orig, "changed/Pentax.jpg", sony)
	addAdmin(t, data)
	s := startServerData(t, orig, data)
	a := login(t, s, "admin", "correct horse battery")

	type rereadStatus struct {
		ReaderVersion int    `json:"reader_version"`
		Running       bool   `json:"running"`
		Pending       int    `json:"pending"`
		Reread        int    `json:"reread"`
		LeftToScan    int    `json:"left_to_scan"`
		Failed        int    `json:"failed"`
		BadMeta       int    `json:"bad_meta"`
		LastError     string `json:"last_error"`
	}
	var st struct {
		Reread rereadStatus `json:"reread"`
		Index  struct {
			LastScan *struct {
				Seen    int   `json:"seen"`
				Indexed int   `json:"indexed"`
				Bytes   int64 `json:"bytes"`
			} `json:"last_scan"`
		} `json:"index"`
	}
	waitFor(t, "the background re-read in the status", 60*time.Second, func() bool {
		code, b := a.Send("GET", "/api/v1/status", nil)
		if code != 200 || json.Unmarshal(b, &st) != nil {
			t.Fatalf("status: %d %s", code, b)
		}
		return st.Index.LastScan != nil && !st.Reread.Running && st.Reread.Pending == 0 && st.Reread.Reread >= oldlib.Files-1
	})
	r := st.Reread
	if r.ReaderVersion < 1 || r.Reread != oldlib.Files-1 || r.Failed != 0 || r.BadMeta != 0 || r.LastError != "" {
		t.Errorf("reread status %+v; want %d files read again, nothing failed", r, oldlib.Files-1)
	}
	// The start-up scan hashed the changed file alone.
	if ls := st.Index.LastScan; ls.Seen != oldlib.Files || ls.Indexed != 1 || ls.Bytes != int64(len(sony)) {
		t.Errorf("start-up scan: %+v; want %d seen, 1 indexed, %d bytes hashed", *ls, oldlib.Files, len(sony))
	}

	type detail struct {
		Photo struct {
			Title       string `json:"title"`
			Lens        string `json:"lens"`
			TakenLocal  string `json:"taken_local"`
			TakenOffset *int   `json:"taken_offset"`
			Favorite    bool   `json:"favorite"`
			Model       string `json:"model"`
		} `json:"photo"`
		Albums []struct {
			Title string `json:"title"`
		} `json:"albums"`
		Files []struct {
			Path string `json:"path"`
		} `json:"files"`
	}
	byPath := map[string]detail{}
	for id := 1; id <= 4; id++ {
		code, b := a.Send("GET", fmt.Sprintf("/api/v1/photos/%d", id), nil)
		var d detail
		if code != 200 || json.Unmarshal(b, &d) != nil {
			t.Fatalf("photo %d: %d %s", id, code, b)
		}
		for _, f := range d.Files {
			byPath[f.Path] = d
		}
	}
	for f, lens := range oldlib.Lenses {
		if got := byPath[f].Photo.Lens; got != lens {
			t.Errorf("%s: lens %q, want %q", f, got, lens)
		}
	}
	e := byPath[oldlib.EditedFile]
	if e.Photo.Title != oldlib.EditedTitle || e.Photo.TakenLocal != oldlib.EditedTaken || e.Photo.TakenOffset == nil ||
		*e.Photo.TakenOffset != 60 || !e.Photo.Favorite || len(e.Albums) != 1 || e.Albums[0].Title != oldlib.EditedAlbum {
		t.Errorf("edited photo %+v; want the user's title, date, favourite and album", e)
	}
	if m := byPath["changed/Pentax.jpg"].Photo.Model; m != "DSC-F828" {
		t.Errorf("changed file's photo has model %q, want DSC-F828 (its new content)", m)
	}
}

// `pinhole index` on an older library reads its stale files again before
// it exits, as the server would in the background, hashing none of them.
func TestIndexCommandRereadsOlderLibrary(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	orig := oldlib.Build(t, filepath.Join(data, "pinhole.db"))
	out := run(t, true, "index", "--originals", orig, "--data", data)
	if !strings.Contains(out, "files seen 7, indexed 0, skipped 7") {
		t.Errorf("index hashed files of the old library:\n%s", out)
	}
	if !strings.Contains(out, fmt.Sprintf("metadata read again with the newer reader (version %d): %d files", meta.ReaderVersion, oldlib.Files)) {
		t.Errorf("index output does not report the re-read:\n%s", out)
	}
	d, err := db.Open(ctx, filepath.Join(data, "pinhole.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for f, lens := range oldlib.Lenses {
		if p, _ := d.PhotoByPath(ctx, f); p.Lens != lens {
			t.Errorf("%s: lens %q, want %q", f, p.Lens, lens)
		}
	}
	if n, _ := d.CountStaleFiles(ctx, meta.ReaderVersion); n != 0 {
		t.Errorf("%d files still stale after index", n)
	}
}
