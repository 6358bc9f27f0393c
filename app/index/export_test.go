package index

// FilesOpened is how many files' contents were read since start, for tests
// that prove a rescan of an unchanged library reads none.
func (ix *Indexer) FilesOpened() int64 { return ix.opened.Load() }
