package index

import (
	"path"
	"time"

	"pinhole/app/meta"
)

// fallbackTaken dates a file whose metadata holds no capture time. The
// reader has already tried the file name; what is left is the folders'
// names and the modification time. The modification time is the last
// resort because copying resets it: a library copied to a new disk would
// otherwise have every undated photo taken "today", at the top of the
// timeline. When the folder names a day, month or year and the
// modification time falls inside it, the modification time is kept, as it
// is the more precise of the two.
func fallbackTaken(info *meta.Info, rel string, mtime time.Time) {
	if !info.Taken.IsZero() && info.TakenSource != meta.SourceFileTime && info.TakenSource != "" {
		return
	}
	if info.Taken.IsZero() {
		if t, ok := meta.DateFromName(path.Base(rel)); ok {
			info.Taken, info.HasOffset, info.TakenSource = t, false, meta.SourceFileName
			return
		}
	}
	ft := meta.FileTime(mtime)
	if fd, ok := meta.DateFromFolders(path.Dir(rel)); ok && !fd.Contains(ft) {
		info.Taken, info.HasOffset, info.TakenSource = fd.Start, false, meta.SourceFolder
		return
	}
	info.Taken, info.HasOffset, info.TakenSource = ft, false, meta.SourceFileTime
}
