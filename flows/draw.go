package flows

import (
	"fmt"
	"strings"

	"github.com/looplab/fsm"
)

// Drawings returns every flow of the phone line and of the texts as Mermaid state
// diagrams, as `permitline flows draw` prints them.
func Drawings() string {
	return "### The phone line\n\n" + NewVoiceEngine().Draw() + "### Texts\n\n" + NewTextEngine().Draw()
}

// Draw returns every flow of the engine as a Mermaid state diagram, generated from the
// flows' own graphs so the picture can never drift from the code. An exit to another
// flow is drawn as the pseudo-state exit_<flow>; an end (a hangup, a transfer) is not
// drawn.
func (e *Engine) Draw() string {
	var b strings.Builder
	for _, f := range e.Flows() {
		fmt.Fprintf(&b, "#### %s\n\n", f.Name)
		if len(f.Graph) == 0 {
			fmt.Fprintf(&b, "```mermaid\nstateDiagram-v2\n    [*] --> %s\n```\n\n", f.Start)
			continue
		}
		m := fsm.NewFSM(string(f.Start), f.Events(), fsm.Callbacks{})
		diagram, err := fsm.VisualizeWithType(m, fsm.MERMAID)
		if err != nil {
			diagram = "%% " + err.Error() + "\n"
		}
		fmt.Fprintf(&b, "```mermaid\n%s```\n\n", diagram)
	}
	return b.String()
}
