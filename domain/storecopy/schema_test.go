package storecopy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func names(tables []table) []string {
	out := make([]string, len(tables))
	for i, t := range tables {
		out[i] = t.name
	}
	return out
}

func TestOrderPutsEachTableAfterTheTablesItNames(t *testing.T) {
	got, err := order([]table{
		{name: "visits", refs: []string{"permits", "residents", "schemes"}},
		{name: "permits", refs: []string{"payments", "residents", "schemes"}},
		{name: "payments", refs: []string{"residents"}},
		{name: "residents", refs: []string{"addresses"}},
		{name: "addresses", refs: []string{"schemes"}},
		{name: "schemes"},
		{name: "audit"},
		{name: "tree", refs: []string{"tree"}}, // a table naming itself waits for nothing
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"audit", "schemes", "tree", "addresses", "residents", "payments", "permits", "visits"}
	if !reflect.DeepEqual(names(got), want) {
		t.Errorf("order %v, want %v", names(got), want)
	}
	_, err = order([]table{{name: "a", refs: []string{"b"}}, {name: "b", refs: []string{"a"}}, {name: "c"}})
	if err == nil || !strings.Contains(err.Error(), "a, b") {
		t.Errorf("a circle: %v", err)
	}
}

func TestMatchNamesWhatOneEngineLacks(t *testing.T) {
	col := func(name, declared string, k kind) column { return column{name: name, declared: declared, kind: k} }
	src := map[string]table{
		"agents":     {name: "agents", cols: []column{col("id", "INTEGER", kindInt), col("name", "TEXT", kindText), col("team", "TEXT", kindText)}},
		"desk_notes": {name: "desk_notes", cols: []column{col("id", "INTEGER", kindInt)}},
		"flags":      {name: "flags", cols: []column{col("on", "INTEGER", kindInt), col("data", "TEXT", kindText)}},
	}
	dst := map[string]table{
		"agents":        {name: "agents", cols: []column{col("id", "bigint", kindInt), col("name", "citext", kindText)}},
		"flags":         {name: "flags", cols: []column{col("on", "boolean", kindBool), col("data", "bytea", kindBlob)}},
		"desk_sessions": {name: "desk_sessions", cols: []column{col("id", "bigint", kindInt)}},
	}
	_, err := match(src, dst)
	var se *SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("want a SchemaError, got %v", err)
	}
	want := []string{
		"table desk_notes is in the SQLite store but not in the PostgreSQL one",
		"table desk_sessions is in the PostgreSQL store but not in the SQLite one",
		"column agents.team is in the SQLite store but not in the PostgreSQL one",
		"column flags.data is TEXT on SQLite and bytea on PostgreSQL: no copy between them",
	}
	if !reflect.DeepEqual(se.Problems, want) {
		t.Errorf("problems\n%q\nwant\n%q", se.Problems, want)
	}

	// Agreeing schemas match, columns in the target's order, parents first.
	src = map[string]table{
		"a": {name: "a", cols: []column{col("y", "TEXT", kindText), col("x", "INTEGER", kindInt)}, refs: []string{"b"}},
		"b": {name: "b", cols: []column{col("id", "INTEGER", kindInt)}},
	}
	dst = map[string]table{
		"a": {name: "a", cols: []column{col("x", "boolean", kindBool), col("y", "text", kindText)}},
		"b": {name: "b", cols: []column{col("id", "bigint", kindInt)}},
	}
	got, err := match(src, dst)
	if err != nil || !reflect.DeepEqual(names(got), []string{"b", "a"}) || got[1].cols[0].name != "x" {
		t.Errorf("match %+v %v", got, err)
	}
}

func TestConvertersCarryEachKind(t *testing.T) {
	for _, tc := range []struct {
		from, to kind
		in, want any
		fails    bool
	}{
		{kindInt, kindInt, int64(7), int64(7), false},
		{kindInt, kindInt, nil, nil, false},
		{kindInt, kindInt, "7", nil, true},
		{kindInt, kindBool, int64(1), true, false},
		{kindInt, kindBool, int64(0), false, false},
		{kindInt, kindBool, int64(2), nil, true},
		{kindText, kindText, "2026-11-30T10:00:00.000000Z", "2026-11-30T10:00:00.000000Z", false},
		{kindText, kindText, []byte("café"), "café", false},
		{kindText, kindText, []byte{0xff}, nil, true},
		{kindText, kindText, int64(3), nil, true},
		{kindBlob, kindBlob, []byte{0, 1}, []byte{0, 1}, false},
		{kindBlob, kindBlob, "{}", []byte("{}"), false},
	} {
		got, err := converter(tc.from, tc.to)(tc.in)
		if (err != nil) != tc.fails || !tc.fails && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s -> %s of %#v: %#v, %v", tc.from, tc.to, tc.in, got, err)
		}
	}
	if sqliteKind("INTEGER") != kindInt || sqliteKind("TEXT") != kindText || sqliteKind("BLOB") != kindBlob ||
		sqliteKind("REAL") != 0 || postgresKind("USER-DEFINED", "citext") != kindText || postgresKind("jsonb", "jsonb") != 0 {
		t.Error("kinds read wrong")
	}
}
