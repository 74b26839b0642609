package domain_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"permitline/domain/calendar"
	"permitline/domain/refusaltest"
)

// refusalTypes reads the package's own source for every type with a Rule method: the
// refusal types the domain can give.
func refusalTypes(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var names []string
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Rule" || len(fn.Recv.List) != 1 {
				continue
			}
			if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok {
					names = append(names, "*domain."+id.Name)
				}
			}
		}
	}
	sort.Strings(names)
	return names
}

// TestRefusalExamplesCoverEveryRefusal fails when a refusal type is added to the domain
// without an example in refusaltest, so the channels' tables, tested over the examples,
// word it too.
func TestRefusalExamplesCoverEveryRefusal(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, calendar.London)
	have := map[string]bool{}
	for _, r := range refusaltest.Examples(now) {
		have[reflect.TypeOf(r).String()] = true
		if r.Rule() == "" || r.Error() == "" {
			t.Errorf("%T: no rule or no message", r)
		}
	}
	types := refusalTypes(t)
	if len(types) < 20 {
		t.Fatalf("found only %d refusal types in the source: %v", len(types), types)
	}
	for _, name := range types {
		if !have[name] {
			t.Errorf("%s has no example in RefusalExamples", name)
		}
	}
}
