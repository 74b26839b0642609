// Package refusaltest holds a refusal of every type the domain gives, and checks a
// channel's table of refusals over all of them: each has words of its own, with the
// limits formatted from the domain's constants.
package refusaltest

import (
	"fmt"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
)

// Examples returns a refusal of every type the domain gives, and one of each case
// a channel words differently (a permit that runs out too soon and none at all, a visit
// started and one about to start, a bank holiday and a day out of hours...), dated from
// now. Each channel's words are tested over all of them, so a new refusal type is worded
// everywhere before it ships.
func Examples(now time.Time) []domain.Refusal {
	today := calendar.DateOf(now)
	visitDay := today.AddDays(3)
	visit := domain.Visit{Ref: "K7P9QD", VRM: "AB12CDE", Date: visitDay, StartsAt: visitDay.At(8, 0), EndsAt: visitDay.At(18, 0),
		Status: domain.VisitActive}
	started := visit
	started.Date, started.StartsAt, started.EndsAt = today, now.Add(-time.Hour), now.Add(8*time.Hour)
	cancelled := visit
	cancelled.Status = domain.VisitCancelled
	renews := calendar.NewDate(today.Year+1, time.April, 1)
	if today.Month < time.April {
		renews.Year = today.Year
	}
	allowance := &domain.AllowanceError{Requested: 5, Remaining: 3, RenewsOn: renews}
	refund := domain.Refund{AmountPence: 5 * domain.PermitPrice, Quantity: 5, PaymentRef: "PKa1b2c3d4e5f6", Rule: allowance.Rule(),
		Reason: "5 permits asked for but only 3 may be bought", Channel: domain.ChannelVoice, CreatedAt: now}
	settled := refund
	settled.SettledAt, settled.SettledBy = now, "admin"
	return []domain.Refusal{
		&domain.DuplicateResidentError{Account: "12345678", Same: "name"},
		&domain.DuplicateResidentError{Account: "12345678", Same: "phone"},
		domain.CheckProof(domain.Proof{Document: domain.DocUtilityBill, DocumentDate: today.AddMonths(-domain.BillMonthsOld - 1)}, today).(domain.Refusal),
		domain.CheckProof(domain.Proof{Document: domain.DocTenancyAgreement, TenancyEnd: today.AddMonths(1)}, today).(domain.Refusal),
		&domain.RegistrationNeededError{},
		&domain.RegistrationNeededError{ExpiredAt: now.AddDate(0, 0, -10)},
		&domain.AddressInactiveError{Email: domain.PermitsTeamEmail},
		&domain.NotPermittedError{Need: domain.PermView},
		&domain.NotPermittedError{Need: domain.PermActivate},
		&domain.NotPermittedError{Need: domain.PermBuy},
		&domain.DuplicateMemberError{Account: "12345678", Holder: true},
		&domain.DuplicateMemberError{Account: "12345678", Member: "Sam Patel"},
		&domain.PaymentMismatchError{Paid: domain.PermitPrice, Due: 2 * domain.PermitPrice},
		allowance,
		&domain.AllowanceError{Requested: 1, Remaining: 0, RenewsOn: renews},
		&domain.AllowanceError{Requested: 2, Remaining: 1, RenewsOn: renews},
		&domain.InvalidVRMError{Input: "AI12CDE", Reason: "the letter I is never used as the second character",
			Suggestions: []string{"A112CDE"}},
		&domain.InvalidVRMError{Input: "HELLO", Reason: "it has no digits"},
		&domain.DateOutOfRangeError{Date: today.AddDays(domain.MaxDaysAhead + 6), Earliest: today, Latest: today.AddDays(domain.MaxDaysAhead)},
		&domain.DateOutOfRangeError{Date: today.AddDays(-1), Earliest: today, Latest: today.AddDays(domain.MaxDaysAhead)},
		&domain.NoPermitNeededError{Date: visitDay, Reason: calendar.NoPermitBankHoliday, Holiday: "Boxing Day",
			NextStart: visitDay.AddDays(1).At(8, 0), NextEnd: visitDay.AddDays(1).At(18, 0)},
		&domain.NoPermitNeededError{Date: visitDay, Reason: calendar.NoPermitNonOperationalDay,
			NextStart: visitDay.AddDays(1).At(8, 0), NextEnd: visitDay.AddDays(1).At(18, 0)},
		&domain.NoPermitNeededError{Date: today, Reason: domain.NoPermitHoursOver},
		&domain.NoPermitAvailableError{Date: visitDay, VisitsLeft: 3},
		&domain.NoPermitAvailableError{Date: visitDay},
		&domain.CancelTooLateError{Visit: visit, Deadline: visit.StartsAt.Add(-domain.CancelNotice)},
		&domain.CancelTooLateError{Visit: started, Deadline: started.StartsAt.Add(-domain.CancelNotice), Started: true},
		&domain.AlreadyCancelledError{Visit: cancelled},
		&domain.DuplicateVisitError{Existing: visit},
		&domain.WrongPINError{AttemptsLeft: domain.PINAttempts - 1},
		&domain.WrongPINError{AttemptsLeft: 1},
		&domain.LockedOutError{Until: now.Add(domain.PINLockout)},
		&domain.IdentifyLimitError{Until: now.Add(domain.IdentifyWindow)},
		&domain.CallbackNumberError{Number: "+33612345678", Reason: "it is not a UK number"},
		&domain.CallbackPendingError{Due: now.Add(2 * time.Hour), Number: "+447700900123"},
		&domain.InvalidInputError{Field: "quantity", Reason: fmt.Sprintf("must be 1 to %d", domain.PermitsPerYear)},
		&domain.InvalidInputError{Field: "pin", Reason: "PIN is not valid: " + pin.ReasonRun, Err: &pin.InvalidError{Reason: pin.ReasonRun}},
		&domain.TooManySignInsError{Limit: "address", Wait: 10 * time.Minute},
		&domain.RefundDueError{Refund: refund, Cause: allowance},
		&domain.RefundDueError{Refund: refund},
		&domain.RefundSettledError{Refund: settled},
	}
}
