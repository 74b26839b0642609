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
	want := NewVoiceEngine().Draw()
	if !strings.Contains(string(readme), want) {
		t.Fatalf("README.md does not hold the current flow diagrams; regenerate them with "+
			"`go run ./cmd/permitline flows draw`:\n%s", want)
	}
}

// TestEveryStateIsReachableAndDefined checks each flow's graph against its states: every
// event's source and destination is a defined state, and every state but the start is
// the destination of some event.
func TestEveryStateIsReachableAndDefined(t *testing.T) {
	for _, f := range NewVoiceEngine().Flows() {
		if _, ok := f.States[f.Start]; !ok {
			t.Errorf("%s: start state %q is not defined", f.Name, f.Start)
		}
		reached := map[string]bool{f.Start: true}
		for _, ev := range f.Events {
			for _, src := range ev.Src {
				if _, ok := f.States[src]; !ok {
					t.Errorf("%s: event %s leaves undefined state %q", f.Name, ev.Name, src)
				}
			}
			if _, ok := f.States[ev.Dst]; !ok {
				t.Errorf("%s: event %s enters undefined state %q", f.Name, ev.Name, ev.Dst)
			}
			reached[ev.Dst] = true
		}
		for name, st := range f.States {
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
