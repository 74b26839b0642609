package flows

import (
	"errors"
	"strconv"

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
// reference, the visits left and until when it can be cancelled. Every question has a way
// back to the main menu: 9, said with the question (a lone 9 is no registration or date).
func Activate() *Flow {
	return &Flow{
		Name:  FlowActivate,
		Start: ActivateStart,
		Graph: []Edge{
			{activateOffer, from(ActivateStart), ActivateChooseVehicle},
			{activateAskVRM, from(ActivateStart, ActivateChooseVehicle, ActivateConfirmVRM), ActivateEnterVRM},
			{activateEntered, from(ActivateEnterVRM), ActivateConfirmVRM},
			{activateVehicle, from(ActivateChooseVehicle, ActivateConfirmVRM), ActivateChooseDate},
			{activateOtherDate, from(ActivateChooseDate), ActivateEnterDate},
			{activateDated, from(ActivateChooseDate, ActivateEnterDate), ActivateConfirm},
			{activateChange, from(ActivateConfirm), ActivateStart},
			exit(FlowMenu, ActivateStart, ActivateChooseVehicle, ActivateEnterVRM, ActivateConfirmVRM, ActivateChooseDate,
				ActivateEnterDate, ActivateConfirm),
			exit(FlowHelpdesk, ActivateChooseVehicle, ActivateEnterVRM, ActivateConfirmVRM, ActivateChooseDate,
				ActivateEnterDate, ActivateConfirm),
		},
		States: map[StateName]State{
			ActivateStart: {Auto: true, Decide: startActivate},
			ActivateChooseVehicle: {
				Ask:    vehicleAsk,
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskVehicle)} },
				Decide: chooseVehicle,
			},
			ActivateEnterVRM: {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskVRM} },
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskVRM), say(MsgBackToMenu)} },
				Decide: func(c *Ctx, in Input) Outcome {
					if in.Kind == InputKeys && in.Keys == "9" { // no registration is one key: two keys a character
						return Outcome{Next: Fire(ToMenu), Note: "back to the menu"}
					}
					return enterVRM(c, in, activateEntered)
				},
			},
			ActivateConfirmVRM: {
				Ask: func(*Ctx) Ask {
					return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptYes)}, {"2", say(MsgOptNo)},
						{"9", say(MsgOptMenu)}}}
				},
				Prompt: func(c *Ctx) []Msg { return []Msg{{ID: MsgVRMReadBack, VRM: c.Data.VRM}} },
				Decide: confirmVRM,
			},
			ActivateChooseDate: {
				Ask:    dateAsk,
				Prompt: func(*Ctx) []Msg { return []Msg{say(MsgAskDate)} },
				Decide: chooseDate,
			},
			ActivateEnterDate: {
				Ask:    func(*Ctx) Ask { return Ask{Kind: AskDigits, MaxDigits: 4} },
				Prompt: func(c *Ctx) []Msg { return []Msg{{ID: MsgAskDayMonth, Dates: bookableDays(c)}, say(MsgBackToMenu)} },
				Decide: enterDate,
			},
			ActivateConfirm: {
				Ask: func(*Ctx) Ask {
					return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptYes)}, {"2", say(MsgOptNo)},
						{"9", say(MsgOptMenu)}}}
				},
				Prompt: confirmPrompt,
				Decide: confirmVisit,
				Writes: true,
			},
		},
	}
}

// The activation flow's states.
const (
	ActivateStart         StateName = "start"
	ActivateChooseVehicle StateName = "choose_vehicle"
	ActivateEnterVRM      StateName = "enter_vrm"
	ActivateConfirmVRM    StateName = "confirm_vrm"
	ActivateChooseDate    StateName = "choose_date"
	ActivateEnterDate     StateName = "enter_date"
	ActivateConfirm       StateName = "confirm"
)

// The activation flow's events.
const (
	activateOffer     EventName = "offer"
	activateAskVRM    EventName = "ask_vrm"
	activateEntered   EventName = "entered"
	activateVehicle   EventName = "vehicle"
	activateOtherDate EventName = "other_date"
	activateDated     EventName = "dated"
	activateChange    EventName = "change"
)

// maxVehicles is how many saved or recent vehicles are offered by key.
const maxVehicles = 3

func startActivate(c *Ctx, _ Input) Outcome {
	c.Data.VRM, c.Data.Date, c.Data.Vehicles = "", "", nil
	res, out, refused := authorised(c, domain.PermActivate)
	if refused {
		return out
	}
	// A caller with no visits at all hears so before keying a registration.
	b, err := c.Op.BalanceOf(res)
	if err != nil {
		return Outcome{Err: err}
	}
	if b.VisitsLeft == 0 {
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: &domain.NoPermitAvailableError{Date: c.Today()}}},
			Next: Fire(ToMenu), Failure: "no visits left"}
	}
	vs, err := c.Op.Vehicles(res)
	if err != nil {
		return Outcome{Err: err}
	}
	if len(vs) == 0 {
		return Outcome{Next: Fire(activateAskVRM)}
	}
	for _, v := range domain.VehicleMenu(vs, maxVehicles) {
		c.Data.Vehicles = append(c.Data.Vehicles, v.VRM)
	}
	return Outcome{Next: Fire(activateOffer)}
}

func vehicleAsk(c *Ctx) Ask {
	var opts []Option
	for i, v := range c.Data.Vehicles {
		opts = append(opts, Option{strconv.Itoa(i + 1), Msg{ID: MsgOptVehicle, VRM: v}})
	}
	return Ask{Kind: AskChoice, Options: append(opts, Option{"8", say(MsgOptOtherVRM)}, Option{"9", say(MsgOptMenu)})}
}

func chooseVehicle(c *Ctx, in Input) Outcome {
	switch in.Keys {
	case "8":
		return Outcome{Next: Fire(activateAskVRM), Note: "a new vehicle"}
	case "9":
		return Outcome{Next: Fire(ToMenu), Note: "back to the menu"}
	}
	n, err := strconv.Atoi(in.Keys)
	if in.Kind != InputKeys || err != nil || n < 1 || n > len(c.Data.Vehicles) {
		return wrongKey(in)
	}
	c.Data.VRM = c.Data.Vehicles[n-1]
	return Outcome{Next: Fire(activateVehicle), Note: "chose " + c.Data.VRM}
}

// enterVRM reads a registration keyed, said or texted, and moves on with entered.
func enterVRM(c *Ctx, in Input, entered EventName) Outcome {
	if out, ok := loneKey(in); ok {
		return out
	}
	var text string
	switch in.Kind {
	case InputKeys:
		decoded, err := entry.DecodeKeypad(in.Keys)
		var ke *entry.KeypadError
		if errors.As(err, &ke) {
			return Outcome{Next: Retry(Msg{ID: MsgBadEntry, Text: ke.Reason}), Failure: "keyed " + in.Keys + ": " + ke.Reason}
		} else if err != nil {
			return Outcome{Next: Retry(Msg{ID: MsgBadEntry, Text: err.Error()}), Failure: "keyed " + in.Keys}
		}
		text = decoded
	case InputSpeech, InputText:
		heard, ok := entry.SpokenVRM(in.Speech + in.Text)
		if !ok {
			return Outcome{Next: Retry(Msg{ID: MsgBadEntry}), Failure: "said " + in.Speech + in.Text}
		}
		text = heard
	default:
		return wrongKey(in)
	}
	mark, err := domain.ParseVRM(text)
	if err != nil {
		return Outcome{Next: Retry(Msg{ID: MsgRefused, Err: err}), Failure: "registration " + text + " is not valid"}
	}
	c.Data.VRM = mark.Text
	return Outcome{Next: Fire(entered), Note: "registration " + mark.Text}
}

func confirmVRM(c *Ctx, in Input) Outcome {
	switch in.Keys {
	case "1":
		return Outcome{Next: Fire(activateVehicle), Note: "registration confirmed"}
	case "2":
		return Outcome{Next: Fire(activateAskVRM), Note: "registration rejected"}
	case "9":
		return Outcome{Next: Fire(ToMenu), Note: "back to the menu"}
	}
	return wrongKey(in)
}

func dateAsk(c *Ctx) Ask {
	today := c.Today()
	return Ask{Kind: AskChoice, Options: []Option{{"1", Msg{ID: MsgOptToday, Date: today}},
		{"2", Msg{ID: MsgOptTomorrow, Date: today.AddDays(1)}}, {"3", Msg{ID: MsgOptOtherDate, Dates: bookableDays(c)}},
		{"9", say(MsgOptMenu)}}}
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
	switch in.Keys {
	case "1":
		return planDate(c, c.Today())
	case "2":
		return planDate(c, c.Today().AddDays(1))
	case "3":
		return Outcome{Next: Fire(activateOtherDate)}
	case "9":
		return Outcome{Next: Fire(ToMenu), Note: "back to the menu"}
	}
	return wrongKey(in)
}

func enterDate(c *Ctx, in Input) Outcome {
	if out, ok := loneKey(in); ok {
		return out
	}
	if in.Kind == InputKeys && in.Keys == "9" { // no date is one key long
		return Outcome{Next: Fire(ToMenu), Note: "back to the menu"}
	}
	d, err := entry.DayMonth(in.Keys, c.Today())
	var de *entry.DateError
	if errors.As(err, &de) {
		return Outcome{Next: Retry(Msg{ID: MsgBadDate, Text: de.Reason}), Failure: "date keyed " + in.Keys}
	} else if err != nil {
		return Outcome{Next: Retry(Msg{ID: MsgBadDate}), Failure: "date keyed " + in.Keys}
	}
	return planDate(c, d)
}

// planDate checks the visit on a date against every rule before asking to confirm.
func planDate(c *Ctx, d calendar.Date) Outcome {
	_, err := c.Op.PlanVisit(c.Actor(), c.Account(), domain.VisitRequest{VRM: c.Data.VRM, Date: d})
	if err == nil {
		c.Data.Date = d.String()
		return Outcome{Next: Fire(activateDated), Note: "date " + d.String()}
	}
	return refused(c, err, "date "+d.String())
}

// refused explains a rule's refusal and moves on: asked again when a different date
// could work, to the main menu otherwise.
func refused(c *Ctx, err error, what string) Outcome {
	say := []Msg{{ID: MsgRefused, Err: err}}
	failure := what + ": " + err.Error()
	var none *domain.NoPermitNeededError
	var out *domain.DateOutOfRangeError
	var r domain.Refusal
	switch {
	case errors.As(err, &none), errors.As(err, &out):
		return Outcome{Say: say, Next: Again, Failure: failure}
	case errors.As(err, &r):
		return Outcome{Say: say, Next: Fire(ToMenu), Failure: failure}
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

// activate uses the visit and goes on with done, or explains a refusal with onRefusal.
func activate(c *Ctx, done Next, onRefusal func(error) Outcome) Outcome {
	a, err := c.Op.ActivateVisit(c.Actor(), c.Account(), domain.VisitRequest{VRM: c.Data.VRM, Date: c.Data.VisitDate()})
	if err != nil {
		return onRefusal(err)
	}
	v := a.Visit
	c.Data.Ref = v.Ref
	return Outcome{Say: []Msg{{ID: MsgActivated, Ref: v.Ref, VRM: v.VRM, Date: v.Date, At: v.StartsAt,
		Until: v.CancelDeadline(), N: a.VisitsLeft, Visits: []domain.Visit{v}}}, Next: done, Note: "activated " + v.Ref}
}

func confirmVisit(c *Ctx, in Input) Outcome {
	switch in.Keys {
	case "1":
		return activate(c, Fire(ToMenu), func(err error) Outcome {
			out := refused(c, err, "activating")
			if out.Err == nil {
				out.Next = Fire(ToMenu)
			}
			return out
		})
	case "2":
		return Outcome{Next: Fire(activateChange), Note: "changing the visit"}
	case "9":
		return Outcome{Say: []Msg{say(MsgNotActivated)}, Next: Fire(ToMenu), Note: "did not activate"}
	}
	return wrongKey(in)
}
