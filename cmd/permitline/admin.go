package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/phone"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	if _, err := e.parseAndOpen(ctx, e.flags("migrate"), args, 0); err != nil {
		return err
	}
	v, err := e.store.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is at schema version %d\n", e.dbName(), v)
	return nil
}

func runSchemesImport(ctx context.Context, e *env, args []string) error {
	pos, err := parse(e.flags("schemes import"), args, 1)
	if err != nil {
		return err
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	schemes, err := domain.ReadSchemesCSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	saved, err := e.svc.ImportSchemes(ctx, admin(), schemes)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %s\n", plural(len(saved), "scheme", "schemes"))
	return nil
}

// schemeJSON is a scheme as the back office reads it.
type schemeJSON struct {
	Name   string `json:"name"`
	Days   string `json:"days"`
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

func runSchemesList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("schemes list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := e.parseAndOpen(ctx, fs, args, 0); err != nil {
		return err
	}
	schemes, err := e.svc.Schemes(ctx)
	if err != nil {
		return err
	}
	out := make([]schemeJSON, len(schemes))
	for i, s := range schemes {
		out[i] = schemeJSON{s.Name, s.Hours.Days.String(), s.Hours.Span.Opens.String(), s.Hours.Span.Closes.String()}
	}
	if *asJSON {
		return writeJSON(e, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tDAYS\tHOURS")
	for _, s := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s-%s\n", s.Name, s.Days, s.Opens, s.Closes)
	}
	return tw.Flush()
}

func runResidentAdd(ctx context.Context, e *env, args []string) error {
	fs := e.flags("resident add")
	var in domain.NewResident
	fs.StringVar(&in.Name, "name", "", "resident's name")
	fs.StringVar(&in.Address, "address", "", "address line")
	fs.StringVar(&in.Postcode, "postcode", "", "postcode")
	fs.StringVar(&in.Scheme, "scheme", "", "scheme area")
	fs.StringVar(&in.Phone, "phone", "", "phone number")
	fs.StringVar(&in.PIN, "pin", "", "phone PIN (4-6 digits)")
	if _, err := parseRequiring(fs, args, 0, "name", "address", "postcode", "scheme", "phone"); err != nil {
		return err
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	res, err := e.svc.AddResident(ctx, admin(), in)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, res.Account)
	return nil
}

// residentJSON is an account as the back office reads it; it never holds a PIN hash.
type residentJSON struct {
	Account   string `json:"account"`
	Name      string `json:"name"`
	Address   string `json:"address,omitempty"`
	Postcode  string `json:"postcode,omitempty"`
	Scheme    string `json:"scheme,omitempty"`
	Phone     string `json:"phone"`
	HasPIN    bool   `json:"has_pin"`
	CreatedAt string `json:"created_at"`
}

type accountJSON struct {
	residentJSON
	AddressActive     bool         `json:"address_active"`
	RegisteredUntil   string       `json:"registered_until,omitempty"`
	Registered        bool         `json:"registered"`
	Permits           []permitJSON `json:"permits"`
	VisitsLeft        int          `json:"visits_left"`
	BoughtThisYear    int          `json:"bought_this_permit_year"`
	AllowanceLeft     int          `json:"allowance_left"`
	AllowanceRenewsOn string       `json:"allowance_renews_on"`
	Members           []memberJSON `json:"members"`
	Vehicles          []string     `json:"vehicles"`
	UpcomingVisits    []visitJSON  `json:"upcoming_visits"`
	RecentActivity    []auditJSON  `json:"recent_activity"`
}

type permitJSON struct {
	ID          int64  `json:"id"`
	PurchasedAt string `json:"purchased_at"`
	ExpiresAt   string `json:"expires_at"`
	VisitsLeft  int    `json:"visits_left"`
}

type memberJSON struct {
	Name        string `json:"name"`
	Phone       string `json:"phone"`
	Permissions string `json:"permissions"`
}

type visitJSON struct {
	Ref      string `json:"ref"`
	VRM      string `json:"vrm"`
	Date     string `json:"date"`
	StartsAt string `json:"starts_at"`
	EndsAt   string `json:"ends_at"`
	Status   string `json:"status"`
	By       string `json:"by"`
	Channel  string `json:"channel"`
}

type auditJSON struct {
	At      string `json:"at"`
	Who     string `json:"who"`
	Channel string `json:"channel"`
	Action  string `json:"action"`
	Detail  string `json:"detail"`
}

func visitOut(v domain.Visit) visitJSON {
	return visitJSON{v.Ref, v.VRM, v.Date.String(), v.StartsAt.Format(rfc3339), v.EndsAt.Format(rfc3339),
		string(v.Status), fmt.Sprintf("%s %s", v.By.Kind, v.By.Name), string(v.By.Channel)}
}

const rfc3339 = "2006-01-02T15:04:05Z07:00"

func runResidentShow(ctx context.Context, e *env, args []string) error {
	fs := e.flags("resident show")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := e.parseAndOpen(ctx, fs, args, 1)
	if err != nil {
		return err
	}
	v, err := e.svc.Account(ctx, admin(), pos[0])
	if err != nil {
		return err
	}
	a := accountJSON{
		residentJSON: residentJSON{v.Resident.Account, v.Resident.Name, v.Address.Line, v.Address.Postcode,
			v.Scheme.Name, v.Resident.Phone, v.Resident.PINHash != "", v.Resident.CreatedAt.Format(rfc3339)},
		AddressActive: v.Address.Active, Registered: v.Balance.Registered, Permits: []permitJSON{},
		VisitsLeft: v.Balance.VisitsLeft, BoughtThisYear: v.Balance.BoughtThisYear,
		AllowanceLeft: v.Balance.AllowanceLeft, AllowanceRenewsOn: v.Balance.RenewsOn.String(),
		Members: []memberJSON{}, Vehicles: []string{}, UpcomingVisits: []visitJSON{}, RecentActivity: []auditJSON{},
	}
	if !v.Balance.Registration.ExpiresAt.IsZero() {
		a.RegisteredUntil = v.Balance.Registration.ExpiresAt.Format(rfc3339)
	}
	for _, p := range v.Balance.Permits {
		a.Permits = append(a.Permits, permitJSON{p.ID, p.PurchasedAt.Format(rfc3339), p.ExpiresAt.Format(rfc3339), p.VisitsLeft()})
	}
	for _, m := range v.Members {
		a.Members = append(a.Members, memberJSON{m.Name, m.Phone, m.Permissions.String()})
	}
	for _, veh := range v.Vehicles {
		a.Vehicles = append(a.Vehicles, veh.VRM)
	}
	for _, vis := range v.Upcoming {
		a.UpcomingVisits = append(a.UpcomingVisits, visitOut(vis))
	}
	for _, en := range v.Activity {
		a.RecentActivity = append(a.RecentActivity, auditJSON{en.At.Format(rfc3339),
			fmt.Sprintf("%s %s", en.Actor.Kind, en.Actor.Name), string(en.Actor.Channel), en.Action, en.Detail})
	}
	if *asJSON {
		return writeJSON(e, a)
	}
	w := e.stdout
	fmt.Fprintf(w, "Account %s: %s\n", a.Account, a.Name)
	fmt.Fprintf(w, "  Address:       %s, %s (%s)%s\n", a.Address, a.Postcode, a.Scheme, map[bool]string{true: "", false: " INACTIVE"}[a.AddressActive])
	fmt.Fprintf(w, "  Phone:         %s (PIN set: %t)\n", phone.National(a.Phone), a.HasPIN)
	reg := "never registered"
	if !v.Balance.Registration.ExpiresAt.IsZero() {
		reg = map[bool]string{true: "valid until ", false: "expired "}[a.Registered] + london(v.Balance.Registration.ExpiresAt)
	}
	fmt.Fprintf(w, "  Registration:  %s\n", reg)
	fmt.Fprintf(w, "  Permits:       %d valid, %s left\n", len(a.Permits), plural(a.VisitsLeft, "visit", "visits"))
	for _, p := range v.Balance.Permits {
		fmt.Fprintf(w, "    permit %d: %s left, expires %s\n", p.ID, plural(p.VisitsLeft(), "visit", "visits"), london(p.ExpiresAt))
	}
	fmt.Fprintf(w, "  Allowance:     %d bought this permit year, %d left, renews on %s\n", a.BoughtThisYear, a.AllowanceLeft, dayWords(v.Balance.RenewsOn))
	for _, m := range a.Members {
		fmt.Fprintf(w, "  Member:        %s, %s, may %s\n", m.Name, phone.National(m.Phone), m.Permissions)
	}
	if len(a.Vehicles) > 0 {
		fmt.Fprintf(w, "  Vehicles:      %s\n", strings.Join(a.Vehicles, ", "))
	}
	for _, vis := range v.Upcoming {
		fmt.Fprintf(w, "  Visit %s: %s on %s, %s, %s to %s\n", vis.Ref, spacedVRM(vis.VRM), dayWords(vis.Date), vis.Status,
			vis.StartsAt.In(calendar.London).Format("15:04"), vis.EndsAt.In(calendar.London).Format("15:04"))
	}
	for _, en := range v.Activity {
		fmt.Fprintf(w, "  %s  %-9s %-20s %s (%s %s)\n", londonShort(en.At), en.Actor.Channel, en.Action, en.Detail, en.Actor.Kind, en.Actor.Name)
	}
	return nil
}

func runResidentList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("resident list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := e.parseAndOpen(ctx, fs, args, 0); err != nil {
		return err
	}
	out := []residentJSON{}
	var after int64
	for {
		page, err := e.svc.Residents(ctx, after, 500)
		if err != nil {
			return err
		}
		for _, r := range page {
			out = append(out, residentJSON{Account: r.Account, Name: r.Name, Phone: r.Phone, HasPIN: r.PINHash != "",
				CreatedAt: r.CreatedAt.Format(rfc3339)})
			after = r.ID
		}
		if len(page) < 500 {
			break
		}
	}
	if *asJSON {
		return writeJSON(e, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tNAME\tPHONE")
	for _, r := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Account, r.Name, phone.National(r.Phone))
	}
	return tw.Flush()
}

func runResidentSetPIN(ctx context.Context, e *env, args []string) error {
	fs := e.flags("resident set-pin")
	newPIN := fs.String("pin", "", "the new PIN (4-6 digits)")
	pos, err := parseRequiring(fs, args, 1, "pin")
	if err != nil {
		return err
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	if err := e.svc.SetPIN(ctx, admin(), pos[0], *newPIN); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "PIN set")
	return nil
}

func runAddressActive(active bool) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		fs := e.flags(map[bool]string{true: "address activate", false: "address deactivate"}[active])
		line := fs.String("address", "", "address line")
		postcode := fs.String("postcode", "", "postcode")
		if _, err := parseRequiring(fs, args, 0, "address", "postcode"); err != nil {
			return err
		}
		if err := e.open(ctx); err != nil {
			return err
		}
		if err := e.svc.SetAddressActive(ctx, admin(), *line, *postcode, active); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s, %s is now %s\n", *line, domain.NormalisePostcode(*postcode),
			map[bool]string{true: "active", false: "inactive"}[active])
		return nil
	}
}

func runRegistrationApprove(ctx context.Context, e *env, args []string) error {
	fs := e.flags("registration approve")
	doc := fs.String("document", "", "driving-licence, tenancy-agreement or utility-bill")
	docDate := fs.String("document-date", "", "the utility bill's date (YYYY-MM-DD, 5/12/2026, 5 Dec 2026, ...)")
	tenancyEnd := fs.String("tenancy-end", "", "the tenancy's end date (YYYY-MM-DD, 5/12/2027, 5 Dec 2027, ...)")
	pos, err := parseRequiring(fs, args, 1, "document")
	if err != nil {
		return err
	}
	switch domain.Document(*doc) {
	case domain.DocUtilityBill:
		if err := required(fs, "document-date"); err != nil {
			return usageErr("--document-date is required with --document %s", *doc)
		}
	case domain.DocTenancyAgreement:
		if err := required(fs, "tenancy-end"); err != nil {
			return usageErr("--tenancy-end is required with --document %s", *doc)
		}
	}
	if err := e.setClock(); err != nil {
		return err
	}
	p := domain.Proof{Document: domain.Document(*doc)}
	if *docDate != "" {
		if p.DocumentDate, err = parseDay(*docDate, e.clock.Now()); err != nil {
			return usageErr("--document-date: %v", err)
		}
	}
	if *tenancyEnd != "" {
		if p.TenancyEnd, err = parseDay(*tenancyEnd, e.clock.Now()); err != nil {
			return usageErr("--tenancy-end: %v", err)
		}
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	reg, err := e.svc.ApproveRegistration(ctx, admin(), pos[0], p)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "registration approved, valid until %s\n", london(reg.ExpiresAt))
	return nil
}

func runMemberAdd(ctx context.Context, e *env, args []string) error {
	fs := e.flags("member add")
	var in domain.NewMember
	fs.StringVar(&in.Name, "name", "", "member's name")
	fs.StringVar(&in.Phone, "phone", "", "member's phone number")
	can := fs.String("can", "", "view,activate,buy")
	fs.StringVar(&in.PIN, "pin", "", "member's phone PIN")
	pos, err := parseRequiring(fs, args, 1, "name", "phone", "can")
	if err != nil {
		return err
	}
	if in.Permissions, err = domain.ParsePermissions(*can); err != nil {
		return usageErr("--can: %v", err)
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	m, err := e.svc.AddMember(ctx, admin(), pos[0], in)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "member %s added: may %s\n", m.Name, m.Permissions)
	return nil
}

func runVehicleAdd(ctx context.Context, e *env, args []string) error {
	fs := e.flags("vehicle add")
	reg := fs.String("vrm", "", "vehicle registration")
	pos, err := parseRequiring(fs, args, 1, "vrm")
	if err != nil {
		return err
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	v, err := e.svc.AddVehicle(ctx, admin(), pos[0], *reg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "vehicle %s saved\n", v.VRM)
	return nil
}

func runPermitsBuy(ctx context.Context, e *env, args []string) error {
	fs := e.flags("permits buy")
	qty := fs.Int("quantity", 0, "how many permits")
	ref := fs.String("payment-ref", "", "the payment's reference (a repeat with the same reference records nothing)")
	pos, err := parseRequiring(fs, args, 1, "quantity", "payment-ref")
	if err != nil {
		return err
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	p, err := e.svc.BuyPermits(ctx, admin(), pos[0], *qty, domain.PaymentIn{
		Amount: domain.PermitPrice * domain.Pence(*qty), ProviderRef: *ref, IdempotencyKey: "admin:" + *ref})
	if err != nil {
		return err
	}
	if p.Repeated {
		fmt.Fprintf(e.stdout, "payment %s was already recorded: nothing new bought\n", *ref)
		return nil
	}
	more := fmt.Sprintf("%d more may be bought", p.AllowanceLeft)
	if p.AllowanceLeft == 0 {
		more = "no more may be bought"
	}
	fmt.Fprintf(e.stdout, "%s bought for %s, valid until %s; %s this permit year, which renews on %s\n",
		plural(len(p.Permits), "permit", "permits"), p.Payment.AmountPence, london(p.Permits[0].ExpiresAt), more, dayWords(p.RenewsOn))
	return nil
}

func runVisitsAdd(ctx context.Context, e *env, args []string) error {
	fs := e.flags("visits add")
	reg := fs.String("vrm", "", "vehicle registration")
	day := fs.String("date", "today", "the day: YYYY-MM-DD, today, tomorrow, a weekday (saturday), 5/12, 05/12/2026, 5 Dec, 5th December")
	pos, err := parseRequiring(fs, args, 1, "vrm")
	if err != nil {
		return err
	}
	if err := e.setClock(); err != nil {
		return err
	}
	date, err := parseDay(*day, e.clock.Now())
	if err != nil {
		return usageErr("--date: %v", err)
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	a, err := e.svc.ActivateVisit(ctx, admin(), pos[0], domain.VisitRequest{VRM: *reg, Date: date})
	if err != nil {
		return err
	}
	v := a.Visit
	// R17: a visit can be cancelled until 5 minutes before it starts; one for today that
	// starts now is already past that.
	cancel := "it can be cancelled until " + london(v.CancelDeadline())
	if !e.clock.Now().Before(v.CancelDeadline()) {
		cancel = "it can no longer be cancelled (R17: a visit can be cancelled until 5 minutes before it starts)"
	}
	fmt.Fprintf(e.stdout, "visit %s: %s on %s from %s to %s; %s left; %s\n",
		v.Ref, a.Mark.Spaced(), dayWords(v.Date), v.StartsAt.In(calendar.London).Format("15:04"),
		v.EndsAt.In(calendar.London).Format("15:04"), plural(a.VisitsLeft, "visit", "visits"), cancel)
	return nil
}

func runVisitsList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("visits list")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := e.parseAndOpen(ctx, fs, args, 1)
	if err != nil {
		return err
	}
	vs, err := e.svc.UpcomingVisits(ctx, admin(), pos[0])
	if err != nil {
		return err
	}
	out := []visitJSON{}
	for _, v := range vs {
		out = append(out, visitOut(v))
	}
	if *asJSON {
		return writeJSON(e, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tVRM\tDATE\tFROM\tTO\tSTATUS\tBY")
	for _, v := range vs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s %s (%s)\n", v.Ref, v.VRM, v.Date,
			v.StartsAt.In(calendar.London).Format("15:04"), v.EndsAt.In(calendar.London).Format("15:04"),
			v.Status, v.By.Kind, v.By.Name, v.By.Channel)
	}
	return tw.Flush()
}

func runVisitsCancel(ctx context.Context, e *env, args []string) error {
	pos, err := e.parseAndOpen(ctx, e.flags("visits cancel"), args, 1)
	if err != nil {
		return err
	}
	v, err := e.svc.CancelVisit(ctx, admin(), pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "visit %s for %s on %s cancelled; the visit is back on its permit\n", v.Ref, spacedVRM(v.VRM), dayWords(v.Date))
	return nil
}

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := e.flags("check")
	scheme := fs.String("scheme", "", "scheme area")
	at := fs.String("at", "", "the moment to check: RFC3339, London wall time or a date (default --now)")
	pos, err := parseRequiring(fs, args, 1, "scheme")
	if err != nil {
		return err
	}
	if err := e.open(ctx); err != nil {
		return err
	}
	when := e.clock.Now()
	if *at != "" {
		if when, err = parseWhen(*at); err != nil {
			return usageErr("--at: %v", err)
		}
	}
	v, err := e.svc.Check(ctx, pos[0], *scheme, when)
	if err != nil {
		// Exit 1 means "not permitted"; a question that cannot be answered is another status.
		return &exitError{code: 3, msg: "permitline check: " + words(err)}
	}
	if !v.Permitted {
		return &exitError{code: 1, msg: "not permitted: " + v.Reason}
	}
	fmt.Fprintln(e.stdout, "permitted: "+v.Reason)
	return nil
}

func runHours(ctx context.Context, e *env, args []string) error {
	fs := e.flags("hours")
	at := fs.String("at", "", "the moment to ask about: RFC3339, London wall time, or a date for that day from its start (default --now)")
	if _, err := e.parseAndOpen(ctx, fs, args, 0); err != nil {
		return err
	}
	when := e.clock.Now()
	if *at != "" {
		var err error
		if when, err = parseWhen(*at); err != nil {
			return usageErr("--at: %v", err)
		}
	}
	st := e.svc.Helpdesk().Status(when)
	today := "closed all day"
	if st.Today.Open {
		today = fmt.Sprintf("%s to %s", st.Today.Span.Opens, st.Today.Span.Closes)
	}
	if st.Today.Holiday != "" {
		today += " (" + st.Today.Holiday + ")"
	}
	if st.Open {
		fmt.Fprintf(e.stdout, "open: the helpdesk is open until %s\n", st.ClosesAt.In(calendar.London).Format("15:04"))
	} else {
		fmt.Fprintf(e.stdout, "closed: the helpdesk next opens %s\n", london(st.NextOpening))
	}
	fmt.Fprintf(e.stdout, "today (%s): %s\n", dayWords(calendar.DateOf(when)), today)
	return nil
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
