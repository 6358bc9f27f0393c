package app

import (
	"log/slog"

	"pinhole/app/config"
	"pinhole/web"
)

// connLimits sizes the connection caps: the configured ones, with the
// global cap lowered to fit the open-files limit. Each connection may hold
// a second descriptor (the original or thumbnail it streams), and the
// database, caches, watcher and helpers need some of their own.
func connLimits(cfg *config.Config, log *slog.Logger) web.ConnLimits {
	const reserve = 128
	lim := web.ConnLimits{Max: cfg.MaxConns, PerIP: cfg.MaxConnsPerIP}
	if soft, _, err := currentFileLimit(); err == nil && soft > 0 {
		fit := int(min(soft, 1<<30)-min(soft, reserve)) / 2
		if fit < lim.Max {
			lim.Max = max(fit, 16)
			log.Info("connection cap lowered to fit the open-files limit", "max_conns", lim.Max, "open_files_limit", soft)
		}
	}
	lim.PerIP = min(lim.PerIP, lim.Max)
	return lim
}
