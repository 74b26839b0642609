package sqlite

import (
	"context"
	"fmt"

	"permitline/domain"
)

// fillAddressKeys gives every address without one its line_key (migration 0010), in one
// transaction. The key is domain.AddressKey, which SQL cannot compute; after the first
// open of an older database there is nothing left to fill, and the query finds no row.
func (s *Store) fillAddressKeys(ctx context.Context) error {
	tx, err := s.writeDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // committed below when all went well
	rows, err := tx.QueryContext(ctx, `SELECT id, line FROM addresses WHERE line_key = ''`)
	if err != nil {
		return err
	}
	type row struct {
		id   int64
		line string
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.line); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range todo {
		if _, err := tx.ExecContext(ctx, `UPDATE addresses SET line_key = ? WHERE id = ?`,
			domain.AddressKey(r.line), r.id); err != nil {
			return fmt.Errorf("address %d: %w", r.id, err)
		}
	}
	return tx.Commit()
}
