package localenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// stopGrace is how long a component has to exit after SIGTERM before it is killed.
const stopGrace = 15 * time.Second

// staleGrace is how long a leftover process of a failed or killed run has to exit: such a
// process may hang on a dependency that is gone (an API server without its etcd), so it is
// killed sooner.
const staleGrace = 5 * time.Second

// supervisorGrace is how long a foreground `raykube local up` has to stop its components after
// `down` asks it to.
const supervisorGrace = 90 * time.Second

// stopOrder groups what to stop into steps: the foreground supervisor (which stops the rest
// itself); then every client of the API server at once; then the API server; then etcd. The
// API server goes after its clients so that they do not fail on a vanished server, and etcd goes
// last so that the API server does not lose its storage while it drains.
func stopOrder[T any](items []T, name func(T) string) [][]T {
	var supervisor, clients, api, store []T
	for _, it := range items {
		switch name(it) {
		case supervisorName:
			supervisor = append(supervisor, it)
		case apiServerName:
			api = append(api, it)
		case etcdName:
			store = append(store, it)
		default:
			clients = append(clients, it)
		}
	}
	var steps [][]T
	for _, s := range [][]T{supervisor, clients, api, store} {
		if len(s) > 0 {
			steps = append(steps, s)
		}
	}
	return steps
}

// stopSteps stops the items step by step, the items of a step at once, reporting each.
func stopSteps[T any](ctx context.Context, rep *reporter, steps [][]T, rec func(T) procRecord,
	stop func(context.Context, T) error) error {
	var mu sync.Mutex
	var errs []error
	for _, step := range steps {
		var wg sync.WaitGroup
		for _, it := range step {
			wg.Go(func() {
				start := time.Now()
				err := stop(ctx, it)
				r := rec(it)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				rep.done("stopped "+r.Name, fmt.Sprintf("pid %d", r.PID), time.Since(start))
			})
		}
		wg.Wait()
	}
	return errors.Join(errs...)
}

// Wait blocks until ctx ends (nil) or a component exits on its own (an error naming it, with
// the end of its log).
func (e *Env) Wait(ctx context.Context) error {
	e.mu.Lock()
	children := slices.Clone(e.children)
	e.mu.Unlock()
	exited := make(chan *child, len(children))
	for _, c := range children {
		go func() {
			select {
			case <-c.done:
				exited <- c
			case <-ctx.Done():
			}
		}()
	}
	select {
	case <-ctx.Done():
		return nil
	case c := <-exited:
		return fmt.Errorf("%s exited unexpectedly (%w); the end of %s:\n%s", c.record.Name, c.err,
			shortPath(e.layout.logFile(c.record.Name)), tail(e.layout.logFile(c.record.Name), 15))
	}
}

// Stop stops every component this process started, clients of the API server first, and
// removes the pid files. When ctx ends before they have exited, they are killed.
func (e *Env) Stop(ctx context.Context) error {
	e.mu.Lock()
	children := slices.Clone(e.children)
	e.mu.Unlock()
	steps := stopOrder(children, func(c *child) string { return c.record.Name })
	err := stopSteps(ctx, e.rep, steps, func(c *child) procRecord { return c.record },
		func(ctx context.Context, c *child) error {
			e.log.V(1).Info("Stopping a component", "component", c.record.Name,
				"pid", c.record.PID)
			return c.stop(ctx, stopGrace)
		})
	return errors.Join(err, e.layout.forget())
}

// recoverStale deals with what an earlier `up` left in the state directory: an environment that
// runs is reported (AlreadyRunningError); processes of one that failed or was killed half-way
// are stopped; pid files of processes that are gone are dropped.
func recoverStale(ctx context.Context, l layout, rep *reporter) error {
	records, err := l.readRecords()
	if err != nil || len(records) == 0 {
		return err
	}
	var alive []procRecord
	for _, r := range records {
		if r.alive() {
			alive = append(alive, r)
		}
	}
	state, stateErr := l.readState()
	if stateErr == nil && state.Ready && len(alive) == len(records) {
		return &AlreadyRunningError{Dir: l.dir, State: state}
	}
	if len(alive) == 0 {
		rep.printf("raykube local: %s holds the remains of a run that did not stop cleanly "+
			"(its processes are gone); cleaning it up\n", shortPath(l.dir))
		return nil
	}
	rep.printf("raykube local: stopping %d leftover processes of a run that failed or was killed "+
		"(%s)\n", len(alive), recordNames(alive))
	return stopRecords(ctx, rep, alive, staleGrace)
}

// stopRecords stops recorded processes that this process did not start, giving each grace
// after SIGTERM (a foreground supervisor gets supervisorGrace, to stop its own children).
func stopRecords(ctx context.Context, rep *reporter, records []procRecord,
	grace time.Duration) error {
	steps := stopOrder(records, func(r procRecord) string { return r.Name })
	return stopSteps(ctx, rep, steps, func(r procRecord) procRecord { return r },
		func(ctx context.Context, r procRecord) error {
			if r.Name == supervisorName {
				return r.terminate(ctx, supervisorGrace)
			}
			return r.terminate(ctx, grace)
		})
}

func recordNames(records []procRecord) string {
	names := make([]string, len(records))
	for i, r := range records {
		names[i] = fmt.Sprintf("%s pid %d", r.Name, r.PID)
	}
	return strings.Join(names, ", ")
}

// Down stops the environment of a state directory, whether it runs detached or under a
// `raykube local up` in the foreground, and removes its pid files. It returns false when
// nothing was running.
func Down(ctx context.Context, stateDir string, out io.Writer) (bool, error) {
	l, err := existingLayout(stateDir)
	if err != nil {
		return false, err
	}
	unlock, err := l.lock()
	if err != nil {
		return false, err
	}
	defer unlock()
	records, err := l.readRecords()
	if err != nil {
		return false, err
	}
	var supervisor []procRecord
	for _, r := range records {
		if r.Name == supervisorName && r.alive() {
			supervisor = append(supervisor, r)
		}
	}
	others := stillAlive(records)
	running := len(supervisor)+len(others) > 0
	rep := &reporter{out: out}
	if running {
		rep.printf("raykube local: stopping the environment in %s\n", shortPath(l.dir))
	}
	// A foreground supervisor stops the components it started; what it leaves is stopped here.
	err = stopRecords(ctx, rep, supervisor, stopGrace)
	if err == nil {
		err = stopRecords(ctx, rep, stillAlive(records), stopGrace)
	}
	return running, errors.Join(err, l.forget())
}

func stillAlive(records []procRecord) []procRecord {
	var out []procRecord
	for _, r := range records {
		if r.Name != supervisorName && r.alive() {
			out = append(out, r)
		}
	}
	return out
}

// existingLayout returns the layout of a state directory that raykube created.
func existingLayout(stateDir string) (layout, error) {
	if stateDir == "" {
		stateDir = DefaultStateDir
	}
	l := layout{dir: stateDir}
	if _, err := os.Stat(l.path(markerFile)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return l, fmt.Errorf("no local environment in %s (`raykube local up` starts one)",
				stateDir)
		}
		return l, fmt.Errorf("reading the state directory: %w", err)
	}
	return l, nil
}
