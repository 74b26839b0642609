package load

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/flows/entry"
	"permitline/ivr/speak"
	"permitline/ivr/twiliosim"
)

// The line's numbers, as Twilio would send them in To.
const (
	voiceLine = "+443455207007"
	smsLine   = "+447700900000"
	testCard  = "4242424242424242"
)

// ExpectedVisit is a visit a conversation heard or was texted the reference of.
type ExpectedVisit struct {
	Ref        string `json:"ref"`
	ResidentID int64  `json:"resident_id"`
	VRM        string `json:"vrm"`
	Date       string `json:"date"`
	Cancelled  bool   `json:"cancelled"` // the conversation cancelled it, and heard so
	Kind       Kind   `json:"kind"`
}

// ExpectedPayment is a <Pay> the load heard succeed ("Your payment ... was taken").
type ExpectedPayment struct {
	Code       string `json:"code"` // the PaymentConfirmationCode sent with the <Pay> result
	ResidentID int64  `json:"resident_id"`
	Quantity   int    `json:"quantity"`
}

// conv is one conversation: who, what, and what came of it.
type conv struct {
	i    int
	kind Kind
	res  *resident
	rng  *rand.Rand
	tr   *trace
	vrm  string

	think   time.Duration // the person's pause before each request after the first
	pace    *rand.Rand    // the pauses' own random stream
	spoke   bool          // the first request has been made
	thought time.Duration // the pauses so far

	visits   []ExpectedVisit
	payments []ExpectedPayment

	apologies int // the apologies it heard (see apologies)
}

// apologies are what a caller or texter hears when a webhook could not be answered: the
// line's own fallback on a call (ivr's) and on a text (sms's), and Twilio's words after a
// webhook failed outright. A caller may hear one when a node dies under its step; hearing
// two means the line failed the same conversation again.
var apologies = []string{
	"Sorry, something has gone wrong on our side",
	"Sorry, something went wrong on our side",
	"We are sorry, an application error has occurred.",
}

// hear counts the apologies among what the conversation was just told.
func (c *conv) hear(said ...string) {
	for _, s := range said {
		for _, a := range apologies {
			c.apologies += strings.Count(s, a)
		}
	}
}

// refusedError ends a conversation on a refusal the line explained: not an error.
type refusedError struct{ rule string }

func (e *refusedError) Error() string { return "refused: " + e.rule }

// convError is an unexpected answer or a failed request: class groups alike errors,
// example is one instance in full.
type convError struct{ class, example string }

func (e *convError) Error() string { return e.class + ": " + e.example }

var (
	digitRuns = regexp.MustCompile(`[0-9]+`)
	sids      = regexp.MustCompile(`\b(CA|SM|QU)[0-9a-f]{32}\b`)
)

// failed wraps a request's error under its step, with the variable parts of the message
// (ports, SIDs, step numbers) blanked in the class so alike failures count together.
func failed(step string, err error) error {
	msg := err.Error()
	class := sids.ReplaceAllString(msg, "${1}…")
	class = digitRuns.ReplaceAllString(class, "N")
	if len(class) > 200 {
		class = class[:200] + "…"
	}
	return &convError{class: step + ": " + class, example: msg}
}

// refusals are the explanations of a rule's refusal, as the line words them: the
// conversation ends there, counted as refused, not failed.
var refusals = []struct{ phrase, rule string }{
	{"already has a visit on", "R18"}, // voice
	{"already has visit", "R18"},      // text
	{"You have no visits left", "R15"},
	{"run out before", "R8"},
	{"You've bought all 20 permits", "R7"},
	{"You can buy only", "R7"},
	{"so permits can't be bought", "R3"},
	{"No permit is needed", "R14"},
	{"no permit is needed now", "R14"},
	{"permit hours are over", "R14"},
	{"That visit has already started", "R17"},
	{"can no longer be cancelled", "R17"},
	{"can't be cancelled now:", "R17"},
	{"The helpdesk is closed now", "helpdesk closed"},
}

// unexpected returns a refusedError if heard explains a refusal, else a convError.
func unexpected(step, want, heard string) error {
	for _, r := range refusals {
		if strings.Contains(heard, r.phrase) {
			return &refusedError{rule: r.rule}
		}
	}
	if len(heard) > 400 {
		heard = heard[:400] + "…"
	}
	if heard == "" {
		heard = "(nothing)"
	}
	return &convError{class: fmt.Sprintf("%s: expected %q", step, want), example: heard}
}

// paceStream sets the pauses' random stream apart from the conversation's choices, so a
// think time changes no day, quantity or mix a seed gives.
const paceStream = 0x7468696e6b // "think"

// paceOf is conversation i's random stream for its pauses, from the run's seed.
func paceOf(seed uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed^paceStream, uint64(i)))
}

// thinkTime draws the person's next pause: the think time, give or take half.
func (c *conv) thinkTime() time.Duration {
	return time.Duration(float64(c.think) * (0.5 + c.pace.Float64()))
}

// pause waits as the person does before each thing they do after their first, as a
// caller listens to a prompt and keys an answer; before the first it only notes that it
// came.
func (c *conv) pause(ctx context.Context) error {
	if !c.spoke || c.think <= 0 {
		c.spoke = true
		return nil
	}
	d := c.thinkTime()
	c.thought += d
	return sleep(ctx, d)
}

// runner holds what every conversation shares.
type runner struct {
	sim      twiliosim.Config // the server and the client; From and To are set per conversation
	now      time.Time        // the line's clock at started
	started  time.Time
	today    calendar.Date
	holidays *calendar.BankHolidays
	vrmBase  int
}

// converse runs one whole conversation.
func (r *runner) converse(ctx context.Context, c *conv) error {
	c.vrm = vrmFor(r.vrmBase + c.i)
	switch c.kind {
	case SMSActivate:
		_, err := r.smsActivate(ctx, c, false)
		return err
	case SMSCancel:
		return r.smsCancel(ctx, c)
	default:
		return r.call(ctx, c)
	}
}

// needed reports whether a visit on d needs a permit in the resident's scheme, with time
// to spare when d is today.
func (r *runner) needed(c *conv, d calendar.Date) bool {
	_, end, why := c.res.hours.Window(d, r.holidays)
	return why == calendar.PermitNeeded && (d != r.today || r.lineNow().Add(30*time.Minute).Before(end))
}

// lineNow is the line's clock now: it read r.now at r.started and runs on.
func (r *runner) lineNow() time.Time { return r.now.Add(time.Since(r.started)) }

// pickDate chooses the visit's day: today (unless later must be cancellable), tomorrow,
// or another day up to 14 days ahead, among days that need a permit.
func (r *runner) pickDate(c *conv, cancellable bool) (calendar.Date, error) {
	roll := c.rng.Float64()
	today, tomorrow := r.today, r.today.AddDays(1)
	switch {
	case roll < 0.2 && !cancellable && r.needed(c, today):
		return today, nil
	case roll < 0.4 && r.needed(c, tomorrow):
		return tomorrow, nil
	}
	var days []calendar.Date
	for n := 2; n <= domain.MaxDaysAhead; n++ {
		if d := today.AddDays(n); r.needed(c, d) {
			days = append(days, d)
		}
	}
	if len(days) == 0 {
		if r.needed(c, tomorrow) {
			return tomorrow, nil
		}
		return calendar.Date{}, &convError{class: "no day in the next 14 needs a permit in the resident's scheme",
			example: c.res.account}
	}
	return days[c.rng.IntN(len(days))], nil
}

// voice is a call in progress.
type voice struct {
	ctx  context.Context
	c    *conv
	call *twiliosim.Call
	turn twiliosim.Turn
}

func (v *voice) heard() string { return strings.Join(v.turn.Said, " ") }

// press keys the answer to the Gather, as step.
func (v *voice) press(step, keys string) error {
	v.c.tr.step = step
	if err := v.c.pause(v.ctx); err != nil {
		return failed(step, err)
	}
	t, err := v.call.Press(v.ctx, keys)
	v.turn = t
	v.c.hear(t.Said...)
	if err != nil {
		return failed(step, err)
	}
	return nil
}

// expect checks that everything said since the last answer contains each phrase.
func (v *voice) expect(step string, phrases ...string) error {
	h := v.heard()
	for _, p := range phrases {
		if !strings.Contains(h, p) {
			return unexpected(step, p, h)
		}
	}
	return nil
}

const menuPrompt = "To activate a visit, press 1."

// call is a whole phone call: the incoming call, the PIN, the task, the hang-up.
func (r *runner) call(ctx context.Context, c *conv) error {
	cfg := r.sim
	cfg.From, cfg.To = c.res.phone, voiceLine
	c.tr.step = "voice.incoming"
	if err := c.pause(ctx); err != nil {
		return failed("voice.incoming", err)
	}
	call, err := twiliosim.Dial(ctx, cfg)
	if err != nil {
		return failed("voice.incoming", err)
	}
	v := &voice{ctx: ctx, c: c, call: call}
	err = r.callTask(v)
	c.tr.step = "voice.hangup"
	herr := c.pause(ctx)
	if herr == nil {
		herr = call.Hangup(ctx)
	}
	if herr != nil && err == nil {
		err = failed("voice.hangup", herr)
	}
	return err
}

func (r *runner) callTask(v *voice) error {
	var err error
	v.turn, err = v.call.Next(v.ctx)
	v.c.hear(v.turn.Said...)
	if err != nil {
		return failed("voice.incoming", err)
	}
	if err := v.expect("voice.incoming", "Please key your phone PIN"); err != nil {
		return err
	}
	if err := v.press("voice.pin", v.c.res.pin+"#"); err != nil {
		return err
	}
	if err := v.expect("voice.pin", menuPrompt); err != nil {
		return err
	}
	switch v.c.kind {
	case Activate:
		_, err := r.activateByVoice(v, false)
		return err
	case Cancel:
		return r.cancelByVoice(v)
	case Buy:
		return r.buyByVoice(v)
	case Agent:
		return r.agentByVoice(v)
	}
	return fmt.Errorf("no call script for %s", v.c.kind)
}

// activateByVoice: menu 1, a different vehicle (8), the registration keyed two keys a
// character, confirmed, a day, confirmed; it hears "Done." and the reference.
func (r *runner) activateByVoice(v *voice, cancellable bool) (*ExpectedVisit, error) {
	c := v.c
	day, err := r.pickDate(c, cancellable)
	if err != nil {
		return nil, err
	}
	if err := v.press("voice.menu", "1"); err != nil {
		return nil, err
	}
	if strings.Contains(v.heard(), "Which vehicle is the visit for?") {
		if err := v.press("voice.vehicle", "8"); err != nil {
			return nil, err
		}
	}
	if err := v.expect("voice.vehicle", "Please say the registration"); err != nil {
		return nil, err
	}
	if err := v.press("voice.vrm", entry.EncodeKeypad(c.vrm)); err != nil {
		return nil, err
	}
	if err := v.expect("voice.vrm", "I have "+speak.SpellVRM(c.vrm)+"."); err != nil {
		return nil, err
	}
	if err := v.press("voice.vrm_confirm", "1"); err != nil {
		return nil, err
	}
	if err := v.expect("voice.vrm_confirm", "Which day is the visit?"); err != nil {
		return nil, err
	}
	switch day {
	case r.today:
		err = v.press("voice.date", "1")
	case r.today.AddDays(1):
		err = v.press("voice.date", "2")
	default:
		if err = v.press("voice.date", "3"); err == nil {
			if err = v.expect("voice.date", "key the day and the month as four digits"); err == nil {
				err = v.press("voice.day_month", fmt.Sprintf("%02d%02d", day.Day, int(day.Month)))
			}
		}
	}
	if err != nil {
		return nil, err
	}
	plate := speak.Plate(c.vrm)
	if err := v.expect("voice.date", "That's one visit for "+plate); err != nil {
		return nil, err
	}
	if err := v.press("voice.confirm", "1"); err != nil {
		return nil, err
	}
	if err := v.expect("voice.confirm", "Done. "+plate+" has a visit", menuPrompt); err != nil {
		return nil, err
	}
	ref, ok := spokenRef(v.heard())
	if !ok {
		return nil, unexpected("voice.confirm", "Your reference is …", v.heard())
	}
	c.visits = append(c.visits, ExpectedVisit{Ref: ref, ResidentID: c.res.id, VRM: c.vrm, Date: day.String(), Kind: c.kind})
	return &c.visits[len(c.visits)-1], nil
}

// cancelByVoice activates a visit for a later day, then cancels it: menu 2, the visit's
// key, confirm.
func (r *runner) cancelByVoice(v *voice) error {
	if _, err := r.activateByVoice(v, true); err != nil {
		return err
	}
	c := v.c
	if err := v.press("voice.menu", "2"); err != nil {
		return err
	}
	if err := v.expect("voice.menu", "Which visit would you like to cancel?"); err != nil {
		return err
	}
	plate := speak.Plate(c.vrm)
	key, ok := optionKey(v.heard(), "For "+plate+" ")
	if !ok {
		return unexpected("voice.cancel_pick", "For "+plate+" …, press N.", v.heard())
	}
	if err := v.press("voice.cancel_pick", key); err != nil {
		return err
	}
	if err := v.expect("voice.cancel_pick", "That's the visit for "+plate); err != nil {
		return err
	}
	if err := v.press("voice.cancel_confirm", "1"); err != nil {
		return err
	}
	if err := v.expect("voice.cancel_confirm", "Done. The visit for "+plate, "is cancelled"); err != nil {
		return err
	}
	c.visits[len(c.visits)-1].Cancelled = true
	return nil
}

// buyByVoice: menu 4, a quantity, pay by card, the test card through <Pay>.
func (r *runner) buyByVoice(v *voice) error {
	c := v.c
	if err := v.press("voice.menu", "4"); err != nil {
		return err
	}
	qty := 1 + c.rng.IntN(2)
	switch h := v.heard(); {
	case strings.Contains(h, "You can buy one more permit"):
		qty = 1
	case !strings.Contains(h, "How many permits would you like?"):
		return unexpected("voice.menu", "How many permits would you like?", h)
	}
	if err := v.press("voice.quantity", fmt.Sprintf("%d#", qty)); err != nil {
		return err
	}
	money := speak.Money(domain.PermitPrice * domain.Pence(qty))
	if err := v.expect("voice.quantity", " cost", money, "To pay by card, press 1."); err != nil {
		return err
	}
	if err := v.press("voice.quote", "1"); err != nil {
		return err
	}
	if v.turn.Wait.Kind != "pay" {
		return unexpected("voice.quote", "<Pay>", v.heard())
	}
	if err := v.expect("voice.quote", "I'll now take a card payment of "+money); err != nil {
		return err
	}
	c.tr.step, c.tr.payCode = "voice.pay", ""
	if err := c.pause(v.ctx); err != nil {
		return failed("voice.pay", err)
	}
	t, err := v.call.PayWith(v.ctx, testCard)
	v.turn = t
	c.hear(t.Said...)
	if err != nil {
		return failed("voice.pay", err)
	}
	if err := v.expect("voice.pay", "Thank you. Your payment of "+money+" was taken", menuPrompt); err != nil {
		return err
	}
	if c.tr.payCode == "" {
		return &convError{class: "voice.pay: no PaymentConfirmationCode was sent", example: v.heard()}
	}
	c.payments = append(c.payments, ExpectedPayment{Code: c.tr.payCode, ResidentID: c.res.id, Quantity: qty})
	return nil
}

// agentByVoice: 0 from the menu, into the helpdesk queue; the caller hangs up there.
func (r *runner) agentByVoice(v *voice) error {
	if err := v.press("voice.menu", "0"); err != nil {
		return err
	}
	if err := v.expect("voice.menu", "Putting you through to the helpdesk"); err != nil {
		return err
	}
	if v.turn.Wait.Kind != "queue" {
		return unexpected("voice.menu", "to wait in the queue", v.heard())
	}
	return nil
}

// text sends one text as step and returns the reply.
func (r *runner) text(ctx context.Context, c *conv, step, body string) (string, error) {
	cfg := r.sim
	cfg.From, cfg.To = c.res.phone, smsLine
	c.tr.step = step
	if err := c.pause(ctx); err != nil {
		return "", failed(step, err)
	}
	replies, _, err := twiliosim.SendSMS(ctx, cfg, body)
	c.hear(replies...)
	if err != nil {
		return "", failed(step, err)
	}
	return strings.Join(replies, "\n"), nil
}

var bookedRef = regexp.MustCompile(`Ref ([0-9A-Z]{6})\b`)

// smsActivate texts "VISITOR AB12CDE [day]" and answers YES when asked.
func (r *runner) smsActivate(ctx context.Context, c *conv, cancellable bool) (*ExpectedVisit, error) {
	day, err := r.pickDate(c, cancellable)
	if err != nil {
		return nil, err
	}
	body := "VISITOR " + c.vrm
	switch day {
	case r.today:
	case r.today.AddDays(1):
		body += " TOMORROW"
	default:
		body += fmt.Sprintf(" %d/%d", day.Day, int(day.Month))
	}
	reply, err := r.text(ctx, c, "sms.activate", body)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(reply, "Reply CONFIRM") {
		if reply, err = r.text(ctx, c, "sms.yes", "CONFIRM"); err != nil {
			return nil, err
		}
	}
	mark, err := domain.ParseVRM(c.vrm)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(reply, "Booked: "+mark.Spaced()+", ") {
		return nil, unexpected("sms.activate", "Booked: "+mark.Spaced()+", …", reply)
	}
	m := bookedRef.FindStringSubmatch(reply)
	if m == nil {
		return nil, unexpected("sms.activate", "Ref XXXXXX", reply)
	}
	c.visits = append(c.visits, ExpectedVisit{Ref: m[1], ResidentID: c.res.id, VRM: c.vrm, Date: day.String(), Kind: c.kind})
	return &c.visits[len(c.visits)-1], nil
}

// smsCancel books a visit for a later day by text, then texts UNDO with its reference.
func (r *runner) smsCancel(ctx context.Context, c *conv) error {
	v, err := r.smsActivate(ctx, c, true)
	if err != nil {
		return err
	}
	reply, err := r.text(ctx, c, "sms.cancel", "UNDO "+v.Ref)
	if err != nil {
		return err
	}
	if want := "Cancelled: visit " + v.Ref + " "; !strings.HasPrefix(reply, want) {
		return unexpected("sms.cancel", want+"…", reply)
	}
	v.Cancelled = true
	return nil
}

var spokenRefRe = regexp.MustCompile(`Your reference is (.+?)\. You have`)

// spokenDigits reads a digit as speak says it: "three" is '3'.
var spokenDigits = func() map[string]byte {
	m := map[string]byte{}
	for d := '0'; d <= '9'; d++ {
		m[speak.Letter(d)] = byte(d)
	}
	return m
}()

// spokenRef reads back a reference the line spelled out: "J for Juliet, seven, ...", or
// "nine three six, seven nine four" when a group of three is all digits.
func spokenRef(heard string) (string, bool) {
	m := spokenRefRe.FindStringSubmatch(heard)
	if m == nil {
		return "", false
	}
	var ref []byte
	for _, tok := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == '.' }) {
		tok = strings.TrimSpace(tok)
		switch {
		case len(tok) > 6 && tok[1:6] == " for ":
			ref = append(ref, tok[0])
		default:
			// Digits alone are read as a number is: "nine three six".
			for _, w := range strings.Fields(tok) {
				if spokenDigits[w] == 0 {
					return "", false
				}
				ref = append(ref, spokenDigits[w])
			}
		}
	}
	return string(ref), len(ref) == 6
}

var optionRe = regexp.MustCompile(`^For .*?, press ([0-9])\.`)

// optionKey finds the key of the menu option that starts with prefix.
func optionKey(heard, prefix string) (string, bool) {
	i := strings.Index(heard, prefix)
	if i < 0 {
		return "", false
	}
	m := optionRe.FindStringSubmatch(heard[i:])
	if m == nil {
		return "", false
	}
	return m[1], true
}

// isRefusal reports the rule of a refusal.
func isRefusal(err error) (string, bool) {
	var re *refusedError
	if errors.As(err, &re) {
		return re.rule, true
	}
	return "", false
}
