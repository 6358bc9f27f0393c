package web_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"pinhole/app/testkit"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"pinhole/app/corpus"
	"pinhole/web"
)

// appPassword makes an app password for c through the API and returns it.
func (e *env) appPassword(c client, name string) string {
	e.t.Helper()
	var out struct {
		Password string `json:"password"`
		DAV      struct {
			Enabled bool
			Folder  string
		} `json:"dav"`
	}
	e.do(c, "POST", "/api/v1/app-passwords", map[string]any{"name": name}, 201, &out)
	if len(out.Password) != 34 {
		e.t.Fatalf("app password %q: want 28 characters in groups of four", out.Password)
	}
	return out.Password
}

// usernameOf is the account name of a test client.
func (e *env) usernameOf(c client) string {
	e.t.Helper()
	u, err := e.db.UserByID(context.Background(), c.userID)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Username
}

// curlResult is what curl got: the status, the headers and the body.
type curlResult struct {
	code   int
	header string
	body   string
}

func (r curlResult) String() string { return fmt.Sprintf("%d %s", r.code, r.body) }

// headerValue returns one response header curl saw.
func (r curlResult) headerValue(name string) string {
	m := regexp.MustCompile(`(?im)^` + regexp.QuoteMeta(name) + `:\s*(.*?)\r?$`).FindStringSubmatch(r.header)
	if m == nil {
		return ""
	}
	return m[1]
}

// curl runs the real curl against the test server. The test fails (it
// does not skip) when curl is missing: `make test` installs it.
func curl(t *testing.T, args ...string) curlResult {
	t.Helper()
	dir := t.TempDir()
	hf, bf := filepath.Join(dir, "h"), filepath.Join(dir, "b")
	full := append([]string{"-s", "-S", "-D", hf, "-o", bf, "-w", "%{http_code}", "--max-time", "60"}, args...)
	out, err := exec.Command("curl", full...).Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	var r curlResult
	fmt.Sscan(string(out), &r.code)
	h, _ := os.ReadFile(hf)
	b, _ := os.ReadFile(bf)
	r.header, r.body = string(h), string(b)
	return r
}

// davAs is a WebDAV client's sign-in, for curl.
type davAs struct{ user, pass string }

func (d davAs) u() string { return d.user + ":" + d.pass }

func sha1hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// tree lists the files below dir (relative path → SHA-1), hidden ones too.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // an upload's temporary file, renamed or removed since the walk saw it
		}
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = sha1hex(b)
		return nil
	})
	return out
}

// folderPhotos asks the API for the photos directly in a folder, as the
// web app would, and returns their hashes.
func (e *env) folderPhotos(c client, folder string) map[string]bool {
	e.t.Helper()
	var out struct{ Photos []struct{ Hash string } }
	e.do(c, "GET", "/api/v1/photos?limit=500&folder="+folder, nil, 200, &out)
	got := map[string]bool{}
	for _, p := range out.Photos {
		got[p.Hash] = true
	}
	return got
}

// waitPhotos polls the API until every hash is a photo in the folder, and
// says how long that took.
func (e *env) waitPhotos(c client, folder string, hashes []string, within time.Duration) time.Duration {
	e.t.Helper()
	start := time.Now()
	for {
		got := e.folderPhotos(c, folder)
		missing := 0
		for _, h := range hashes {
			if !got[h] {
				missing++
			}
		}
		if missing == 0 {
			return time.Since(start)
		}
		if time.Since(start) > within {
			e.t.Fatalf("after %s, %d of %d uploaded files are not photos in %s", within, missing, len(hashes), folder)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// phoneFolder copies real camera and phone files from the corpus into a
// temporary folder laid out as a phone app would send it.
func phoneFolder(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"DCIM/aurora.jpg":           "photoprism/internal/meta/testdata/aurora.jpg",
		"DCIM/gps.jpg":              "go-exif/assets/gps.jpg",
		"DCIM/jolla.jpg":            "exif-py/jpg/mobile/jolla.jpg",
		"DCIM/IMG_7.heic":           "photoprism/assets/examples/iphone_7.heic",
		"DCIM/clip.mp4":             "photoprism/assets/examples/blue-go-video.mp4",
		"DCIM/Camera/canon.dng":     "photoprism/assets/examples/canon_eos_6d.dng",
		"DCIM/Camera/sony.jpg":      "exif-py/jpg/Sony_DSLR-A200.jpg",
		"DCIM/Camera/digikam.jpg":   "photoprism/internal/meta/testdata/digikam.jpg",
		"Screenshots/reconyx.jpg":   "exif-py/jpg/Reconyx_HC500_Hyperfire.jpg",
		"Screenshots/iptc-2016.jpg": "photoprism/internal/meta/testdata/iptc-2016.jpg",
	}
	var hashes []string
	for rel, src := range files {
		b, err := os.ReadFile(corpus.Path(t, src))
		if err != nil {
			t.Fatal(err)
		}
		testkit.WriteFile(t, dir, rel, b)
		hashes = append(hashes, sha1hex(b))
	}
	return dir, hashes
}

// rclone runs the real rclone with a WebDAV remote "pin" for the server.
// It fails (does not skip) when rclone is missing: `make test` installs it.
func rclone(t *testing.T, conf string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("rclone", append([]string{"--config", conf, "--low-level-retries", "1", "--retries", "1"}, args...)...)
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.Error); ok {
		t.Fatalf("rclone: %v", err)
	}
	return string(out), err
}

func rcloneRemote(t *testing.T, url string, as davAs) string {
	t.Helper()
	ob, err := exec.Command("rclone", "obscure", as.pass).Output()
	if err != nil {
		t.Fatalf("rclone obscure: %v", err)
	}
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	text := fmt.Sprintf("[pin]\ntype = webdav\nurl = %s/dav/\nvendor = other\nuser = %s\npass = %s\n", url, as.user, strings.TrimSpace(string(ob)))
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return conf
}

// rclone copies a phone's folder in; rclone check agrees file by file
// (sizes, then content); every file is a photo in the library within
// seconds; and a second run, as an app's "upload only new" does, sends
// nothing and changes nothing.
func TestDAVRcloneBackup(t *testing.T) {
	e := newEnv(t, func(d *web.Deps) { d.UploadLimitMB = 64 })
	as := davAs{"user", e.appPassword(e.user, "rclone on the laptop")}
	conf := rcloneRemote(t, e.ts.URL, as)
	phone, hashes := phoneFolder(t)

	start := time.Now()
	if out, err := rclone(t, conf, "copy", "-v", phone, "pin:Phone"); err != nil {
		t.Fatalf("rclone copy: %v\n%s", err, out)
	}
	copied := time.Since(start)
	// Target: every file listed as a photo within 2 s of rclone finishing
	// (measured: well under a second on a loaded two-core machine); 5×.
	folders := []string{"Uploads/user/Phone/DCIM", "Uploads/user/Phone/DCIM/Camera", "Uploads/user/Phone/Screenshots"}
	for {
		all := map[string]bool{}
		for _, f := range folders {
			for h := range e.folderPhotos(e.user, f) {
				all[h] = true
			}
		}
		missing := 0
		for _, h := range hashes {
			if !all[h] {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Since(start)-copied > 10*time.Second {
			t.Fatalf("%d of %d files are not photos in the library 10 s after rclone finished", missing, len(hashes))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("rclone copied %d files in %s; all were photos %s after it finished", len(hashes), copied.Round(time.Millisecond),
		(time.Since(start) - copied).Round(time.Millisecond))

	// An app's "upload only new": the second run sends nothing and
	// rewrites nothing.
	before := statTree(t, filepath.Join(e.root, "Uploads", "user"))
	out, err := rclone(t, conf, "copy", "-v", phone, "pin:Phone")
	if err != nil || strings.Contains(out, "Copied") {
		t.Fatalf("second rclone copy transferred something: %v\n%s", err, out)
	}
	if after := statTree(t, filepath.Join(e.root, "Uploads", "user")); after != before {
		t.Fatalf("the second run changed the folder:\n%s\nwas\n%s", after, before)
	}

	for _, args := range [][]string{{"check", phone, "pin:Phone"}, {"check", "--download", phone, "pin:Phone"}} {
		out, err := rclone(t, conf, args...)
		if err != nil || !strings.Contains(out, "0 differences found") || !strings.Contains(out, fmt.Sprintf("%d matching files", len(hashes))) {
			t.Fatalf("rclone %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// Byte for byte where they landed, and nothing else there.
	want := map[string]string{}
	for rel, sum := range tree(t, phone) {
		want["Phone/"+rel] = sum
	}
	if got := tree(t, filepath.Join(e.root, "Uploads", "user")); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Uploads/user holds %v, want %v", got, want)
	}
}

// statTree describes every file below dir by name, size, time and inode
// number, so any rewrite shows.
func statTree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return nil
		}
		lines = append(lines, fmt.Sprintf("%s %d %d %v", p, fi.Size(), fi.ModTime().UnixNano(), inode(fi)))
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// lockBody is a LOCK request's body: an exclusive write lock.
const lockBody = `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>` +
	`<D:locktype><D:write/></D:locktype><D:owner>phone</D:owner></D:lockinfo>`

// What a WebDAV client can and cannot do, sent with the real curl.
func TestDAVWithCurl(t *testing.T) {
	e := newEnv(t, nil) // uploads limited to 1 MB, 10 megapixels
	as := davAs{"user", e.appPassword(e.user, "Ana's iPhone")}
	base := e.ts.URL + "/dav"
	mine := filepath.Join(e.root, "Uploads", "user")
	photo := func(n int) []byte { return testkit.JPEG(testkit.Photo{Seed: uint64(7000 + n)}) }
	file := func(name string, b []byte) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mustCode := func(what string, r curlResult, code int, says string) {
		t.Helper()
		if r.code != code || !strings.Contains(r.body, says) {
			t.Fatalf("%s: %s, want %d saying %q", what, r, code, says)
		}
	}
	put := func(name string, b []byte) curlResult {
		return curl(t, "-u", as.u(), "-T", file("up", b), base+"/"+name)
	}

	// A first upload makes the user's folder and is a photo at once.
	orig := photo(1)
	start := time.Now()
	mustCode("PUT new", put("IMG_0001.jpg", orig), 201, "")
	e.waitPhotos(e.user, "Uploads/user", []string{sha1hex(orig)}, 10*time.Second)
	t.Logf("PUT answered and the photo listed in %s", time.Since(start).Round(time.Millisecond))
	if b, _ := os.ReadFile(filepath.Join(mine, "IMG_0001.jpg")); !bytes.Equal(b, orig) {
		t.Fatal("the uploaded file is not byte for byte what was sent")
	}

	t.Run("PROPFIND", func(t *testing.T) {
		r := curl(t, "-u", as.u(), "-X", "PROPFIND", "-H", "Depth: 0", base+"/")
		if r.code != 207 || strings.Count(r.body, "<D:response>") != 1 || !strings.Contains(r.body, "<D:href>/dav/</D:href>") {
			t.Fatalf("depth 0: %s", r)
		}
		r = curl(t, "-u", as.u(), "-X", "PROPFIND", "-H", "Depth: 1", base)
		if r.code != 207 || strings.Count(r.body, "<D:response>") != 2 || !strings.Contains(r.body, "<D:href>/dav/IMG_0001.jpg</D:href>") ||
			!strings.Contains(r.body, fmt.Sprintf("<D:getcontentlength>%d</D:getcontentlength>", len(orig))) {
			t.Fatalf("depth 1 of /dav: %s", r)
		}
	})

	t.Run("PUT over an original", func(t *testing.T) {
		mustCode("other bytes", put("IMG_0001.jpg", photo(2)), 403, "never overwrites")
		mustCode("the same bytes", put("IMG_0001.jpg", orig), 204, "")
		if b, _ := os.ReadFile(filepath.Join(mine, "IMG_0001.jpg")); !bytes.Equal(b, orig) {
			t.Fatal("the original was changed")
		}
	})

	t.Run("MOVE and COPY onto an original", func(t *testing.T) {
		mustCode("second", put("IMG_0002.jpg", photo(3)), 201, "")
		before := tree(t, mine)
		for _, m := range []string{"MOVE", "COPY"} {
			r := curl(t, "-u", as.u(), "-X", m, "-H", "Destination: "+base+"/IMG_0001.jpg", "-H", "Overwrite: T", base+"/IMG_0002.jpg")
			mustCode(m, r, 403, "IMG_0001.jpg is already in the library")
		}
		mustCode("MOVE an original away", curl(t, "-u", as.u(), "-X", "MOVE", "-H", "Destination: "+base+"/moved.jpg", base+"/IMG_0002.jpg"), 403, "never moves")
		mustCode("COPY to a new name", curl(t, "-u", as.u(), "-X", "COPY", "-H", "Destination: "+base+"/copy.jpg", base+"/IMG_0002.jpg"), 201, "")
		before["copy.jpg"] = before["IMG_0002.jpg"]
		if got := tree(t, mine); fmt.Sprint(got) != fmt.Sprint(before) {
			t.Fatalf("folder %v, want %v", got, before)
		}
	})

	t.Run("DELETE", func(t *testing.T) {
		mustCode("an original", curl(t, "-u", as.u(), "-X", "DELETE", base+"/IMG_0001.jpg"), 403, "never deletes photos")
		mustCode("the folder", curl(t, "-u", as.u(), "-X", "DELETE", base+"/"), 403, "cannot be deleted")
		if _, err := os.Stat(filepath.Join(mine, "IMG_0001.jpg")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("MKCOL", func(t *testing.T) {
		mustCode("new folder", curl(t, "-u", as.u(), "-X", "MKCOL", base+"/Holidays"), 201, "")
		mustCode("inside a missing one", curl(t, "-u", as.u(), "-X", "MKCOL", base+"/No/Such"), 409, "")
		mustCode("PUT into it", put("Holidays/beach.jpg", photo(4)), 201, "")
		e.waitPhotos(e.user, "Uploads/user/Holidays", []string{sha1hex(photo(4))}, 10*time.Second)
		mustCode("an empty folder may go", curl(t, "-u", as.u(), "-X", "MKCOL", base+"/Oops"), 201, "")
		mustCode("DELETE it", curl(t, "-u", as.u(), "-X", "DELETE", base+"/Oops"), 204, "")
		mustCode("not a full one", curl(t, "-u", as.u(), "-X", "DELETE", base+"/Holidays"), 403, "not empty")
	})

	t.Run("LOCK and UNLOCK", func(t *testing.T) {
		r := curl(t, "-u", as.u(), "-X", "LOCK", "-H", "Timeout: Second-600", "-H", "Content-Type: application/xml", "--data-binary", lockBody, base+"/locked.jpg")
		tok := strings.Trim(r.headerValue("Lock-Token"), "<>")
		if r.code != 201 || tok == "" || !strings.Contains(r.body, "<D:timeout>Second-600</D:timeout>") {
			t.Fatalf("LOCK: %s (token %q)", r, tok)
		}
		mustCode("PUT without the lock", put("locked.jpg", photo(5)), 423, "")
		r = curl(t, "-u", as.u(), "-T", file("l", photo(5)), "-H", "If: (<"+tok+">)", base+"/locked.jpg")
		mustCode("PUT with the lock", r, 201, "")
		mustCode("UNLOCK", curl(t, "-u", as.u(), "-X", "UNLOCK", "-H", "Lock-Token: <"+tok+">", base+"/locked.jpg"), 204, "")
		r = curl(t, "-u", as.u(), "-X", "LOCK", "-H", "Timeout: Infinite", "--data-binary", lockBody, base+"/IMG_0001.jpg")
		if r.code != 200 || !strings.Contains(r.body, "<D:timeout>Second-3600</D:timeout>") {
			t.Fatalf("an endless lock of an original: %s, want one of an hour", r)
		}
	})

	t.Run("refused content", func(t *testing.T) {
		before := tree(t, mine)
		mustCode("text", put("notes.jpg", []byte("just some text, not a photo")), 415, "is not a photo or video")
		mustCode("wrong type", put("notes.txt", photo(6)), 415, "not a photo or video Pinhole can show")
		mustCode("bomb", put("bomb.png", bombPNG(t, 50000, 50000)), 422, "more than the 10 megapixels allowed")
		big := append([]byte("\xff\xd8\xff\xe0"), make([]byte, 1200<<10)...)
		mustCode("too large", put("huge.jpg", big), 413, "limited to 1 MB")
		r := curl(t, "-u", as.u(), "-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary", "@"+file("big", big), base+"/huge2.jpg")
		mustCode("too large, length unknown", r, 413, "limited to 1 MB")
		mustCode("Pinhole's temporary names", put(".pinhole-upload-x", photo(7)), 400, "Pinhole's own")
		if got := tree(t, mine); fmt.Sprint(got) != fmt.Sprint(before) {
			t.Fatalf("refused uploads left %v, want %v", got, before)
		}
	})

	t.Run("a client's temporary name", func(t *testing.T) {
		// FolderSync's temp-file scheme: upload under a temporary name,
		// rename when done. The temporary file is checked but not a photo.
		p := photo(8)
		mustCode("PUT .part", put("IMG_0008.jpg.part", p), 201, "")
		mustCode("PUT .part again", put("IMG_0008.jpg.part", p), 201, "")
		if e.folderPhotos(e.user, "Uploads/user")[sha1hex(p)] {
			t.Fatal("an unfinished upload is a photo")
		}
		mustCode("text as .part", put("notes.part", []byte("hello")), 415, "not a photo or video")
		r := curl(t, "-u", as.u(), "-X", "MOVE", "-H", "Destination: "+base+"/IMG_0008.jpg", base+"/IMG_0008.jpg.part")
		mustCode("MOVE into place", r, 201, "")
		e.waitPhotos(e.user, "Uploads/user", []string{sha1hex(p)}, 10*time.Second)
		mustCode("a JPEG may not become a PNG", put("x.part", photo(9)), 201, "")
		mustCode("MOVE as .xmp", curl(t, "-u", as.u(), "-X", "MOVE", "-H", "Destination: "+base+"/x.xmp", base+"/x.part"), 415, "does not hold what its name says")
		mustCode("DELETE a temporary file", curl(t, "-u", as.u(), "-X", "DELETE", base+"/x.part"), 204, "")
	})

	t.Run("an XMP sidecar", func(t *testing.T) {
		xmp := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
			`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Tram 28</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>`)
		mustCode("PUT IMG_0001.xmp", put("IMG_0001.xmp", xmp), 201, "")
		mustCode("XMP named .jpg", put("IMG_0099.jpg", xmp), 415, "does not hold what its name says")
	})

	t.Run("interrupted PUT", func(t *testing.T) {
		before := tree(t, mine)
		var ids []int64
		photos := func() int {
			var out struct{ Photos []struct{ ID int64 } }
			e.do(e.user, "GET", "/api/v1/photos?limit=500&sort=added", nil, 200, &out)
			ids = ids[:0]
			for _, p := range out.Photos {
				ids = append(ids, p.ID)
			}
			return len(ids)
		}
		n := photos()
		body := append(photo(10), make([]byte, 900<<10)...) // a JPEG, then more than a second's worth at 200 KB/s
		cmd := exec.Command("curl", "-s", "-u", as.u(), "-T", file("slow", body), "--limit-rate", "200k", base+"/slow.jpg")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		temp := func() string {
			for rel := range tree(t, mine) {
				if strings.Contains(path.Base(rel), "pinhole-upload-") {
					return rel
				}
			}
			return ""
		}
		deadline := time.Now().Add(10 * time.Second)
		for temp() == "" && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if temp() == "" {
			cmd.Process.Kill()
			t.Fatal("the upload in progress was never seen in its temporary file")
		}
		// While it arrives: not listed, not a photo even after a scan.
		if r := curl(t, "-u", as.u(), "-X", "PROPFIND", "-H", "Depth: 1", base+"/"); strings.Contains(r.body, "slow") || strings.Contains(r.body, "pinhole-upload") {
			t.Errorf("the listing shows the upload in progress: %s", r.body)
		}
		if _, err := e.ix.Scan(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		if photos() != n {
			t.Error("a scan during the upload made a photo of it")
		}
		cmd.Process.Kill() // the phone loses its connection mid-body
		cmd.Wait()
		deadline = time.Now().Add(10 * time.Second)
		for temp() != "" && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if got := tree(t, mine); fmt.Sprint(got) != fmt.Sprint(before) {
			t.Fatalf("an interrupted upload left %v, want %v", got, before)
		}
		if _, err := e.ix.Scan(context.Background(), false); err != nil {
			t.Fatal(err)
		}
		if photos() != n {
			t.Fatal("an interrupted upload became a photo")
		}
	})

	t.Run("X-OC-Mtime", func(t *testing.T) {
		r := curl(t, "-u", as.u(), "-T", file("m", photo(11)), "-H", "X-OC-Mtime: 1563100000", base+"/dated.jpg")
		mustCode("PUT", r, 201, "")
		fi, err := os.Stat(filepath.Join(mine, "dated.jpg"))
		if err != nil || fi.ModTime().Unix() != 1563100000 {
			t.Fatalf("modification time %v, want the phone's (2019-07-14)", fi.ModTime())
		}
	})
}

// Signing in to WebDAV: only app passwords, with the sign-in limits.
func TestDAVSignIn(t *testing.T) {
	e := newEnv(t, nil)
	base := e.ts.URL + "/dav/"
	propfind := func(user, pass string) curlResult {
		return curl(t, "-u", user+":"+pass, "-X", "PROPFIND", "-H", "Depth: 0", base)
	}
	pw := e.appPassword(e.user, "phone")
	if r := propfind("user", pw); r.code != 207 {
		t.Fatalf("app password: %s", r)
	}
	if r := propfind("USER", strings.ToUpper(strings.ReplaceAll(pw, "-", " "))); r.code != 207 {
		t.Fatalf("the app password typed in capitals with spaces: %s", r)
	}
	if r := curl(t, "-X", "PROPFIND", base); r.code != 401 || !strings.Contains(r.headerValue("WWW-Authenticate"), "Basic") {
		t.Fatalf("no credentials: %s %s", r, r.header)
	}
	if r := propfind("user", testPassword); r.code != 401 || !strings.Contains(r.body, "not the account password") {
		t.Fatalf("the account password: %s", r)
	}
	if r := curl(t, "-H", "Authorization: Bearer "+e.user.bearer, "-X", "PROPFIND", base); r.code != 401 {
		t.Fatalf("a session token: %s", r)
	}
	if r := curl(t, "-b", web.SessionCookie+"="+e.user.bearer, "-X", "PROPFIND", base); r.code != 401 {
		t.Fatalf("a session cookie: %s", r)
	}
	// A page elsewhere may not write: no CORS preflight is ever granted.
	for _, as := range [][]string{nil, {"-u", "user:" + pw}} {
		r := curl(t, append(as, "-X", "OPTIONS", "-H", "Origin: http://evil.example", "-H", "Access-Control-Request-Method: PUT", base+"x.jpg")...)
		if strings.Contains(strings.ToLower(r.header), "access-control-allow") {
			t.Fatalf("a CORS preflight was granted: %s", r.header)
		}
	}

	t.Run("last use", func(t *testing.T) {
		var list struct {
			AppPasswords []struct {
				Name       string
				LastUsedAt *string `json:"last_used_at"`
				LastUsedIP string  `json:"last_used_ip"`
			} `json:"app_passwords"`
		}
		e.do(e.user, "GET", "/api/v1/app-passwords", nil, 200, &list)
		if len(list.AppPasswords) != 1 || list.AppPasswords[0].LastUsedAt == nil || list.AppPasswords[0].LastUsedIP != "127.0.0.1" {
			t.Fatalf("list %+v, want its last use", list)
		}
		first := *list.AppPasswords[0].LastUsedAt
		e.advance(30 * time.Second)
		propfind("user", pw)
		e.do(e.user, "GET", "/api/v1/app-passwords", nil, 200, &list)
		if *list.AppPasswords[0].LastUsedAt != first {
			t.Fatal("last use written again within a minute")
		}
		e.advance(61 * time.Second)
		propfind("user", pw)
		e.do(e.user, "GET", "/api/v1/app-passwords", nil, 200, &list)
		if *list.AppPasswords[0].LastUsedAt == first {
			t.Fatal("last use not updated after a minute")
		}
	})

	t.Run("revoked", func(t *testing.T) {
		pw2 := e.appPassword(e.user, "old tablet")
		if r := propfind("user", pw2); r.code != 207 {
			t.Fatalf("before: %s", r)
		}
		var list struct {
			AppPasswords []struct {
				ID   int64
				Name string
			} `json:"app_passwords"`
		}
		e.do(e.user, "GET", "/api/v1/app-passwords", nil, 200, &list)
		for _, p := range list.AppPasswords {
			if p.Name == "old tablet" {
				e.do(e.admin, "DELETE", fmt.Sprintf("/api/v1/app-passwords/%d", p.ID), nil, 404, nil) // not the admin's
				e.do(e.user, "DELETE", fmt.Sprintf("/api/v1/app-passwords/%d", p.ID), nil, 204, nil)
			}
		}
		if r := propfind("user", pw2); r.code != 401 {
			t.Fatalf("revoked: %s", r)
		}
		if r := propfind("user", pw); r.code != 207 {
			t.Fatalf("the other app password stopped working: %s", r)
		}
	})

	t.Run("viewers and demotion", func(t *testing.T) {
		e.do(e.viewer, "POST", "/api/v1/app-passwords", map[string]any{"name": "x"}, 403, nil)
		u := e.newAccount("user", 1)
		upw := e.appPassword(u, "phone")
		if r := propfind(e.usernameOf(u), upw); r.code != 207 {
			t.Fatalf("before: %s", r)
		}
		e.do(e.admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", u.userID), map[string]any{"role": "viewer"}, 200, nil)
		if r := propfind(e.usernameOf(u), upw); r.code != 401 {
			t.Fatalf("after becoming a viewer: %s", r)
		}
	})

	t.Run("a new account password revokes them", func(t *testing.T) {
		u := e.newAccount("user", 2)
		upw := e.appPassword(u, "phone")
		e.do(u, "PUT", "/api/v1/session/password", map[string]any{"old_password": testPassword, "new_password": "a brand new one"}, 204, nil)
		if r := propfind(e.usernameOf(u), upw); r.code != 401 {
			t.Fatalf("after a password change: %s", r)
		}
	})

	t.Run("limiter", func(t *testing.T) {
		u := e.newAccount("user", 3)
		name := e.usernameOf(u)
		upw := e.appPassword(u, "phone")
		got429 := 0
		for i := 1; i <= 12; i++ {
			r := propfind(name, fmt.Sprintf("wrong-%d", i))
			if r.code == 429 {
				got429 = i
				if r.headerValue("Retry-After") == "" || !strings.Contains(r.body, "too many failed attempts") {
					t.Fatalf("429 without Retry-After or reason: %s %s", r, r.header)
				}
				break
			}
			if r.code != 401 {
				t.Fatalf("guess %d: %s", i, r)
			}
		}
		if got429 != 11 {
			t.Fatalf("first 429 at guess %d, want 11 (10 failures per name and address)", got429)
		}
		if r := propfind(name, upw); r.code != 429 {
			t.Fatalf("the right app password while limited: %s, want 429 (it is not even checked)", r)
		}
		// One allowance for WebDAV and the login form.
		resp := e.request(client{}, "POST", "/api/v1/session", map[string]any{"username": name, "password": testPassword}, nil)
		resp.Body.Close()
		if resp.StatusCode != 429 {
			t.Fatalf("login after WebDAV guesses: %d, want 429", resp.StatusCode)
		}
	})
}

// Each user reaches their own folder only.
func TestDAVOwnFolderOnly(t *testing.T) {
	e := newEnv(t, nil)
	ana := davAs{"user", e.appPassword(e.user, "phone")}
	adm := davAs{"admin", e.appPassword(e.admin, "phone")}
	base := e.ts.URL + "/dav"
	secret := testkit.JPEG(testkit.Photo{Seed: uint64(9100)})
	p := filepath.Join(t.TempDir(), "s.jpg")
	os.WriteFile(p, secret, 0o644)
	if r := curl(t, "-u", adm.u(), "-T", p, base+"/secret.jpg"); r.code != 201 {
		t.Fatal(r)
	}
	testkit.WriteFile(t, e.root, "Uploads/browser.jpg", testkit.JPEG(testkit.Photo{Seed: uint64(9101)}))
	if r := curl(t, "-u", ana.u(), "-X", "PROPFIND", "-H", "Depth: 1", base+"/"); r.code != 207 || strings.Contains(r.body, "secret") {
		t.Fatalf("the user's listing: %s", r)
	}
	for _, u := range []string{base + "/../admin/secret.jpg", base + "/%2e%2e/admin/secret.jpg", base + "/../browser.jpg",
		base + "/../../2019/Lisbon/tram.jpg", base + "/..%2fadmin%2fsecret.jpg"} {
		r := curl(t, "--path-as-is", "-u", ana.u(), u)
		if r.code == 200 || strings.Contains(r.body, string(secret[:20])) {
			t.Errorf("GET %s as another user: %d", u, r.code)
		}
		if r := curl(t, "--path-as-is", "-u", ana.u(), "-X", "DELETE", u); r.code < 400 {
			t.Errorf("DELETE %s as another user: %d", u, r.code)
		}
	}
	if b, err := os.ReadFile(filepath.Join(e.root, "Uploads", "admin", "secret.jpg")); err != nil || !bytes.Equal(b, secret) {
		t.Fatal("the admin's upload was touched")
	}
	// A symbolic link in the folder does not lead out of it.
	if err := os.Symlink(filepath.Join(e.root, "2019"), filepath.Join(e.root, "Uploads", "user", "out")); err != nil {
		t.Fatal(err)
	}
	if r := curl(t, "-u", ana.u(), base+"/out/Lisbon/tram.jpg"); r.code == 200 {
		t.Fatal("a link led out of the user's folder")
	}
}

// With read-only originals WebDAV is off, and says how to turn it on;
// --upload-writable lets it write into the upload folder only.
func TestDAVReadOnly(t *testing.T) {
	ro := newEnv(t, func(d *web.Deps) { d.ReadOnly = true })
	pw := ro.appPassword(ro.user, "phone")
	r := curl(t, "-u", "user:"+pw, "-X", "PROPFIND", ro.ts.URL+"/dav/")
	if r.code != 403 || !strings.Contains(r.body, "--upload-writable") {
		t.Fatalf("read-only: %s", r)
	}
	if _, err := os.Stat(filepath.Join(ro.root, "Uploads")); err == nil {
		t.Fatal("a read-only server made the upload folder")
	}

	uw := newEnv(t, func(d *web.Deps) { d.ReadOnly, d.UploadWritable = true, true })
	pw = uw.appPassword(uw.user, "phone")
	p := filepath.Join(t.TempDir(), "a.jpg")
	os.WriteFile(p, testkit.JPEG(testkit.Photo{Seed: uint64(42)}), 0o644)
	if r := curl(t, "-u", "user:"+pw, "-T", p, uw.ts.URL+"/dav/a.jpg"); r.code != 201 {
		t.Fatalf("--upload-writable: %s", r)
	}
	uw.waitPhotos(uw.user, "Uploads/user", []string{sha1hex(testkit.JPEG(testkit.Photo{Seed: uint64(42)}))}, 10*time.Second)
	var s struct{ Uploads struct{ Enabled bool } }
	uw.do(uw.user, "GET", "/api/v1/session", nil, 200, &s)
	if !s.Uploads.Enabled {
		t.Fatal("--upload-writable: the browser upload is still off")
	}
}

// davMatrixRows are the authorization matrix's rows for WebDAV and app
// passwords. Users and admins sign in with an app password of their own;
// a viewer holding one (made before a demotion, here directly) is
// refused by role; visitors and anonymous callers are not signed in.
func davMatrixRows(e *env, next func() int) map[string]matrixCase {
	ctx := context.Background()
	pws := map[string]string{}
	auth := func(role string) http.Header {
		switch role {
		case "anon":
			return nil
		case "visitor":
			// A share's secret is no sign-in (and, not being Basic, no
			// guess that would spend the sign-in limits of 127.0.0.1).
			return http.Header{"Authorization": {"Bearer " + e.share.Access}}
		}
		if pws[role] == "" {
			c := e.clientFor(role)
			_, pw, err := e.srv.Auth().CreateAppPassword(ctx, c.userID, "user", "matrix")
			if err != nil {
				e.t.Fatal(err)
			}
			pws[role] = pw
		}
		return http.Header{"Authorization": {basicAuth(e.usernameOf(e.clientFor(role)), pws[role])}}
	}
	// put places a file in the role's folder (an original, or with a
	// temporary name an unfinished upload) and returns its name.
	put := func(role, name string, b []byte) string {
		if h := auth(role); h != nil && role != "viewer" && role != "visitor" {
			resp := e.request(client{}, "PUT", "/dav/"+name, bytes.NewReader(b), h)
			resp.Body.Close()
			if resp.StatusCode != 201 {
				e.t.Fatalf("matrix setup: PUT %s as %s: %d", name, role, resp.StatusCode)
			}
		}
		return name
	}
	row := func(want int, prep func(role string) (string, any, http.Header)) matrixCase {
		return matrixCase{prep: func(_ *env, role string) (string, any, http.Header) {
			p, body, h := prep(role)
			hh := auth(role)
			if hh == nil {
				hh = http.Header{}
			}
			for k, v := range h {
				hh[k] = v
			}
			return p, body, hh
		}, want: [5]int{401, 403, want, want, 401}}
	}
	plain := func(p string, h http.Header) func(string) (string, any, http.Header) {
		return func(string) (string, any, http.Header) { return p, nil, h }
	}
	return map[string]matrixCase{
		"OPTIONS /dav":    row(200, plain("/dav", nil)),
		"PROPFIND /dav":   row(207, plain("/dav", http.Header{"Depth": {"0"}})),
		"OPTIONS /dav/*":  row(200, plain("/dav/", nil)),
		"PROPFIND /dav/*": row(207, plain("/dav/", http.Header{"Depth": {"1"}})),
		"PROPPATCH /dav/*": row(207, func(string) (string, any, http.Header) {
			return "/dav/", strings.NewReader(`<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x:note xmlns:x="urn:x">hi</x:note></D:prop></D:set></D:propertyupdate>`), nil
		}),
		"MKCOL /dav/*": row(201, func(string) (string, any, http.Header) { return fmt.Sprintf("/dav/folder%d", next()), nil, nil }),
		"GET /dav/*": row(200, func(role string) (string, any, http.Header) {
			return "/dav/" + put(role, fmt.Sprintf("get%d.jpg", next()), testkit.JPEG(testkit.Photo{Seed: uint64(20000 + next())})), nil, nil
		}),
		"PUT /dav/*": row(201, func(string) (string, any, http.Header) {
			return fmt.Sprintf("/dav/put%d.jpg", next()), bytes.NewReader(testkit.JPEG(testkit.Photo{Seed: uint64(21000 + next())})), nil
		}),
		"DELETE /dav/*": row(204, func(role string) (string, any, http.Header) {
			return "/dav/" + put(role, fmt.Sprintf("gone%d.jpg.part", next()), testkit.JPEG(testkit.Photo{Seed: uint64(22000 + next())})), nil, nil
		}),
		"COPY /dav/*": row(201, func(role string) (string, any, http.Header) {
			src := put(role, fmt.Sprintf("src%d.jpg", next()), testkit.JPEG(testkit.Photo{Seed: uint64(23000 + next())}))
			return "/dav/" + src, nil, http.Header{"Destination": {fmt.Sprintf("/dav/copy%d.jpg", next())}}
		}),
		"MOVE /dav/*": row(201, func(role string) (string, any, http.Header) {
			src := put(role, fmt.Sprintf("mv%d.jpg.part", next()), testkit.JPEG(testkit.Photo{Seed: uint64(24000 + next())}))
			return "/dav/" + src, nil, http.Header{"Destination": {fmt.Sprintf("/dav/moved%d.jpg", next())}}
		}),
		"LOCK /dav/*": row(201, func(string) (string, any, http.Header) {
			return fmt.Sprintf("/dav/lock%d.jpg", next()), strings.NewReader(lockBody), nil
		}),
		"UNLOCK /dav/*": row(204, func(role string) (string, any, http.Header) {
			p := fmt.Sprintf("/dav/unlock%d.jpg", next())
			tok := "<opaquelocktoken:none>"
			if h := auth(role); h != nil && role != "viewer" && role != "visitor" {
				resp := e.request(client{}, "LOCK", p, strings.NewReader(lockBody), h)
				resp.Body.Close()
				tok = resp.Header.Get("Lock-Token")
			}
			return p, nil, http.Header{"Lock-Token": {tok}}
		}),

		"GET /api/v1/app-passwords": {prep: fixed("/api/v1/app-passwords", nil), want: [5]int{401, 403, 200, 200, 401}},
		"POST /api/v1/app-passwords": {prep: fixed("/api/v1/app-passwords", map[string]any{"name": "matrix phone"}),
			want: [5]int{401, 403, 201, 201, 401}},
		"DELETE /api/v1/app-passwords/:id": {prep: func(e *env, role string) (string, any, http.Header) {
			owner := e.clientFor(role)
			if role == "anon" || role == "visitor" || role == "viewer" {
				owner = e.user
			}
			p, _, err := e.srv.Auth().CreateAppPassword(ctx, owner.userID, "user", "to revoke")
			if err != nil {
				e.t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/app-passwords/%d", p.ID), nil, nil
		}, want: [5]int{401, 403, 204, 204, 401}},
	}
}

func basicAuth(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return r.Header.Get("Authorization")
}

// inode is a file's inode number: a file written anew gets another.
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// A user's folder is named after them, but never hidden, never NAS
// litter the indexer skips, never outside the upload folder.
func TestDAVFolderNames(t *testing.T) {
	for name, want := range map[string]string{
		"ana": "ana", "Ana.Silva@home": "Ana.Silva@home", "..": "+..", ".hidden": "+.hidden", "@eaDir": "+@eaDir",
		"@Recycle": "+@Recycle", ".Trashes": "+.Trashes", "x/../y": "x_.._y",
	} {
		if got := web.DAVFolderName(name); got != want {
			t.Errorf("%q: folder %q, want %q", name, got, want)
		}
	}
}

// WebDAV runs behind the same middleware as the API: uploads may be as
// large as --upload-limit-mb (not the 1 MB of other bodies), other bodies
// stay limited, a body trickling in is cut off, and every answer carries
// the security headers.
func TestDAVMiddleware(t *testing.T) {
	e := newEnv(t, func(d *web.Deps) {
		d.UploadLimitMB = 8
		d.Conns = web.ConnLimits{BodyMinRate: 20 << 10, BodyWindow: time.Second, BodyIdle: 2 * time.Second}
	})
	as := davAs{"user", e.appPassword(e.user, "phone")}
	base := e.ts.URL + "/dav/"
	big := append(testkit.JPEG(testkit.Photo{Seed: uint64(77)}), make([]byte, 3<<20)...)
	p := filepath.Join(t.TempDir(), "big.jpg")
	os.WriteFile(p, big, 0o644)
	r := curl(t, "-u", as.u(), "-T", p, base+"big.jpg")
	if r.code != 201 || r.headerValue("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.headerValue("Content-Security-Policy"), "default-src 'self'") {
		t.Fatalf("a 3 MB upload: %s\n%s", r, r.header)
	}
	xml := filepath.Join(t.TempDir(), "propfind.xml")
	os.WriteFile(xml, append([]byte(`<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/>`), bytes.Repeat([]byte("<!-- -->"), 2<<17)...), 0o644)
	if r := curl(t, "-u", as.u(), "-X", "PROPFIND", "--data-binary", "@"+xml, base); r.code != 413 {
		t.Fatalf("a 2 MB PROPFIND body: %s, want 413", r)
	}
	slow := filepath.Join(t.TempDir(), "slow.jpg")
	os.WriteFile(slow, append(testkit.JPEG(testkit.Photo{Seed: uint64(78)}), make([]byte, 200<<10)...), 0o644)
	r = curl(t, "-u", as.u(), "-T", slow, "--limit-rate", "16k", base+"slow.jpg")
	if r.code != 408 || !strings.Contains(r.body, "too slowly") {
		t.Fatalf("a trickled upload: %s, want 408", r)
	}
	entries, _ := os.ReadDir(filepath.Join(e.root, "Uploads", "user"))
	if len(entries) != 1 || entries[0].Name() != "big.jpg" {
		t.Fatalf("after the refused uploads the folder holds %v", entries)
	}
}
