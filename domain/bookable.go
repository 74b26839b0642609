package domain

import "permitline/domain/calendar"

// BookableDays returns up to n days after today, no further ahead than MaxDaysAhead (R12),
// on which a permit is needed in the scheme of the account's address: days of the scheme's
// hours that are not bank holidays (R13, R14). These are days a visit could be booked for,
// so the line's examples of a date never name a day that needs no permit.
func (o *Op) BookableDays(account string, n int) ([]calendar.Date, error) {
	res, err := residentByAccount(o.tx, account)
	if err != nil {
		return nil, err
	}
	sc, _, err := schemeOf(o.tx, res)
	if err != nil {
		return nil, err
	}
	today := calendar.DateOf(o.now)
	var days []calendar.Date
	for i := 1; i <= MaxDaysAhead && len(days) < n; i++ {
		d := today.AddDays(i)
		if _, _, why := sc.Hours.Window(d, o.s.holidays); why == calendar.PermitNeeded {
			days = append(days, d)
		}
	}
	return days, nil
}
