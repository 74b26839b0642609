package postgres

import (
	"fmt"
	"strings"

	"permitline/domain"
)

// The searches of accounts an agent makes (domain.Service.FindAccounts): each lists the
// residents matching, by name then id.
var sqlFindResidents = map[domain.SearchBy]string{
	domain.SearchName: `SELECT ` + residentCols + ` FROM residents
		WHERE name ILIKE '%' || ? || '%' ESCAPE '\' ORDER BY name, id LIMIT ?`,
	domain.SearchPostcode: `SELECT ` + residentCols + ` FROM residents
		WHERE address_id IN (SELECT id FROM addresses WHERE postcode = ?) ORDER BY name, id LIMIT ?`,
	domain.SearchPhone: `SELECT ` + residentCols + ` FROM residents
		WHERE phone = ?1 OR id IN (SELECT resident_id FROM members WHERE phone = ?1) ORDER BY name, id LIMIT ?2`,
	domain.SearchVRM: `SELECT ` + residentCols + ` FROM residents
		WHERE id IN (SELECT resident_id FROM vehicles WHERE vrm = ?1 UNION SELECT resident_id FROM visits WHERE vrm = ?1)
		ORDER BY name, id LIMIT ?2`,
}

// likeEscaper makes a name's % and _ match themselves in LIKE.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (r *q) FindResidents(by domain.SearchBy, value string, limit int) ([]domain.Resident, error) {
	query, ok := sqlFindResidents[by]
	if !ok {
		return nil, fmt.Errorf("no search of residents by %q", by)
	}
	if by == domain.SearchName {
		value = likeEscaper.Replace(value)
	}
	return many(r, scanResident, query, value, limit)
}
