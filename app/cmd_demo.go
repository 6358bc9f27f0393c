package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"pinhole/app/demo"
)

func runDemo(ctx context.Context, e *env) error {
	opt := demo.DefaultOptions()
	if e.opts.count > 0 {
		opt.Count = e.opts.count
	}
	if e.opts.mp != "" {
		lo, hi, ok := strings.Cut(e.opts.mp, "-")
		if !ok {
			hi = lo
		}
		a, err1 := strconv.ParseFloat(lo, 64)
		b, err2 := strconv.ParseFloat(hi, 64)
		if err1 != nil || err2 != nil || a <= 0 || b < a || b > 100 {
			return fmt.Errorf("--megapixels %q: want MIN-MAX, e.g. 8-24", e.opts.mp)
		}
		opt.MinMP, opt.MaxMP = a, b
	}
	opt.Seed = e.opts.seed
	out := e.opts.out
	if out == "" {
		out = e.cfg.DemoDir()
	}
	var done atomic.Int64
	stop := counterLine(e.stderr, func() string { return fmt.Sprintf("generating %d/%d", done.Load(), opt.Count) })
	err := demo.Generate(ctx, out, opt, func(n, _ int) { done.Store(int64(n)) })
	stop()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d photos in %s\n", opt.Count, out)
	return nil
}
