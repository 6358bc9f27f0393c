package app

import (
	"context"
	"encoding/json"
	"os"

	"pinhole/app/meta"
	"pinhole/app/places"
)

// inspectFile is what `pinhole inspect` prints for one file: meta's
// exiftool-named fields plus SourceFile and, when reading failed, Error.
func inspectFile(p string) map[string]any {
	var info *meta.Info
	var err error
	if kind, _, _ := meta.Detect(p); kind == meta.KindSidecar {
		info, err = meta.ReadSidecar(p)
	} else {
		info, err = meta.Read(p)
	}
	out := map[string]any{}
	if info != nil {
		for k, v := range info.Fields() {
			out[k] = v
		}
		if info.HasGPS {
			if pl, ok := (offlineResolver{radiusKm: places.DefaultRadiusKm}).Resolve(context.Background(), info.Lat, info.Lng); ok {
				for k, v := range placeFields(pl) {
					out[k] = v
				}
			}
		}
	}
	out["SourceFile"] = p
	if err != nil {
		out["Error"] = err.Error()
	}
	return out
}

func runInspect(ctx context.Context, e *env) error {
	if len(e.args) == 0 {
		return errUsage
	}
	list := make([]map[string]any, 0, len(e.args))
	for _, p := range e.args {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if _, err := os.Stat(p); err != nil {
			list = append(list, map[string]any{"SourceFile": p, "Error": err.Error()})
			continue
		}
		list = append(list, inspectFile(p))
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}
