package flows

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsTheFlowsAsTheyAre keeps the diagrams in the README equal to the code:
// run `go run ./cmd/permitline flows draw` and paste its output when a flow changes.
func TestREADMEShowsTheFlowsAsTheyAre(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := Drawings()
	if !strings.Contains(string(readme), want) {
		t.Fatalf("README.md does not hold the current flow diagrams; regenerate them with "+
			"`go run ./cmd/permitline flows draw`:\n%s", want)
	}
}

// TestEveryStateIsReachableAndDefined checks each flow's graph against its states: every
// event's source is a defined state, its destination a defined state or an exit to a flow
// of the same engine, every state but the start is the destination of some event, and no
// state is an exit's name.
func TestEveryStateIsReachableAndDefined(t *testing.T) {
	for _, e := range []*Engine{NewVoiceEngine(), NewTextEngine()} {
		for _, f := range e.Flows() {
			if _, ok := f.States[f.Start]; !ok {
				t.Errorf("%s: start state %q is not defined", f.Name, f.Start)
			}
			reached := map[StateName]bool{f.Start: true}
			for _, ev := range f.Graph {
				for _, src := range ev.From {
					if _, ok := f.States[src]; !ok {
						t.Errorf("%s: event %s leaves undefined state %q", f.Name, ev.Event, src)
					}
				}
				if to, ok := exitTarget(ev.To); ok {
					if _, ok := e.flows[to]; !ok {
						t.Errorf("%s: event %s leaves for flow %q, which the engine does not have", f.Name, ev.Event, to)
					}
				} else if _, ok := f.States[ev.To]; !ok {
					t.Errorf("%s: event %s enters undefined state %q", f.Name, ev.Event, ev.To)
				}
				reached[ev.To] = true
			}
			for name, st := range f.States {
				if _, ok := exitTarget(name); ok {
					t.Errorf("%s: state %q has an exit's name", f.Name, name)
				}
				if !reached[name] {
					t.Errorf("%s: state %q is never entered", f.Name, name)
				}
				if !st.Auto && (st.Ask == nil || st.Decide == nil) {
					t.Errorf("%s: state %q asks nothing or decides nothing", f.Name, name)
				}
				if st.Auto && st.Decide == nil {
					t.Errorf("%s: auto state %q decides nothing", f.Name, name)
				}
			}
		}
	}
}
