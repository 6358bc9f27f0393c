package upstream

import "testing"

func TestPauseRunsOnResumeOnlyWhenTurnedOff(t *testing.T) {
	var nilPause *Pause
	if nilPause.Paused() {
		t.Fatal("a nil switch is paused")
	}
	p := NewPause(true)
	var order []int
	p.OnResume(func() { order = append(order, 1) })
	p.OnResume(func() { order = append(order, 2) })
	if !p.Paused() {
		t.Fatal("NewPause(true) is not paused")
	}
	if p.Set(true) {
		t.Error("pausing a paused switch reported a change")
	}
	if !p.Set(false) || p.Paused() {
		t.Fatal("resuming did not take")
	}
	if p.Set(false) {
		t.Error("resuming twice reported a change")
	}
	if !p.Set(true) || !p.Paused() {
		t.Fatal("pausing again did not take")
	}
	if len(order) != 2 || order[0] != 1 || order[1] != 2 {
		t.Errorf("resume hooks ran %v, want [1 2] once", order)
	}
}
