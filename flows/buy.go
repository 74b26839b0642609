package flows

import (
	"errors"
	"strconv"

	"permitline/domain"
)

// Buy sells permits with a card payment on the call. The registration (R3) and the
// yearly allowance (R7) are checked before anything else; the caller hears the price of
// a permit (R6, R8), keys how many, hears the total and that permits are neither
// refundable nor a guarantee of a space (R10), and pays with the payment provider's own
// card capture (Twilio <Pay>): no card number ever reaches this service. The purchase is recorded only on a successful payment, once per
// confirmation code, even when the result comes after the caller hung up. A payment the
// rules refuse once taken (the allowance used meanwhile by another channel) is a refund
// due (R24): the caller hears so and is offered the helpdesk. A failed payment is
// explained and can be tried again. A paid purchase is read back with the payment's
// reference, and a receipt is texted to the resident's mobile. Star twice goes back to the
// main menu from the quantity (a lone 9 is a quantity there); every other question says
// its key for the menu.
func Buy() *Flow {
	return &Flow{
		Name:  FlowBuy,
		Start: BuyStart,
		Graph: []Edge{
			{buyAllowed, from(BuyStart), BuyQuantity},
			{buyCounted, from(BuyQuantity), BuyQuote},
			{buyPay, from(BuyQuote, BuyPayFailed), BuyPay},
			{buyFailed, from(BuyPay), BuyPayFailed},
			exit(FlowMenu, BuyStart, BuyQuantity, BuyQuote, BuyPay, BuyPayFailed),
			exit(FlowHelpdesk, BuyQuantity, BuyQuote, BuyPay, BuyPayFailed),
		},
		States: map[StateName]State{
			BuyStart: {Auto: true, Decide: startBuy},
			BuyQuantity: {
				Ask: func(*Ctx) Ask { return Ask{Kind: AskDigits, MaxDigits: 2} },
				Prompt: func(c *Ctx) []Msg {
					return []Msg{{ID: MsgPrice, Money: domain.PermitPrice, N: domain.VisitsPerPermit},
						{ID: MsgAskQuantity, N: mostToBuy(c)}, say(MsgBackToMenuStars)}
				},
				Decide: chooseQuantity,
			},
			BuyQuote: {
				Ask: func(*Ctx) Ask {
					return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptPayCard)}, {"2", say(MsgOptMenu)}}}
				},
				Prompt: func(c *Ctx) []Msg {
					return []Msg{{ID: MsgQuote, N: c.Data.Quantity, Money: total(c)}, say(MsgNoRefunds)}
				},
				Decide: func(c *Ctx, in Input) Outcome {
					switch in.Keys {
					case "1":
						return Outcome{Next: Fire(buyPay), Note: "chose to pay"}
					case "2":
						return Outcome{Next: Fire(ToMenu), Note: "did not pay"}
					}
					return wrongKey(in)
				},
			},
			BuyPay: {
				Ask: func(c *Ctx) Ask {
					return Ask{Kind: AskPay, Amount: total(c), Quantity: c.Data.Quantity}
				},
				Prompt: func(c *Ctx) []Msg { return []Msg{{ID: MsgPaying, Money: total(c)}} },
				Decide: paid,
				Writes: true,
			},
			BuyPayFailed: {
				Ask: func(*Ctx) Ask {
					return Ask{Kind: AskChoice, Options: []Option{{"1", say(MsgOptRetryPay)}, {"2", say(MsgOptMenu)},
						{"0", say(MsgOptAgent)}}}
				},
				Prompt: func(*Ctx) []Msg { return nil },
				Decide: func(c *Ctx, in Input) Outcome {
					switch in.Keys {
					case "1":
						return Outcome{Next: Fire(buyPay), Note: "trying the payment again"}
					case "2":
						return Outcome{Next: Fire(ToMenu)}
					}
					return wrongKey(in)
				},
			},
		},
	}
}

// The buying flow's states.
const (
	BuyStart     StateName = "start"
	BuyQuantity  StateName = "quantity"
	BuyQuote     StateName = "quote"
	BuyPay       StateName = "pay"
	BuyPayFailed StateName = "pay_failed"
)

// The buying flow's events.
const (
	buyAllowed EventName = "allowed"
	buyCounted EventName = "counted"
	buyPay     EventName = "pay"
	buyFailed  EventName = "failed"
)

func total(c *Ctx) domain.Pence { return domain.PermitPrice * domain.Pence(c.Data.Quantity) }

// mostToBuy returns how many permits the caller may buy now (0 if none).
func mostToBuy(c *Ctx) int {
	q, err := c.Op.QuotePermits(c.Actor(), c.Account(), 1)
	if err != nil {
		return 0
	}
	return q.AllowanceLeft + 1
}

func startBuy(c *Ctx, _ Input) Outcome {
	c.Data.Quantity = 0
	if _, err := c.Op.QuotePermits(c.Actor(), c.Account(), 1); err != nil {
		out := refused(c, err, "buying")
		if out.Err == nil {
			out.Next = Fire(ToMenu)
		}
		return out
	}
	return Outcome{Next: Fire(buyAllowed)}
}

// backKeys go back to the main menu from the quantity: never a quantity, and not a lone
// key, which keeps its meaning (loneKey).
const backKeys = "**"

func chooseQuantity(c *Ctx, in Input) Outcome {
	if out, ok := loneKey(in); ok {
		return out
	}
	if in.Kind == InputKeys && in.Keys == backKeys {
		return Outcome{Next: Fire(ToMenu), Note: "back to the menu"}
	}
	most := mostToBuy(c)
	n, err := strconv.Atoi(in.Keys)
	if in.Kind != InputKeys || err != nil || n < 1 || n > most {
		return Outcome{Next: Retry(Msg{ID: MsgBadQuantity, N: most}), Failure: "quantity " + in.Keys}
	}
	c.Data.Quantity = n
	return Outcome{Next: Fire(buyCounted), Note: "quantity " + in.Keys}
}

func paid(c *Ctx, in Input) Outcome {
	if in.Kind != InputPay {
		return Outcome{Say: []Msg{{ID: MsgPayFailed, Text: "no-result"}}, Next: Fire(buyFailed), Failure: "no payment result"}
	}
	if in.Pay.Result != "success" {
		return Outcome{Say: []Msg{{ID: MsgPayFailed, Text: in.Pay.Result}}, Next: Fire(buyFailed),
			Failure: "payment " + in.Pay.Result}
	}
	if in.Pay.ConfirmationCode == "" {
		return Outcome{Say: []Msg{{ID: MsgPayFailed, Text: "no-confirmation"}}, Next: Fire(buyFailed),
			Failure: "payment without a confirmation code"}
	}
	// The confirmation code alone is the payment's once-only key: Twilio may report one
	// payment more than once, and on an ended call too (Engine.Late).
	code := in.Pay.ConfirmationCode
	receipt := domain.NoticeReceipt
	if in.Late {
		receipt = domain.NoticePermitsAdded // the caller hung up before hearing it
	}
	p, err := c.Op.BuyPermits(c.Actor(), c.Account(), c.Data.Quantity, domain.PaymentIn{
		Amount: total(c), ProviderRef: code, IdempotencyKey: code, Taken: true, Receipt: receipt})
	var (
		r   domain.Refusal
		due *domain.RefundDueError
	)
	switch {
	case errors.As(err, &due):
		// The money was taken but the rules refused (a race with another channel): the
		// refund due is recorded (R24) and the caller can reach a person.
		return Outcome{Say: []Msg{{ID: MsgPaidRefused, Err: err, Money: due.Refund.AmountPence, Ref: code}},
			Next: Fire(ToHelpdesk), Failure: "paid " + code + " but refused: " + err.Error()}
	case errors.As(err, &r):
		// A code already used for another purchase: no new payment was taken.
		return Outcome{Say: []Msg{{ID: MsgRefused, Err: err}}, Next: Fire(ToHelpdesk),
			Failure: "payment " + code + " refused: " + err.Error()}
	case err != nil:
		return Outcome{Err: err}
	}
	return Outcome{Say: []Msg{{ID: MsgPaid, N: len(p.Permits), Money: p.Payment.AmountPence,
		Until: p.Permits[0].ExpiresAt, Ref: code}}, Next: Fire(ToMenu),
		Note: "bought " + strconv.Itoa(len(p.Permits)) + " permits, payment " + code}
}
