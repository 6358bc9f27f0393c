package db

// ReleaseMemory drops the kept lists, closes the pool's idle
// connections, and with them their page caches (up to 4 MB each, see
// dsnFor), then asks the C allocator to hand the freed memory back to the
// system: glibc keeps what SQLite frees in per-thread arenas otherwise
// (about 20 MB after indexing 10k photos), where an idle server would
// hold it for good. Connections in use finish as usual. An in-memory
// database lives in its one connection and keeps it.
func (d *DB) ReleaseMemory() {
	if d.path != ":memory:" {
		d.sql.SetMaxIdleConns(0)
		d.sql.SetMaxIdleConns(cap(d.turns))
	}
	d.kept.forget()
	trimCHeap()
}
