package flows

import (
	"errors"
	"strconv"

	"github.com/looplab/fsm"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/flows/entry"
)

// Activate uses one visit for a visitor's vehicle on a date (R12-R18). The caller picks
// one of the account's saved or recently used vehicles ("For AB12 CDE, press 1") or gives
// a new registration, keyed two keys a character or said, which is read back to confirm.
// Then the date: today, tomorrow, or four digits day-month. The plan is checked against
// every rule before the caller is asked to confirm (R16), so a day needing no permit, a
// date too far ahead or a vehicle already booked that day is explained at once, with
// what to do instead. On confirmation the visit is activated and the caller hears its
// reference, the visits left and until when it can be cancelled.
func Activate() *Flow {
	return &Flow{
		Name:  FlowActivate,
		Start: "start",
		Events: fsm.Events{
			{Name: "offer", Src: []string{"start"}, Dst: "choose_vehicle"},
			{Name: "texted", Src: []string{"start"}, Dst: "check_vrm"},
			{Name: "known", Src: []string{"check_vrm"}, Dst: "activate_now"},
			{Name: "new_vrm", Src: []string{"check_vrm"}, Dst: "confirm"},
			{Name: "redate", Src: []string{"check_vrm", "activate_now"}, Dst: "choose_date"},
			{Name: "ask_vrm", Src: []string{"start", "choose_vehicle", "confirm_vrm", "check_vrm"}, Dst: "enter_vrm"},
			{Name: "entered_text", Src: []string{"enter_vrm"}, Dst: "check_vrm"},
			{Name: "dated_text", Src: []string{"choose_date"}, Dst: "check_vrm"},
			{Name: "entered", Src: []string{"enter_vrm"}, Dst: "confirm_vrm"},
			{Name: "vehicle", Src: []string{"choose_vehicle", "confirm_vrm"}, Dst: "choose_date"},
			{Name: "other_date", Src: []string{"choose_date"}, Dst: "enter_date"},
			{Name: "dated", Src: []string{"choose_date", "enter_date"}, Dst: "confirm"},
			{Name: "change", Src: []string{"confirm"}, Dst: "start"},
		},
		States: map[string]State{
			"start":        {Auto: true, Decide: activateStart},
			"check_vrm":    {Auto: true, Decide: checkTextedVRM},
			"activate_now": {Auto: true, Decide: activateNow},
			"choose_vehicle": {
				Ask:    vehicleAsk,
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskVehicle)} },
				Decide: chooseVehicle,
			},
			"enter_vrm": {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskVRM} },
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskVRM)} },
				Decide: enterVRM,
			},
			"confirm_vrm": {
				Ask: func(*Ctx) Ask {
					return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptYes)}, {"2", say(MsgOptNo)}}}
				},
				Prompt: func(c *Ctx) []Msg { return []Msg{{ID: MsgVRMReadBack, VRM: c.Data.VRM}} },
				Decide: confirmVRM,
			},
			"choose_date": {
				Ask:    dateAsk,
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskDate)} },
				Decide: chooseDate,
			},
			"enter_date": {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskDigits, MaxDigits: 4} },
				Prompt: func(c *Ctx) []Msg { return []Msg{{ID: MsgAskDayMonth, Dates: bookableDays(c)}} },
				Decide: enterDate,
			},
			"confirm": {
				Ask: func(*Ctx) Ask {
					return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptYes)}, {"2", say(MsgOptNo)},
						{"3", say(MsgOptMenu)}}}
				},
				Prompt: confirmPrompt,
				Decide: confirmVisit,
				Writes: true,
			},
		},
	}
}

// maxVehicles is how many saved or recent vehicles are offered by key.
const maxVehicles = 3

func activateStart(c *Ctx, _ Input) Outcome {
	if c.Data.Channel == domain.ChannelSMS {
		// A text carries the registration, and perhaps the date, with the command.
		if c.Data.VRM == "" {
			return Outcome{Event: "ask_vrm"}
		}
		return Outcome{Event: "texted"}
	}
	c.Data.VRM, c.Data.Date, c.Data.Vehicles = "", "", nil
	res, out, refused := authorised(c, domain.PermActivate)
	if refused {
		return out
	}
	// A caller with no visits at all hears so before keying a registration.
	b, err := domain.BalanceOf(c.Op.Tx(), res, c.Now())
	if err != nil {
		return Outcome{Err: err}
	}
	if b.VisitsLeft == 0 {
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: &domain.NoPermitAvailableError{Date: c.Today()}}},
			Goto: FlowMenu, Failure: "no visits left"}
	}
	vs, err := c.Op.Tx().Vehicles(res.ID)
	if err != nil {
		return Outcome{Err: err}
	}
	if len(vs) == 0 {
		return Outcome{Event: "ask_vrm"}
	}
	for _, v := range domain.VehicleMenu(vs, maxVehicles) {
		c.Data.Vehicles = append(c.Data.Vehicles, v.VRM)
	}
	return Outcome{Event: "offer"}
}

func vehicleAsk(c *Ctx) Ask {
	var opts []Option
	for i, v := range c.Data.Vehicles {
		opts = append(opts, Option{strconv.Itoa(i + 1), Msg{ID: MsgOptVehicle, VRM: v}})
	}
	return Ask{Kind: AskChoice, Options: append(opts, Option{"9", say(MsgOptOtherVRM)})}
}

func chooseVehicle(c *Ctx, in Input) Outcome {
	if in.Keys == "9" {
		return Outcome{Event: "ask_vrm", Note: "a new vehicle"}
	}
	n, err := strconv.Atoi(in.Keys)
	if in.Kind != InputKeys || err != nil || n < 1 || n > len(c.Data.Vehicles) {
		return wrongKey(in)
	}
	c.Data.VRM = c.Data.Vehicles[n-1]
	return Outcome{Event: "vehicle", Note: "chose " + c.Data.VRM}
}

func enterVRM(c *Ctx, in Input) Outcome {
	var text string
	switch in.Kind {
	case InputKeys:
		decoded, err := entry.DecodeKeypad(in.Keys)
		var ke *entry.KeypadError
		if errors.As(err, &ke) {
			return Outcome{Retry: &Msg{ID: MsgBadEntry, Text: ke.Reason}, Failure: "keyed " + in.Keys + ": " + ke.Reason}
		} else if err != nil {
			return Outcome{Retry: &Msg{ID: MsgBadEntry, Text: err.Error()}, Failure: "keyed " + in.Keys}
		}
		text = decoded
	case InputSpeech, InputText:
		heard, ok := entry.SpokenVRM(in.Speech + in.Text)
		if !ok {
			return Outcome{Retry: &Msg{ID: MsgBadEntry}, Failure: "said " + in.Speech + in.Text}
		}
		text = heard
	default:
		return wrongKey(in)
	}
	mark, err := domain.ParseVRM(text)
	if err != nil {
		return Outcome{Retry: &Msg{ID: MsgRefused, Err: err}, Failure: "registration " + text + " is not valid"}
	}
	c.Data.VRM = mark.Text
	if c.Data.Channel == domain.ChannelSMS {
		return Outcome{Event: "entered_text", Note: "registration " + mark.Text}
	}
	return Outcome{Event: "entered", Note: "registration " + mark.Text}
}

func confirmVRM(c *Ctx, in Input) Outcome {
	switch in.Keys {
	case "1":
		return Outcome{Event: "vehicle", Note: "registration confirmed"}
	case "2":
		return Outcome{Event: "ask_vrm", Note: "registration rejected"}
	}
	return wrongKey(in)
}

func dateAsk(c *Ctx) Ask {
	today := c.Today()
	return Ask{Kind: AskChoice, Options: []Option{{"1", Msg{ID: MsgOptToday, Date: today}},
		{"2", Msg{ID: MsgOptTomorrow, Date: today.AddDays(1)}}, {"3", Msg{ID: MsgOptOtherDate, Dates: bookableDays(c)}}}}
}

// exampleDays is how many days a visit could be booked for are given as examples of a date.
const exampleDays = 3

// bookableDays returns the next days after today a visit could be booked for in the
// caller's scheme (R12-R14), for the examples of a date: none if they cannot be worked out.
func bookableDays(c *Ctx) []calendar.Date {
	days, err := c.Op.BookableDays(c.Account(), exampleDays)
	if err != nil {
		return nil
	}
	return days
}

func chooseDate(c *Ctx, in Input) Outcome {
	if in.Kind == InputText {
		d, ok := entry.TextDate(in.Text, c.Today())
		if !ok {
			return Outcome{Retry: &Msg{ID: MsgBadDate}, Failure: "date texted " + in.Text}
		}
		c.Data.Date = d.String()
		return Outcome{Event: "dated_text", Note: "date " + d.String()}
	}
	switch in.Keys {
	case "1":
		return planDate(c, c.Today())
	case "2":
		return planDate(c, c.Today().AddDays(1))
	case "3":
		return Outcome{Event: "other_date"}
	}
	return wrongKey(in)
}

func enterDate(c *Ctx, in Input) Outcome {
	d, err := entry.DayMonth(in.Keys, c.Today())
	var de *entry.DateError
	if errors.As(err, &de) {
		return Outcome{Retry: &Msg{ID: MsgBadDate, Text: de.Reason}, Failure: "date keyed " + in.Keys}
	} else if err != nil {
		return Outcome{Retry: &Msg{ID: MsgBadDate}, Failure: "date keyed " + in.Keys}
	}
	return planDate(c, d)
}

// planDate checks the visit on a date against every rule before asking to confirm.
func planDate(c *Ctx, d calendar.Date) Outcome {
	_, err := c.Op.PlanVisit(c.Actor(), c.Account(), domain.VisitRequest{VRM: c.Data.VRM, Date: d})
	if err == nil {
		c.Data.Date = d.String()
		return Outcome{Event: "dated", Note: "date " + d.String()}
	}
	return refused(c, err, "date "+d.String())
}

// refused explains a rule's refusal and moves on: another date when a different date
// could work, the main menu otherwise.
func refused(c *Ctx, err error, what string) Outcome {
	say := []Msg{{ID: MsgRefused, Err: err}}
	failure := what + ": " + err.Error()
	var none *domain.NoPermitNeededError
	var out *domain.DateOutOfRangeError
	var r domain.Refusal
	switch {
	case errors.As(err, &none), errors.As(err, &out):
		return Outcome{Say: say, Again: true, Failure: failure}
	case errors.As(err, &r):
		return Outcome{Say: say, Goto: FlowMenu, Failure: failure}
	}
	return Outcome{Err: err}
}

func confirmPrompt(c *Ctx) []Msg {
	plan, err := c.Op.PlanVisit(c.Actor(), c.Account(), domain.VisitRequest{VRM: c.Data.VRM, Date: c.Data.VisitDate()})
	if err != nil {
		return []Msg{{ID: MsgConfirmVisit, VRM: c.Data.VRM, Date: c.Data.VisitDate()}}
	}
	return []Msg{{ID: MsgConfirmVisit, VRM: c.Data.VRM, Date: plan.Date, At: plan.StartsAt, Until: plan.EndsAt}}
}

// checkTextedVRM checks a texted registration and date: a vehicle the account has used
// before is activated at once; a new one is read back for a YES first (R16).
func checkTextedVRM(c *Ctx, _ Input) Outcome {
	if _, err := domain.ParseVRM(c.Data.VRM); err != nil {
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Event: "ask_vrm", Failure: "registration " + c.Data.VRM}
	}
	res, out, refused := authorised(c, domain.PermActivate)
	if refused {
		return out
	}
	if _, err := c.Op.PlanVisit(c.Actor(), c.Account(), domain.VisitRequest{VRM: c.Data.VRM, Date: c.Data.VisitDate()}); err != nil {
		return textRefusal(c, err)
	}
	vs, err := c.Op.Tx().Vehicles(res.ID)
	if err != nil {
		return Outcome{Err: err}
	}
	for _, v := range vs {
		if v.VRM == c.Data.VRM {
			return Outcome{Event: "known", Note: "a vehicle used before"}
		}
	}
	return Outcome{Event: "new_vrm", Note: "a new vehicle"}
}

func activateNow(c *Ctx, _ Input) Outcome {
	return activate(c, func(err error) Outcome { return textRefusal(c, err) })
}

// textRefusal explains a refusal by text: a date that could be another asks for one.
func textRefusal(c *Ctx, err error) Outcome {
	out := refused(c, err, "texted visit")
	if out.Again {
		out.Again, out.Event = false, "redate"
		c.Data.Date = ""
		return out
	}
	return out
}

// activate uses the visit, or explains a refusal with onRefusal.
func activate(c *Ctx, onRefusal func(error) Outcome) Outcome {
	a, err := c.Op.ActivateVisit(c.Actor(), c.Account(), domain.VisitRequest{VRM: c.Data.VRM, Date: c.Data.VisitDate()})
	if err != nil {
		return onRefusal(err)
	}
	v := a.Visit
	c.Data.Ref = v.Ref
	return Outcome{Say: []Msg{{ID: MsgActivated, Ref: v.Ref, VRM: v.VRM, Date: v.Date, At: v.StartsAt,
		Until: v.CancelDeadline(), N: a.VisitsLeft}}, Goto: FlowMenu, Note: "activated " + v.Ref}
}

func confirmVisit(c *Ctx, in Input) Outcome {
	switch {
	case in.Kind == InputYes:
		in.Keys = "1"
	case in.Kind == InputNo:
		in.Keys = "3"
	}
	switch in.Keys {
	case "1":
		return activate(c, func(err error) Outcome {
			out := refused(c, err, "activating")
			out.Again, out.Goto = false, FlowMenu
			return out
		})
	case "2":
		return Outcome{Event: "change", Note: "changing the visit"}
	case "3":
		return Outcome{Say: []Msg{say(MsgNotActivated)}, Goto: FlowMenu, Note: "did not activate"}
	}
	return wrongKey(in)
}
