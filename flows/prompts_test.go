package flows_test

import (
	"context"
	"reflect"
	"testing"
	"time"

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
	// back is the keys that go back from the question, said with it, and backTo the
	// flow.state they lead to. The PIN prompt has none: its way out is 0, a person (R25).
	back, backTo string
}

var (
	silence = flows.Input{Kind: flows.InputSilence}
	payFail = flows.Input{Kind: flows.InputPay, Pay: flows.PayResult{Result: "payment-connector-error"}}
	prompts = []prompt{
		{"identify.account", "anonymous", nil, "identify.newcomer", "9", "identify.newcomer"},
		{"identify.newcomer", "anonymous", keys("9"), "", "9", "identify.account"},
		{"identify.register", "anonymous", keys("9", "1"), "", "9", "identify.newcomer"},
		{"identify.register", unknownMobile, keys("9", "1"), "", "9", "identify.newcomer"},
		{"identify.pin", "", nil, "", "", ""},
		{"menu.main", "", keys("2580"), "", "*", "menu.main"},
		{"activate.choose_vehicle", "", keys("2580", "1"), "", "9", "menu.main"},
		{"activate.enter_vrm", "", keys("2580", "1", "8"), "", "9", "menu.main"},
		{"activate.confirm_vrm", "", keys("2580", "1", "8", keyed), "", "9", "menu.main"},
		{"activate.choose_date", "", keys("2580", "1", "1"), "", "9", "menu.main"},
		{"activate.enter_date", "", keys("2580", "1", "1", "3"), "", "9", "menu.main"},
		{"activate.confirm", "", keys("2580", "1", "1", "2"), "", "9", "menu.main"},
		{"cancel.choose", "", keys("2580", "2"), "", "9", "menu.main"},
		{"cancel.confirm", "", keys("2580", "2", "1"), "", "2", "menu.main"},
		// A lone 9 is a quantity: star twice goes back.
		{"buy.quantity", "", keys("2580", "4"), "", "**", "menu.main"},
		{"buy.quote", "", keys("2580", "4", "1"), "", "2", "menu.main"},
		{"buy.pay_failed", "", append(keys("2580", "4", "1", "1"), payFail), "", "2", "menu.main"},
	}
)

// unknownMobile is a UK mobile on no account: the newcomer menu offers it a text.
const unknownMobile = "+447700900999"

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

// announces is the key each message that says a key for going back announces, where the
// key is not read out as one of the question's choices.
var announces = map[flows.MsgID]string{flows.MsgBackToMenu: "9", flows.MsgBackToMenuStars: "**", flows.MsgAskAccount: "9"}

// TestEveryPromptHasAWayBack: every question of the phone line but the PIN's says a key
// for going back, as one of its choices or in its words, and that key leads back: to the
// main menu from every question of a task (9, or star twice at the quantity, where a lone
// 9 is a quantity; 2 where no leads back), within the newcomer menu to the choices before.
// In a task, 9 is never a choice that does anything else.
func TestEveryPromptHasAWayBack(t *testing.T) {
	for _, pr := range prompts {
		t.Run(pr.at+" "+pr.from, func(t *testing.T) {
			if pr.back == "" {
				if pr.at != "identify.pin" {
					t.Fatalf("%s has no way back", pr.at)
				}
				return
			}
			p := newPromptLine(t)
			s, asked := p.reach(pr)
			said := false
			nine := ""
			for _, o := range asked.Ask.Options {
				said = said || o.Key == pr.back
				if o.Key == "9" {
					nine = string(o.Msg.ID)
				}
			}
			for _, m := range asked.Says {
				said = said || announces[m.ID] == pr.back
			}
			if !said {
				t.Errorf("%s never says %q: %+v, %+v", pr.at, pr.back, asked.Says, asked.Ask.Options)
			}
			if pr.backTo == "menu.main" && nine != "" && nine != string(flows.MsgOptMenu) {
				t.Errorf("%s: 9 is %q, not the way back to the main menu", pr.at, nine)
			}
			if p.step(s, keys(pr.back)[0]); s.Flow+"."+s.State != pr.backTo || s.Data.Retries != 0 {
				t.Errorf("%s at %s: at %s.%s (retries %d), not %s", pr.back, pr.at, s.Flow, s.State, s.Data.Retries, pr.backTo)
			}
		})
	}
}

// outbox lists the texts waiting to be sent.
func (p *promptLine) outbox() []domain.Outgoing {
	p.t.Helper()
	var out []domain.Outgoing
	if err := p.l.Svc.View(context.Background(), func(r domain.Reader) (err error) {
		out, err = r.DueOutgoing(p.l.Clock.Now().Add(time.Hour), p.l.Clock.Now(), 100)
		return err
	}); err != nil {
		p.t.Fatal(err)
	}
	return out
}

// offersText reports whether a question offers to text how to register, and on which key.
func offersText(a *flows.Ask) string {
	for _, o := range a.Options {
		if o.Msg.ID == flows.MsgOptTextRegister {
			return o.Key
		}
	}
	return ""
}

// TestNewcomerIsOfferedHowToRegisterByText: a caller on a UK mobile on no account hears
// how to register with the offer of a text (1); pressing it queues one text to that mobile,
// says it is on its way and goes back to the newcomer menu. Asking again on the call queues
// nothing more, and the offer is not made again. A withheld number, a landline or a foreign
// number is never offered it, and 1 there is no choice.
func TestNewcomerIsOfferedHowToRegisterByText(t *testing.T) {
	p := newPromptLine(t)
	s, rep := p.reach(prompt{at: "identify.register", from: unknownMobile, path: keys("9", "1")})
	if offersText(rep.Ask) != "1" {
		t.Fatalf("no text offered on 1: %+v", rep.Ask.Options)
	}
	rep = p.step(s, keys("1")[0])
	if s.Flow+"."+s.State != "identify.newcomer" || len(rep.Says) == 0 || rep.Says[0].ID != flows.MsgRegisterTexted {
		t.Fatalf("1: at %s.%s, said %+v", s.Flow, s.State, rep.Says)
	}
	texts := p.outbox()
	if len(texts) != 1 || texts[0].Kind != domain.NoticeRegisterHelp || texts[0].To != unknownMobile ||
		texts[0].Key != "register_help:"+s.Data.Key {
		t.Fatalf("outbox %+v", texts)
	}
	// How to register again: no second offer; a 1 pressed all the same queues nothing more.
	if rep = p.step(s, keys("1")[0]); s.State != "register" || offersText(rep.Ask) != "" {
		t.Errorf("offered again: at %s.%s, %+v", s.Flow, s.State, rep.Ask.Options)
	}
	if rep = p.step(s, keys("1")[0]); s.State != "newcomer" || rep.Says[0].ID != flows.MsgRegisterTexted {
		t.Errorf("1 again: at %s.%s, said %+v", s.Flow, s.State, rep.Says)
	}
	if n := len(p.outbox()); n != 1 {
		t.Errorf("%d texts after asking twice, want 1", n)
	}

	for _, from := range []string{"anonymous", "+441632960777", "+33612345678"} {
		p := newPromptLine(t)
		s, rep := p.reach(prompt{at: "identify.register", from: from, path: keys("9", "1")})
		if key := offersText(rep.Ask); key != "" {
			t.Errorf("%s: offered a text on %s", from, key)
		}
		if rep = p.step(s, keys("1")[0]); s.State != "register" || len(rep.Says) == 0 || rep.Says[0].ID != flows.MsgWrongKey {
			t.Errorf("%s: 1 at %s.%s, said %+v", from, s.Flow, s.State, rep.Says)
		}
		if texts := p.outbox(); len(texts) != 0 {
			t.Errorf("%s: texted %+v", from, texts)
		}
	}
}
