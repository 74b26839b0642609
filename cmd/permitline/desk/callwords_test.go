package desk

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/flows"
)

// TestEveryStateHasWords holds the desk's table of words to every flow and state of both
// engines: a new state without words fails, and so does a word for a state that is gone.
func TestEveryStateHasWords(t *testing.T) {
	seen := map[string]map[flows.StateName]bool{}
	for _, e := range []*flows.Engine{flows.NewVoiceEngine(), flows.NewTextEngine()} {
		for _, f := range e.Flows() {
			if _, ok := flowWords[f.Name]; !ok {
				t.Errorf("flow %s has no words in flowWords", f.Name)
			}
			if seen[f.Name] == nil {
				seen[f.Name] = map[flows.StateName]bool{}
			}
			for s := range f.States {
				seen[f.Name][s] = true
				if _, ok := stateWords[f.Name][s]; !ok {
					t.Errorf("state %s.%s has no words in stateWords", f.Name, s)
				}
			}
		}
	}
	for flow, states := range stateWords {
		for s := range states {
			if !seen[flow][s] {
				t.Errorf("stateWords has words for %s.%s, which no engine has", flow, s)
			}
		}
	}
	for flow := range flowWords {
		if seen[flow] == nil {
			t.Errorf("flowWords has words for flow %s, which no engine has", flow)
		}
	}
}

// TestEveryNoteHasWords reads the flows' source for every note and failure an outcome
// can record (flows.Outcome's Note and Failure, as a literal, a constant, or a literal
// followed by a value) and every retry the engine records as "<message> at <state>", and
// holds each to a word of the desk's own: none is shown as the flows wrote it.
func TestEveryNoteHasWords(t *testing.T) {
	files, err := filepath.Glob("../../../flows/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("the flows' source: %v", err)
	}
	fset := token.NewFileSet()
	consts := map[string]string{}
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				for i, id := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[id.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
			return true
		})
	}
	// sample turns a recorded expression into an example of what it records: a literal
	// as itself, a literal followed by a value with a value after it.
	var sample func(e ast.Expr) (string, bool)
	sample = func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(x.Value)
			return s, err == nil
		case *ast.Ident:
			s, ok := consts[x.Name]
			return s, ok
		case *ast.BinaryExpr:
			left, ok := sample(x.X)
			if !ok {
				return "", false
			}
			right, ok := sample(x.Y)
			if !ok {
				right = "AB12CDE"
			}
			return left + right, true
		}
		return "", false
	}
	var notes, retries []string
	for _, f := range parsed {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.KeyValueExpr:
				key, ok := x.Key.(*ast.Ident)
				if !ok || (key.Name != "Note" && key.Name != "Failure") {
					return true
				}
				if s, ok := sample(x.Value); ok {
					notes = append(notes, s)
				}
			case *ast.CallExpr:
				if fn, ok := x.Fun.(*ast.Ident); ok && fn.Name == "Retry" && len(x.Args) == 1 {
					if lit, ok := x.Args[0].(*ast.CompositeLit); ok {
						for _, el := range lit.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "ID" {
								if id, ok := kv.Value.(*ast.Ident); ok {
									retries = append(retries, consts[id.Name]+" at "+string(flows.IdentifyPIN))
								}
							}
						}
					}
				}
			}
			return true
		})
	}
	if len(notes) < 40 || len(retries) < 5 {
		t.Fatalf("only %d notes and %d retries found in the flows' source", len(notes), len(retries))
	}
	// What the flows record with a value only known at run time: a refusal's own message
	// (flows' authorised and refused), the engine's silence and stuck.
	notes = append(notes, "R5: this member may not buy on the account", "date 2026-12-05: R14: no permit is needed",
		"activating: R18: AB12CDE already has a visit", "buying: R7: 3 permits asked for", "cancelling V1234: R17: too late",
		"texted visit: R12: out of range", "no_input at pin", "stuck at identify.pin: no_input at pin",
		"stuck at activate.enter_date: date keyed 3113")
	for _, n := range append(notes, retries...) {
		w, ok := noteWordsOK(n)
		if !ok {
			t.Errorf("the flows record %q, which the desk has no words for", n)
			continue
		}
		for _, code := range []string{"_", "R1", "R5", "R7", "R12", "R14", "R17", "R18"} {
			if strings.Contains(w, code+":") || (code == "_" && strings.Contains(w, "_")) {
				t.Errorf("%q is said %q, with a code in it", n, w)
			}
		}
	}
}

// TestCallWords are the sentences the agent reads for the calls the brief of the desk
// names.
func TestCallWords(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{doingWords(flows.FlowActivate, callContext{VRM: "AB12CDE", Date: "2026-12-05"}),
			"was booking a visit for AB12 CDE on Saturday 5 December"},
		{whereWords(flows.FlowActivate, string(flows.ActivateChooseVehicle)), "choosing the visitor's vehicle"},
		{stuckWords(callContext{LastFailure: "no_input at pin", History: []callEvent{{Note: "wrong PIN"}, {Note: "wrong PIN"},
			{Input: "no input"}}}), "could not key a PIN the line accepted: 2 wrong tries (last said or keyed nothing)"},
		{stuckWords(callContext{LastFailure: failLocked}), "was locked out of the phone PIN after 3 wrong tries"},
		{inputWords("keys (hidden)"), "keyed the PIN (not shown)"},
		{inputWords("keys 1"), "pressed 1"},
		{reasonWords("asked for an agent after: wrong_key at main"),
			"The caller asked for a person."},
		{reasonWords("stuck at identify.pin: no_input at pin"),
			"The line put the caller through after several failed tries: they got stuck keying their phone PIN: said or keyed nothing."},
		{noteWords("date 2026-12-05: R14: no permit is needed on 2026-12-05"),
			"was refused a visit on Saturday 5 December: no permit is needed on 2026-12-05"},
	} {
		if c.got != c.want {
			t.Errorf("got  %q\nwant %q", c.got, c.want)
		}
	}
}

// TestStandingWords warns the agent of a lockout, a missing PIN, an expired registration
// and a refund due, and tells the tries left.
func TestStandingWords(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, calendar.London)
	resident := domain.Transfer{ResidentID: 1, Caller: domain.Actor{Kind: domain.ActorResident, ID: 1}}
	for _, c := range []struct {
		st       domain.Standing
		t        domain.Transfer
		pin      string
		warnings []string
	}{
		{domain.Standing{HasPIN: true, TriesLeft: 3, Registered: true}, resident, "3 tries left before the lockout", nil},
		{domain.Standing{HasPIN: true, TriesLeft: 1, Registered: true}, resident, "1 try left before the lockout",
			[]string{"One try from lockout: one more wrong PIN locks the phone PIN for 30 minutes."}},
		{domain.Standing{HasPIN: true, LockedUntil: now.Add(20 * time.Minute), Registered: true}, resident,
			"locked until today at 10:20", []string{"Locked out: the phone PIN is locked until today at 10:20 after 3 wrong tries."}},
		{domain.Standing{Registered: true}, resident, "no phone PIN is set",
			[]string{"The caller has no phone PIN: check who they are before you act."}},
		{domain.Standing{HasPIN: true, TriesLeft: 3, ExpiredAt: time.Date(2026, 11, 1, 0, 0, 0, 0, calendar.London), RefundsDue: 2},
			resident, "3 tries left before the lockout", []string{
				"Registration expired on 1 November 2026: the resident can use visits but cannot buy permits until it is renewed.",
				"2 refunds are due to this account: a payment was taken but its permits could not be issued (see the refunds page)."}},
		{domain.Standing{}, domain.Transfer{}, "", nil}, // not identified: nothing to tell
	} {
		pin, warnings := standingWords(c.st, c.t, now)
		if pin != c.pin || strings.Join(warnings, "|") != strings.Join(c.warnings, "|") {
			t.Errorf("%+v:\n got  %q %q\n want %q %q", c.st, pin, warnings, c.pin, c.warnings)
		}
	}
}

// TestEveryAuditActionHasWords reads every action the domain writes to an account's
// audit (the third argument of each o.audit call) and holds actionWords to them: a new
// action without words fails, and so does a word for an action no longer written.
func TestEveryAuditActionHasWords(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "domain", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the domain's files: %v %v", files, err)
	}
	written := map[string]bool{
		// Written as a prefix and the outcome.
		"call." + string(domain.TransferReturned): true, "call." + string(domain.TransferDone): true,
		"callback." + string(domain.CallbackDone): true, "callback." + string(domain.CallbackCancelled): true,
	}
	prefixes := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 3 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "audit" {
				return true
			}
			switch a := call.Args[2].(type) {
			case *ast.BasicLit:
				s, err := strconv.Unquote(a.Value)
				if err != nil {
					t.Fatal(err)
				}
				written[s] = true
			case *ast.BinaryExpr: // "call."+string(outcome): the outcomes are listed above
				prefixes++
			default:
				t.Errorf("%s: an audit action that is neither a string nor a prefix and an outcome", f)
			}
			return true
		})
	}
	if len(written) < 20 || prefixes != 2 {
		t.Fatalf("read %d actions and %d prefixes from the domain: the test no longer reads it right", len(written), prefixes)
	}
	for a := range written {
		if _, ok := actionWords[a]; !ok {
			t.Errorf("audit action %q has no words in actionWords", a)
		}
	}
	for a := range actionWords {
		if !written[a] {
			t.Errorf("actionWords has words for %q, which the domain no longer writes", a)
		}
	}
	for _, s := range []domain.CallbackStatus{domain.CallbackPending, domain.CallbackCalling, domain.CallbackConnected,
		domain.CallbackDone, domain.CallbackFailed, domain.CallbackCancelled} {
		if _, ok := callbackStatusWords[s]; !ok {
			t.Errorf("callback status %s has no words", s)
		}
	}
}
