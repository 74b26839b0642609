package flows

import "testing"

// TestWritesMarksTheStatesThatCommit checks the hint the voice line uses to skip a step's
// trial on a snapshot: the three answers that change an account, the PIN and a new PIN (checked
// and counted in the write transaction, never on a snapshot), are marked, the states
// that only ask or read are not, and a session in a state the engine does not know is not.
func TestWritesMarksTheStatesThatCommit(t *testing.T) {
	e := NewVoiceEngine()
	marked := map[[2]string]bool{{FlowActivate, string(ActivateConfirm)}: true, {FlowBuy, string(BuyPay)}: true,
		{FlowCancel, string(CancelConfirm)}: true, {FlowIdentify, string(IdentifyPIN)}: true,
		{FlowNewPIN, string(NewPINAgain)}: true, {FlowHelpdesk, string(HelpdeskMessage)}: true}
	for _, f := range e.Flows() {
		for name := range f.States {
			want := marked[[2]string{f.Name, string(name)}]
			if got := e.Writes(&Session{Flow: f.Name, State: string(name)}); got != want {
				t.Errorf("Writes(%s/%s) = %v, want %v", f.Name, name, got, want)
			}
		}
	}
	if e.Writes(&Session{Flow: FlowActivate, State: "no-such-state"}) {
		t.Error("Writes of an unknown state is true, want false (the step is tried first, as any other)")
	}
}
