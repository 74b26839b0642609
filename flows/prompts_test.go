package flows_test

import (
	"context"
	"reflect"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/flows"
)

// A prompt is one question of the phone line and the answers that reach it from the
// start of a call from the number on Alex's account (or a withheld one).
type prompt struct {
	at   string // flow.state
	from string
	path []flows.Input
	// wrongTo is the flow.state three wrong answers lead to, when not the helpdesk.
	wrongTo string
}

var (
	silence = flows.Input{Kind: flows.InputSilence}
	payFail = flows.Input{Kind: flows.InputPay, Pay: flows.PayResult{Result: "payment-connector-error"}}
	prompts = []prompt{
		{"identify.account", "anonymous", nil, "identify.newcomer"},
		{"identify.newcomer", "anonymous", keys("9"), ""},
		{"identify.register", "anonymous", keys("9", "1"), ""},
		{"identify.pin", "", nil, ""},
		{"menu.main", "", keys("2580"), ""},
		{"activate.choose_vehicle", "", keys("2580", "1"), ""},
		{"activate.enter_vrm", "", keys("2580", "1", "9"), ""},
		{"activate.confirm_vrm", "", keys("2580", "1", "9", keyed), ""},
		{"activate.choose_date", "", keys("2580", "1", "1"), ""},
		{"activate.enter_date", "", keys("2580", "1", "1", "3"), ""},
		{"activate.confirm", "", keys("2580", "1", "1", "2"), ""},
		{"cancel.choose", "", keys("2580", "2"), ""},
		{"cancel.confirm", "", keys("2580", "2", "1"), ""},
		{"buy.quantity", "", keys("2580", "4"), ""},
		{"buy.quote", "", keys("2580", "4", "1"), ""},
		{"buy.pay_failed", "", append(keys("2580", "4", "1", "1"), payFail), ""},
	}
)

// promptLine is a line with the helpdesk open and one visit of Alex's to cancel.
type promptLine struct {
	t *testing.T
	l *servertest.Line
	e *flows.Engine
}

func newPromptLine(t *testing.T) *promptLine {
	l := servertest.New(t, "2026-11-30 10:00")
	activateForTest(t, l, l.People["Alex Morgan"].Account, "KX65ABC", 2)
	return &promptLine{t: t, l: l, e: flows.NewVoiceEngine()}
}

func (p *promptLine) step(s *flows.Session, in flows.Input) flows.Reply {
	p.t.Helper()
	var rep flows.Reply
	err := p.l.Svc.Update(context.Background(), func(op *domain.Op) (err error) {
		rep, err = p.e.Step(&flows.Ctx{Context: context.Background(), Op: op, Svc: p.l.Svc}, s, in)
		return err
	})
	if err != nil {
		p.t.Fatalf("%s.%s answered %+v: %v", s.Flow, s.State, in, err)
	}
	return rep
}

// reach starts a call and answers along the prompt's path, which must end at its question.
func (p *promptLine) reach(pr prompt) (*flows.Session, flows.Reply) {
	p.t.Helper()
	from := pr.from
	if from == "" {
		from = p.l.People["Alex Morgan"].Phone
	}
	s := p.e.New(flows.Data{Channel: domain.ChannelVoice, Key: "CA-" + pr.at, From: from})
	rep := p.step(s, flows.Input{})
	for _, in := range pr.path {
		rep = p.step(s, in)
	}
	if s.Flow+"."+s.State != pr.at || rep.Ask == nil {
		p.t.Fatalf("the path to %s reached %s.%s, asking %v", pr.at, s.Flow, s.State, rep.Ask)
	}
	return s, rep
}

// TestNoPromptEndsACall: at every question of the phone line, three wrong answers or
// three silences never hang up and lead to the helpdesk flow; 0 alone reaches it at once,
// never as a PIN try; * alone asks the same question again.
func TestNoPromptEndsACall(t *testing.T) {
	for _, pr := range prompts {
		t.Run(pr.at, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				in   flows.Input
			}{{"wrong keys", keys("99")[0]}, {"silence", silence}} {
				p := newPromptLine(t)
				s, _ := p.reach(pr)
				for i := range 3 {
					if rep := p.step(s, tc.in); rep.End == flows.EndHangup {
						t.Fatalf("%s %d: the call is hung up at %s.%s", tc.name, i+1, s.Flow, s.State)
					}
				}
				switch at := s.Flow + "." + s.State; {
				case tc.in.Kind == flows.InputKeys && pr.wrongTo != "":
					if at != pr.wrongTo {
						t.Errorf("after three %s: at %s, not %s", tc.name, at, pr.wrongTo)
					}
				case s.Flow != flows.FlowHelpdesk:
					t.Errorf("after three %s: at %s, not the helpdesk", tc.name, at)
				}
			}

			p := newPromptLine(t)
			s, asked := p.reach(pr)
			rep := p.step(s, keys("*")[0])
			if s.Flow+"."+s.State != pr.at || !reflect.DeepEqual(rep.Ask, asked.Ask) ||
				len(rep.Says) > len(asked.Says) || s.Data.Retries != 0 ||
				(len(rep.Says) > 0 && !reflect.DeepEqual(rep.Says, asked.Says[len(asked.Says)-len(rep.Says):])) {
				t.Errorf("* at %s: at %s.%s, retries %d, said %v after %v", pr.at, s.Flow, s.State, s.Data.Retries, rep.Says, asked.Says)
			}

			p = newPromptLine(t)
			s, _ = p.reach(pr)
			if rep := p.step(s, keys("0")[0]); rep.End != flows.EndTransfer || s.Flow != flows.FlowHelpdesk {
				t.Errorf("0 at %s: ends %q at %s.%s, not put through", pr.at, rep.End, s.Flow, s.State)
			}
			if pr.at == "identify.pin" { // the 0 used no PIN try: three wrong PINs are still left
				s, _ = p.reach(prompt{at: pr.at})
				rep := p.step(s, keys("1111")[0])
				if len(rep.Says) == 0 || rep.Says[0].ID != flows.MsgWrongPIN || rep.Says[0].N != 2 {
					t.Errorf("a wrong PIN after 0: %+v", rep.Says)
				}
			}
		})
	}
}

// TestNewcomerMenu: a lone 9 at the account prompt reaches the newcomer menu, whose 1 tells
// how to register, 2 the helpdesk hours, and 9 leads back to the account prompt.
func TestNewcomerMenu(t *testing.T) {
	p := newPromptLine(t)
	s, rep := p.reach(prompt{at: "identify.newcomer", from: "anonymous", path: keys("9")})
	if len(rep.Ask.Options) == 0 || rep.Ask.Options[0].Msg.ID != flows.MsgOptRegister {
		t.Errorf("the newcomer menu offers %+v", rep.Ask.Options)
	}
	rep = p.step(s, keys("1")[0])
	if s.State != "register" || len(rep.Says) == 0 || rep.Says[len(rep.Says)-1].ID != flows.MsgRegisterHow {
		t.Errorf("1: at %s.%s, said %+v", s.Flow, s.State, rep.Says)
	}
	p.step(s, keys("9")[0])
	rep = p.step(s, keys("2")[0])
	if s.State != "newcomer" || len(rep.Says) == 0 || rep.Says[0].ID != flows.MsgHours {
		t.Errorf("2: at %s.%s, said %+v", s.Flow, s.State, rep.Says)
	}
	if p.step(s, keys("9")[0]); s.Flow+"."+s.State != "identify.account" {
		t.Errorf("9: at %s.%s, not the account prompt", s.Flow, s.State)
	}
}

// TestNineGoesBackToTheMenu: a lone 9 at the date questions leads back to the main menu.
func TestNineGoesBackToTheMenu(t *testing.T) {
	for _, at := range []string{"activate.choose_date", "activate.enter_date"} {
		for _, pr := range prompts {
			if pr.at != at {
				continue
			}
			p := newPromptLine(t)
			s, _ := p.reach(pr)
			if p.step(s, keys("9")[0]); s.Flow+"."+s.State != "menu.main" {
				t.Errorf("9 at %s: at %s.%s, not the main menu", at, s.Flow, s.State)
			}
		}
	}
}
