package domain

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"permitline/domain/calendar"
)

// ReadSchemesCSV reads scheme areas from a council's CSV file with the header
// name,days,opens,closes (days as Mon-Fri or Mon,Wed,Fri; times HH:MM).
func ReadSchemesCSV(r io.Reader) ([]Scheme, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	want := []string{"name", "days", "opens", "closes"}
	if len(head) != len(want) {
		return nil, fmt.Errorf("the header must be %s", strings.Join(want, ","))
	}
	for i, h := range head {
		if strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) != want[i] {
			return nil, fmt.Errorf("the header must be %s", strings.Join(want, ","))
		}
	}
	var out []Scheme
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		sc, err := schemeFromRecord(rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		key := strings.ToLower(sc.Name)
		if seen[key] {
			return nil, fmt.Errorf("line %d: scheme %q appears twice", line, sc.Name)
		}
		seen[key] = true
		out = append(out, sc)
	}
	if len(out) == 0 {
		return nil, errors.New("no schemes in the file")
	}
	return out, nil
}

func schemeFromRecord(rec []string) (Scheme, error) {
	name := strings.TrimSpace(rec[0])
	if name == "" {
		return Scheme{}, errors.New("the scheme name is empty")
	}
	days, err := calendar.ParseDays(rec[1])
	if err != nil {
		return Scheme{}, fmt.Errorf("scheme %s: %w", name, err)
	}
	span, err := calendar.ParseSpan(strings.TrimSpace(rec[2]) + "-" + strings.TrimSpace(rec[3]))
	if err != nil {
		return Scheme{}, fmt.Errorf("scheme %s: %w", name, err)
	}
	return Scheme{Name: name, Hours: calendar.OperatingHours{Days: days, Span: span}}, nil
}
