package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kardianos/service"
)

// serviceProgram adapts `pinhole serve` to kardianos/service, for people
// who copy the binary instead of installing the .deb.
type serviceProgram struct {
	e      *env
	cancel context.CancelFunc
	done   chan error
}

func (p *serviceProgram) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.done = make(chan error, 1)
	go func() { p.done <- runServe(ctx, p.e) }()
	return nil
}

func (p *serviceProgram) Stop(service.Service) error {
	if p.cancel != nil {
		p.cancel()
		return <-p.done
	}
	return nil
}

// runService is `pinhole service install|uninstall|start|stop|restart|status|run`.
func runService(_ context.Context, e *env) error {
	if len(e.args) != 1 {
		return errUsage
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	exe, _ = filepath.EvalSymlinks(exe)
	// The installed service runs `serve` with the options this command got,
	// so `pinhole service install --originals /srv/photos --data /var/lib/pinhole`
	// fixes them for the service.
	args := []string{"serve", "--data", e.cfg.Data, "--listen", e.cfg.Listen}
	if e.cfg.Originals != "" {
		args = append(args, "--originals", e.cfg.Originals)
	}
	if e.cfg.ConfigFile != "" {
		args = append(args, "--config", e.cfg.ConfigFile)
	}
	svc, err := service.New(&serviceProgram{e: e}, &service.Config{
		Name:        "pinhole",
		DisplayName: "Pinhole photo library",
		Description: "Self-hosted photo library: indexes, watches and serves a photo folder.",
		Executable:  exe,
		Arguments:   args,
		Option: service.KeyValue{
			"Restart":           "on-failure",
			"SuccessExitStatus": "1 2 8 SIGKILL",
		},
	})
	if err != nil {
		return err
	}
	switch a := e.args[0]; a {
	case "run":
		return svc.Run()
	case "status":
		st, err := svc.Status()
		if err != nil {
			return fmt.Errorf("status: %w", err)
		}
		names := map[service.Status]string{service.StatusRunning: "running", service.StatusStopped: "stopped", service.StatusUnknown: "unknown"}
		fmt.Fprintf(e.stdout, "pinhole service: %s\n", names[st])
		return nil
	case "install", "uninstall", "start", "stop", "restart":
		if err := service.Control(svc, a); err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
		fmt.Fprintf(e.stdout, "pinhole service: %s done\n", a)
		return nil
	}
	return errUsage
}
