package db

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Prefixes the indexer puts before a file's recorded error (files.error)
// when the file's picture cannot be shown, as opposed to metadata errors,
// after which the picture still shows. Damaged: nothing can be decoded;
// incomplete: the file was cut off inside its picture data, so a part of
// it shows; unsupported: a kind of file Pinhole cannot decode.
const (
	DamagedPrefix     = "damaged: "
	IncompletePrefix  = "incomplete: "
	UnsupportedPrefix = "unsupported: "
)

// Helpers says which optional programs the thumbnail renderer found; a
// format that needs a missing one is a problem the owner can fix.
type Helpers struct {
	HEIF   bool // heif-dec or heif-convert: HEIC, HEIF, AVIF
	FFmpeg bool // video preview frames
}

// Kinds of problems, from worst to mildest.
const (
	ProblemDamaged     = "damaged"
	ProblemIncomplete  = "incomplete"
	ProblemUnreadable  = "unreadable"
	ProblemUnsupported = "unsupported"
	ProblemNeedsHEIF   = "needs_heif"
	ProblemNeedsFFmpeg = "needs_ffmpeg"
	ProblemTooLarge    = "too_large"
	ProblemNoPreview   = "no_preview"
	ProblemMetadata    = "metadata"
)

var problemOrder = map[string]int{ProblemDamaged: 0, ProblemIncomplete: 1, ProblemUnreadable: 2, ProblemUnsupported: 3,
	ProblemNoPreview: 4, ProblemTooLarge: 5, ProblemNeedsHEIF: 6, ProblemNeedsFFmpeg: 7, ProblemMetadata: 8}

// RenderRefusal is a file the thumbnail renderer would not or could not
// preview, found out when a thumbnail was first asked for: Kind is
// "too_large" (over the decode limits), "broken" (a decoder or helper
// failed) or "unsupported" (nothing here previews it, e.g. a RAW file
// without an embedded preview); Reason is the renderer's short sentence.
type RenderRefusal struct {
	Hash, Kind, Reason string
}

// RefusalProblem puts a renderer's refusal in words a person can act on.
func RefusalProblem(r RenderRefusal) *FileProblem {
	switch r.Kind {
	case "too_large":
		return &FileProblem{Kind: ProblemTooLarge, Reason: "Too large to preview",
			Detail: "Pinhole would not decode it, to keep within its memory: " + r.Reason + ".",
			Fix: "The original is untouched and can be downloaded. If this machine has memory to spare, raise " +
				"decode-budget-mb (or max-megapixels) and clear the thumbnail cache in Settings to try again."}
	case "broken":
		return &FileProblem{Kind: ProblemNoPreview, Reason: "No preview",
			Detail: "Pinhole could not make a preview of it: " + r.Reason + ".",
			Fix: "The original is kept and can be downloaded. If another program shows it, the file may use a " +
				"variant Pinhole's decoders do not read; copying it again rules out a damaged copy."}
	case "unsupported":
		return &FileProblem{Kind: ProblemNoPreview, Reason: "No preview",
			Detail: "Pinhole cannot make a preview of it: " + r.Reason + ".",
			Fix: "RAW files are shown by the preview picture the camera embeds; for files without one, save a " +
				"JPEG with the same name beside it (most cameras can shoot RAW+JPEG) and Pinhole shows the pair as one photo."}
	}
	return nil
}

// FileProblem is what is wrong with a file, in words a person can act on.
type FileProblem struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"` // a few words for a tile: "HEIC needs libheif"
	Detail string `json:"detail"` // what went wrong, in a sentence
	Fix    string `json:"fix"`    // what to do about it
	// Preview is true when a thumbnail still shows (a metadata problem,
	// or the readable part of a cut-off file).
	Preview bool `json:"preview"`
}

// ClassifyFile turns what the index recorded about a file (its MIME type,
// kind and error) and the helpers available into a problem, or nil when
// the file is fine.
func ClassifyFile(mime, kind, errText string, h Helpers) *FileProblem {
	first, _, _ := strings.Cut(errText, "; ")
	switch {
	case strings.HasPrefix(first, DamagedPrefix) || strings.HasSuffix(first, "empty file"):
		return &FileProblem{Kind: ProblemDamaged, Reason: "Damaged file",
			Detail: "The file is damaged: " + strings.TrimPrefix(first, DamagedPrefix) + ".",
			Fix:    "Copy it again from the camera, phone or a backup: this copy is damaged."}
	case strings.HasPrefix(first, IncompletePrefix):
		return &FileProblem{Kind: ProblemIncomplete, Reason: "Incomplete file", Preview: true,
			Detail: "The file is incomplete: " + strings.TrimPrefix(first, IncompletePrefix) + "; only the part before the cut shows.",
			Fix:    "Copy it again from the camera, phone or a backup: this copy was cut off."}
	case strings.HasPrefix(first, UnsupportedPrefix) || strings.HasSuffix(first, "unrecognised format"):
		return &FileProblem{Kind: ProblemUnsupported, Reason: "Cannot be shown",
			Detail: "Pinhole cannot show this file: " + strings.TrimPrefix(first, UnsupportedPrefix) + ".",
			Fix:    "Convert it to JPEG (or open it with the program that made it); Pinhole keeps listing the original."}
	case strings.HasPrefix(first, "cannot read") || strings.Contains(first, "permission denied"):
		return &FileProblem{Kind: ProblemUnreadable, Reason: "Cannot be read",
			Detail: "Pinhole cannot read it: " + strings.TrimPrefix(strings.TrimPrefix(first, "cannot read file: "), "cannot read folder: ") + ".",
			Fix:    "Let the user Pinhole runs as read it (check the file's owner and permissions), then rescan."}
	}
	if p := helperProblem(mime, kind, h); p != nil {
		return p
	}
	if errText != "" {
		return &FileProblem{Kind: ProblemMetadata, Reason: "Details unreadable", Preview: true,
			Detail: "Pinhole could not read all of its details (date, camera, place): " + errText + ".",
			Fix:    "The picture itself is fine. If its date or place is wrong, set it in the photo's info panel."}
	}
	return nil
}

// helperProblem is a format whose previews need a program that is missing,
// or that Pinhole cannot preview at all.
func helperProblem(mime, kind string, h Helpers) *FileProblem {
	switch {
	case (mime == "image/heic" || mime == "image/heif" || mime == "image/avif") && !h.HEIF:
		name := "HEIC"
		if mime == "image/avif" {
			name = "AVIF"
		}
		return &FileProblem{Kind: ProblemNeedsHEIF, Reason: name + " needs libheif",
			Detail: "Pinhole shows " + name + " photos with the heif-convert program from libheif, which is not installed.",
			Fix:    "Install libheif-examples to show HEIC and AVIF photos (sudo apt install libheif-examples), then restart Pinhole."}
	case kind == "video" && !h.FFmpeg:
		return &FileProblem{Kind: ProblemNeedsFFmpeg, Reason: "Preview needs ffmpeg",
			Detail: "Pinhole makes video preview frames with ffmpeg, which is not installed; the video itself still plays.",
			Fix:    "Install ffmpeg to show video previews (sudo apt install ffmpeg), then restart Pinhole."}
	case mime == "image/jxl":
		return &FileProblem{Kind: ProblemUnsupported, Reason: "JPEG XL not supported",
			Detail: "Pinhole cannot show JPEG XL pictures yet.",
			Fix:    "Convert it to JPEG to see it here (djxl from libjxl-tools does it); Pinhole keeps listing the original."}
	}
	return nil
}

// CheckProblem sets p.Problem from its primary file. Lists call it with
// the helpers the thumbnail renderer has.
func (p *Photo) CheckProblem(h Helpers) {
	p.Problem = nil
	if p.Hash == "" {
		return
	}
	p.Problem = ClassifyFile(p.fileMIME, p.fileKind, p.fileError, h)
}

// Problem is one file with a problem, for the Problems list.
type Problem struct {
	Path    string `json:"path"`
	PhotoID int64  `json:"photo_id,omitempty"`
	Hash    string `json:"hash,omitempty"` // the photo's primary file, for its thumbnail
	At      string `json:"at"`             // when the index recorded it
	Error   string `json:"error,omitempty"`
	FileProblem
}

// ProblemQuery selects the problems a caller may see.
type ProblemQuery struct {
	Helpers Helpers
	// Reader decides whose problems show: anyone but the owner sees no
	// private photo's files and no files that belong to no photo (their
	// paths could tell what a private photo is).
	Reader Reader
	// PerKind caps the files listed of each kind (default 200, at most
	// 5000): ten thousand videos without ffmpeg need one fix, not ten
	// thousand rows, and a few damaged files must not drown among them.
	PerKind int
	// Refused are the files the thumbnail renderer refused; their photos
	// are listed too, unless already listed for a recorded error.
	Refused []RenderRefusal
}

// ProblemList is the files with a problem, worst kind first, and how many
// there are of each kind (also beyond PerKind).
type ProblemList struct {
	Problems []Problem      `json:"problems"`
	Counts   map[string]int `json:"counts"`
	Total    int            `json:"total"`
}

// Problems lists the library's files with a problem: the index's recorded
// errors (files it could not read at all, files whose picture or details
// it could not read) and photos whose format needs a missing helper, worst
// kind first, then by path.
func (d *DB) Problems(ctx context.Context, q ProblemQuery) (ProblemList, error) {
	out := ProblemList{Problems: []Problem{}, Counts: map[string]int{}}
	if q.PerKind <= 0 {
		q.PerKind = 200
	}
	q.PerKind = min(q.PerKind, 5000)
	all, err := d.problems(ctx, q)
	if err != nil {
		return out, err
	}
	for _, p := range all {
		out.Counts[p.Kind]++
		if out.Counts[p.Kind] <= q.PerKind {
			out.Problems = append(out.Problems, p)
		}
	}
	out.Total = len(all)
	return out, nil
}

func (d *DB) problems(ctx context.Context, q ProblemQuery) ([]Problem, error) {
	// A photo in the Trash is out of sight, its files' problems too.
	visible := " AND (p.id IS NULL OR " + notTrashed + ")"
	if !q.Reader.SeesPrivate() {
		visible = " AND p.id IS NOT NULL AND " + q.Reader.listCond()
	}
	if !q.Reader.SeesAllSpaces() {
		visible += " AND p.id IS NOT NULL AND " + q.Reader.spaceCond()
	}
	// Files with a recorded error, and primary files of a kind that needs
	// a missing helper (or that nothing here decodes). Every condition
	// before the photo's is on the file row alone, so SQLite filters the
	// files first and joins only the few that match. No ORDER BY: read in
	// the path index's order, 100k files took ~8× as long (a row lookup per
	// file); the few problems are sorted below.
	needs := []string{"'image/jxl'"}
	if !q.Helpers.HEIF {
		needs = append(needs, "'image/heic'", "'image/heif'", "'image/avif'")
	}
	video := "0"
	if !q.Helpers.FFmpeg {
		video = "f.kind = 'video'"
	}
	rows, err := d.sql.QueryContext(ctx, `
		SELECT f.path, f.mime, f.kind, f.error, f.indexed_at, COALESCE(p.id, 0), COALESCE(pf.hash, '')
		FROM files f LEFT JOIN photos p ON p.id = f.photo_id LEFT JOIN files pf ON pf.id = p.primary_file_id
		WHERE f.missing = 0 AND (f.error <> '' OR (f.is_primary = 1 AND (f.mime IN (`+strings.Join(needs, ", ")+`) OR `+video+`)))`+visible)
	if err != nil {
		return nil, fmt.Errorf("list problems: %w", err)
	}
	defer rows.Close()
	out := []Problem{}
	for rows.Next() {
		var pr Problem
		var mime, kind string
		if err := rows.Scan(&pr.Path, &mime, &kind, &pr.Error, &pr.At, &pr.PhotoID, &pr.Hash); err != nil {
			return nil, err
		}
		fp := ClassifyFile(mime, kind, pr.Error, q.Helpers)
		if fp == nil {
			continue
		}
		pr.FileProblem = *fp
		out = append(out, pr)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	refused, err := d.refusedProblems(ctx, q, out)
	if err != nil {
		return nil, err
	}
	out = append(out, refused...)
	if q.Reader.SeesPrivate() {
		// Files and folders the index could not read at all have no photo.
		rows, err := d.sql.QueryContext(ctx, `SELECT path, error, at FROM index_errors`)
		if err != nil {
			return nil, fmt.Errorf("list index errors: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var pr Problem
			if err := rows.Scan(&pr.Path, &pr.Error, &pr.At); err != nil {
				return nil, err
			}
			fp := ClassifyFile("", "", pr.Error, q.Helpers)
			if fp == nil || fp.Kind == ProblemMetadata { // not read at all: say so
				fp = &FileProblem{Kind: ProblemUnreadable, Reason: "Not indexed",
					Detail: "Pinhole could not index it: " + pr.Error + ".",
					Fix:    "Check that the file is complete and readable, then rescan."}
			}
			pr.FileProblem = *fp
			out = append(out, pr)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := problemOrder[out[i].Kind], problemOrder[out[j].Kind]
		if a != b {
			return a < b
		}
		return out[i].Path < out[j].Path
	})
	return out, nil
}

// refusedProblems lists the present primary files whose thumbnails the
// renderer refused, leaving out paths already listed.
func (d *DB) refusedProblems(ctx context.Context, q ProblemQuery, listed []Problem) ([]Problem, error) {
	if len(q.Refused) == 0 {
		return nil, nil
	}
	byHash := make(map[string]RenderRefusal, len(q.Refused))
	hashes := make([]string, 0, len(q.Refused))
	for _, r := range q.Refused {
		if _, dup := byHash[r.Hash]; !dup {
			byHash[r.Hash] = r
			hashes = append(hashes, r.Hash)
		}
	}
	list, err := json.Marshal(hashes)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(listed))
	for _, p := range listed {
		seen[p.Path] = true
	}
	visible := " AND " + q.Reader.listCond()
	rows, err := d.sql.QueryContext(ctx, `
		SELECT f.path, f.hash, f.error, f.indexed_at, p.id
		FROM files f JOIN photos p ON p.id = f.photo_id
		WHERE f.hash IN (SELECT value FROM json_each(?)) AND f.is_primary = 1 AND f.missing = 0`+visible, string(list))
	if err != nil {
		return nil, fmt.Errorf("list refused previews: %w", err)
	}
	defer rows.Close()
	var out []Problem
	for rows.Next() {
		var pr Problem
		if err := rows.Scan(&pr.Path, &pr.Hash, &pr.Error, &pr.At, &pr.PhotoID); err != nil {
			return nil, err
		}
		fp := RefusalProblem(byHash[pr.Hash])
		if fp == nil || seen[pr.Path] {
			continue
		}
		seen[pr.Path] = true
		pr.FileProblem = *fp
		out = append(out, pr)
	}
	return out, rows.Err()
}
