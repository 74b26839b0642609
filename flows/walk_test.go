package flows_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/phone"
	"permitline/fixtures"
	"permitline/flows"
)

// A walk steps an engine's conversations through the real store, from each of its starts,
// with every input of its alphabet in every state it reaches, and records what each
// state's Decide returned.
type walk struct {
	t      *testing.T
	l      *servertest.Line
	engine *flows.Engine
	inputs []flows.Input
	// returned holds the events each state's Decide returned, by flow and state.
	returned map[string]map[flows.StateName]map[flows.EventName]bool
	// decided holds the states whose Decide ran; choices those that asked for a key.
	decided, choices map[string]bool
}

func newWalk(t *testing.T, l *servertest.Line, e *flows.Engine, inputs []flows.Input) *walk {
	w := &walk{t: t, l: l, engine: e, inputs: inputs, returned: map[string]map[flows.StateName]map[flows.EventName]bool{},
		decided: map[string]bool{}, choices: map[string]bool{}}
	for _, f := range e.Flows() {
		w.returned[f.Name] = map[flows.StateName]map[flows.EventName]bool{}
		for name, st := range f.States {
			decide, flow, name := st.Decide, f.Name, name
			st.Decide = func(c *flows.Ctx, in flows.Input) flows.Outcome {
				out := decide(c, in)
				w.decided[flow+"."+string(name)] = true
				if out.Next.Kind == flows.NextEvent {
					if w.returned[flow][name] == nil {
						w.returned[flow][name] = map[flows.EventName]bool{}
					}
					w.returned[flow][name][out.Next.Event] = true
				}
				return out
			}
			f.States[name] = st
		}
	}
	return w
}

// step answers in on a copy of s, in one write transaction, and returns the copy and the reply.
func (w *walk) step(s *flows.Session, in flows.Input) (*flows.Session, flows.Reply) {
	w.t.Helper()
	next := s.Clone()
	var rep flows.Reply
	err := w.l.Svc.Update(context.Background(), func(op *domain.Op) (err error) {
		rep, err = w.engine.Step(&flows.Ctx{Context: context.Background(), Op: op, Svc: w.l.Svc}, next, in)
		return err
	})
	if err != nil {
		w.t.Errorf("%s.%s answered %+v: %v", s.Flow, s.State, in, err)
		return next, flows.Reply{End: flows.EndHangup}
	}
	if rep.Ask != nil && rep.Ask.Kind == flows.AskChoice {
		w.choices[next.Flow+"."+next.State] = true
	}
	return next, rep
}

// from walks every state reached from a conversation started with d, first is tried
// before the walk's inputs: each state, with what the conversation holds, is tried with
// every input once, from the first conversation that reached it.
func (w *walk) from(d flows.Data, first ...flows.Input) {
	w.fromSession(w.engine.New(d), first...)
}

// handedBack walks from a call with d that an agent hands back to the flow named to.
func (w *walk) handedBack(d flows.Data, to string, first ...flows.Input) {
	s := w.engine.New(d)
	w.engine.HandBack(s, to)
	w.fromSession(s, first...)
}

// fromSession walks every state reached from the session s (see from).
func (w *walk) fromSession(start *flows.Session, first ...flows.Input) {
	tried := map[string]bool{}
	inputs := append(first, w.inputs...)
	s, rep := w.step(start, flows.Input{})
	queue := []*flows.Session{}
	if rep.End == flows.EndNone {
		queue = append(queue, s)
	}
	for len(queue) > 0 {
		s, queue = queue[0], queue[1:]
		at := fmt.Sprintf("%s.%s %d %t", s.Flow, s.State, s.Data.Quantity, s.Data.VRM == "")
		if tried[at] {
			continue
		}
		tried[at] = true
		for _, in := range inputs {
			if next, rep := w.step(s, in); rep.End == flows.EndNone {
				queue = append(queue, next)
			}
		}
	}
}

// check fails for an event a Decide returned that its state has no edge for, a state
// whose Decide never ran, a choice with no way to an agent, and an edge nothing took.
func (w *walk) check(agent bool) {
	w.t.Helper()
	for _, f := range w.engine.Flows() {
		edges := map[flows.StateName]map[flows.EventName]bool{}
		for _, e := range f.Graph {
			for _, src := range e.From {
				if edges[src] == nil {
					edges[src] = map[flows.EventName]bool{}
				}
				edges[src][e.Event] = true
			}
		}
		for state, evs := range w.returned[f.Name] {
			for ev := range evs {
				if !edges[state][ev] {
					w.t.Errorf("%s.%s: Decide returned %q, which the graph has no edge for from %s", f.Name, state, ev, state)
				}
			}
		}
		for name := range f.States {
			at := f.Name + "." + string(name)
			if !w.decided[at] {
				w.t.Errorf("%s: the walk never decided in it", at)
			}
			if agent && w.choices[at] && !edges[name][flows.ToHelpdesk] {
				w.t.Errorf("%s asks for a key but has no edge %s for the 0 that reaches an agent", at, flows.ToHelpdesk)
			}
		}
		var unused []string
		for _, e := range f.Graph {
			for _, src := range e.From {
				taken := w.returned[f.Name][src][e.Event] || (agent && e.Event == flows.ToHelpdesk && w.choices[f.Name+"."+string(src)])
				if !taken {
					unused = append(unused, fmt.Sprintf("%s --%s-->", src, e.Event))
				}
			}
		}
		sort.Strings(unused)
		if len(unused) > 0 {
			w.t.Errorf("%s: no step took %v", f.Name, unused)
		}
	}
}

// keyed is a registration keyed two keys a character (entry.DecodeKeypad).
const keyed = "21221020233133#" // AB12CDF

func keys(ks ...string) []flows.Input {
	var out []flows.Input
	for _, k := range ks {
		out = append(out, flows.Input{Kind: flows.InputKeys, Keys: k})
	}
	return out
}

// TestEveryEventADecideReturnsIsInTheGraph walks the phone line, open and closed, and the
// texts over the real store, and checks each event a state's Decide returned against the
// edges of its flow's graph (the exits to other flows included), that every state decided
// and that every edge was taken: a Decide that jumps where its graph does not say fails.
func TestEveryEventADecideReturnsIsInTheGraph(t *testing.T) {
	t.Run("phone line", func(t *testing.T) {
		for _, now := range []string{"2026-11-30 10:00", "2026-11-29 08:00"} { // helpdesk open; closed
			l := servertest.New(t, now)
			alex, jordan, priya := l.People["Alex Morgan"], l.People["Jordan Morgan"], l.People["Priya Shah"]
			inputs := append(keys("1", "2", "3", "4", "5", "8", "9", "0", "*", "**", "#", "0000", alex.Account, "12345678",
				keyed, "0212", "0312", "3112"),
				flows.Input{Kind: flows.InputSpeech, Speech: "AB12 CDG"}, flows.Input{Kind: flows.InputSilence},
				flows.Input{Kind: flows.InputPay, Pay: flows.PayResult{Result: "success", ConfirmationCode: "PAY" + now[11:13]}},
				flows.Input{Kind: flows.InputPay, Pay: flows.PayResult{Result: "payment-connector-error"}})
			w := newWalk(t, l, flows.NewVoiceEngine(), inputs)
			activateForTest(t, l, alex.Account, "KX65ABC", 1)
			activateForTest(t, l, alex.Account, "AB12CDE", 2) // keyed 0212 for it: a visit it already has (R18)
			// A number on one account without a PIN.
			if _, err := l.Svc.AddMember(l.Ctx, domain.Admin("test"), alex.Account, domain.NewMember{
				Name: "Viewer", Phone: "07700 900790", Permissions: domain.Permissions{domain.PermView}}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []fixtures.DemoPerson{alex, jordan, priya, l.People["Sam Taylor"], l.People["Chris Lee"],
				{Phone: "07700 900790"}, {Phone: "+447700900999"}, {Phone: "anonymous"}} {
				// The person's own PIN first, before wrong ones lock the account.
				w.from(flows.Data{Channel: domain.ChannelVoice, Key: "CA" + p.Phone, From: p.Phone}, keys(p.PIN)...)
			}
			// An agent resets Alex's PIN on a call and hands it back: a new PIN is chosen.
			// Handed back without a reset, the call goes on to the menu, or identification.
			agent := l.AddAgent("agent", "Agent", "07700 900501", "correct horse battery")
			resetPINOnCall(t, l, agent, alex, "CAreset")
			w.handedBack(flows.Data{Channel: domain.ChannelVoice, Key: "CAreset", From: alex.Phone}, flows.FlowNewPIN, keys("4826")...)
			alexCaller := &domain.Caller{Kind: domain.ActorResident, Account: alex.Account}
			w.handedBack(flows.Data{Channel: domain.ChannelVoice, Key: "CAnoreset", From: alex.Phone, Caller: alexCaller},
				flows.FlowNewPIN)
			w.handedBack(flows.Data{Channel: domain.ChannelVoice, Key: "CAnoone", From: "anonymous"}, flows.FlowNewPIN)
			if now == "2026-11-29 08:00" {
				w.check(true)
			}
		}
	})
	t.Run("texts", func(t *testing.T) {
		l := servertest.New(t, "2026-11-30 10:00")
		alex := l.People["Alex Morgan"]
		var caller domain.Caller
		e164, err := phone.Parse(alex.Phone)
		if err != nil {
			t.Fatal(err)
		}
		_ = l.Svc.View(context.Background(), func(r domain.Reader) error {
			cs, err := domain.CallersByPhone(r, e164)
			if err == nil && len(cs) > 0 {
				caller = cs[0]
			}
			return err
		})
		ref := activateForTest(t, l, alex.Account, "KX65ABC", 1)
		inputs := []flows.Input{{Kind: flows.InputText, Text: "AB12 CDG"}, {Kind: flows.InputText, Text: "tomorrow"},
			{Kind: flows.InputText, Text: "sat"}, {Kind: flows.InputText, Text: "zzz"}, {Kind: flows.InputYes}, {Kind: flows.InputNo}}
		w := newWalk(t, l, flows.NewTextEngine(), inputs)
		sat := calendar.Date{Year: 2026, Month: 12, Day: 5}
		for _, d := range []flows.Data{
			{Command: flows.CommandActivate, VRM: "AB12CDE"}, {Command: flows.CommandActivate, VRM: "AB12CDF"},
			{Command: flows.CommandActivate}, {Command: flows.CommandActivate, VRM: "AB12CDE", Date: sat.String()},
			{Command: flows.CommandActivate, VRM: "AI12CDE"}, {Command: flows.CommandActivate, VRM: "AB12CDE", DateText: "someday"},
			{Command: flows.CommandCancel}, {Command: flows.CommandCancel, Ref: "ZZZZZZ"}, {Command: flows.CommandCancel, Ref: ref},
			{Command: flows.CommandBalance}, {Command: flows.CommandVisits}, {Command: flows.CommandHours},
			{Command: flows.CommandHelp},
		} {
			d.Channel, d.Key, d.From, d.Caller, d.Verified = domain.ChannelSMS, e164+"|line", e164, &caller, true
			w.from(d)
		}
		w.check(false)
	})
}

// resetPINOnCall queues the call callSid from p, has agent take it and reset p's PIN.
func resetPINOnCall(t *testing.T, l *servertest.Line, agent domain.Agent, p fixtures.DemoPerson, callSid string) {
	t.Helper()
	e164, err := phone.Parse(p.Phone)
	if err != nil {
		t.Fatal(err)
	}
	var tr domain.Transfer
	err = l.Svc.Update(l.Ctx, func(o *domain.Op) error {
		cs, err := o.CallersByPhone(e164)
		if err != nil || len(cs) == 0 {
			return fmt.Errorf("the callers of %s: %v %w", p.Phone, cs, err)
		}
		tr, err = o.QueueTransfer(domain.TransferIn{CallSid: callSid, From: e164, Caller: &cs[0], Reason: "PIN locked",
			Context: []byte("{}")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Svc.ClaimTransfer(l.Ctx, agent, tr.ID); err != nil {
		t.Fatal(err)
	}
	if err := l.Svc.HelpWithPIN(l.Ctx, agent, tr.ID, domain.PINReset, domain.IdentityAnswers{Address: true, Visit: true}); err != nil {
		t.Fatal(err)
	}
}

// activateForTest books a visit for mark on the day of December 2026 and returns its reference.
func activateForTest(t *testing.T, l *servertest.Line, account, mark string, day int) string {
	t.Helper()
	a, err := l.Svc.ActivateVisit(context.Background(), domain.Admin("test"), account, domain.VisitRequest{VRM: mark,
		Date: calendar.Date{Year: 2026, Month: 12, Day: day}})
	if err != nil {
		t.Fatal(err)
	}
	return a.Visit.Ref
}

// TestHandBack: a caller an agent hands back carries on verified at the start of the flow
// the agent chose, if the line identified them; otherwise at identification, unverified.
func TestHandBack(t *testing.T) {
	e := flows.NewVoiceEngine()
	for _, tc := range []struct {
		caller   *domain.Caller
		to       string
		flow     string
		state    flows.StateName
		verified bool
	}{
		{&domain.Caller{Account: "31000123"}, flows.FlowMenu, flows.FlowMenu, flows.MenuMain, true},
		{&domain.Caller{Account: "31000123"}, flows.FlowBuy, flows.FlowBuy, flows.BuyStart, true},
		{nil, flows.FlowMenu, flows.FlowIdentify, flows.IdentifyStart, false},
		{nil, flows.FlowBuy, flows.FlowIdentify, flows.IdentifyStart, false},
	} {
		s := &flows.Session{Flow: flows.FlowHelpdesk, State: string(flows.HelpdeskStart), Data: flows.Data{Caller: tc.caller, Retries: 2}}
		e.HandBack(s, tc.to)
		if s.Flow != tc.flow || s.State != string(tc.state) || s.Data.Verified != tc.verified || s.Data.Retries != 0 {
			t.Errorf("handed back to %s (caller %v): %s.%s verified %v retries %d", tc.to, tc.caller != nil,
				s.Flow, s.State, s.Data.Verified, s.Data.Retries)
		}
	}
}
