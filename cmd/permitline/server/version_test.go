package server

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}}
	for _, tc := range []struct {
		name     string
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"go run or go test", "(devel)", nil, "devel"},
		{"no version at all", "", nil, "devel"},
		{"a tagged module", "v1.2.0", nil, "v1.2.0"},
		{"a build in a checkout", "(devel)", rev, "devel (revision 0123456789ab)"},
		{"a build with changes not committed", "v0.0.0-20261202023000-0123456789ab+dirty",
			append(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"}),
			"v0.0.0-20261202023000-0123456789ab+dirty (revision 0123456789ab, modified)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := versionOf(&debug.BuildInfo{Main: debug.Module{Path: "permitline", Version: tc.version}, Settings: tc.settings})
			if got != tc.want {
				t.Errorf("versionOf = %q, want %q", got, tc.want)
			}
		})
	}
}
