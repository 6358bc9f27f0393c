package places

import "testing"

func TestVersionMatchesDecodedDataset(t *testing.T) {
	v, err := Version()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if v == "" || v != g.DatasetVersion() {
		t.Fatalf("Version() = %q, DatasetVersion() = %q", v, g.DatasetVersion())
	}
}
