package db

import (
	"context"
	"path/filepath"
	"testing"
)

// An idle server's database holds no connection (nor its page cache)
// after ReleaseMemory, and the next query opens one again; an in-memory
// database keeps its only connection, and with it its data.
func TestReleaseMemoryClosesIdleConnections(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.InsertSynthetic(ctx, 200, 1); err != nil {
		t.Fatal(err)
	}
	// Two connections at once, then back to the pool.
	c1, err := d.sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := d.sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c1.Close()
	c2.Close()
	if st := d.sql.Stats(); st.Idle != 2 {
		t.Fatalf("%d idle connections before the release, want 2", st.Idle)
	}
	d.ReleaseMemory()
	if st := d.sql.Stats(); st.OpenConnections != 0 {
		t.Fatalf("%d connections open after the release, want 0", st.OpenConnections)
	}
	c, err := d.Counts(ctx)
	if err != nil || c.Photos != 200 {
		t.Fatalf("after the release: %d photos, %v", c.Photos, err)
	}

	m, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.InsertSynthetic(ctx, 50, 1); err != nil {
		t.Fatal(err)
	}
	m.ReleaseMemory()
	if c, err := m.Counts(ctx); err != nil || c.Photos != 50 {
		t.Fatalf("in-memory database after the release: %d photos, %v", c.Photos, err)
	}
}
