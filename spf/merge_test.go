package spf_test

import (
	"errors"
	"testing"

	"github.com/domainlint/domainlint/spf"
)

// TestMerge: every term kept, duplicates dropped, one all; records that
// end differently, or in +all, are merged by hand (RFC 7208 §4.5: several
// records are a permerror; which policy the owner meant is theirs to say).
func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		add  []string
		want string
		hand bool
	}{
		{[]string{"v=spf1 mx -all", "v=spf1 ip4:192.0.2.0/24 -all"}, nil, "v=spf1 mx ip4:192.0.2.0/24 -all", false},
		{[]string{"v=spf1 include:a.example ~all", "v=spf1 +include:a.example ip6:2001:db8::/32 ~all"}, []string{"spf.protection.outlook.com"}, "v=spf1 include:a.example ip6:2001:db8::/32 include:spf.protection.outlook.com ~all", false},
		{[]string{"v=spf1 mx -all", "v=spf1 redirect=_spf.example.net"}, nil, "v=spf1 mx include:_spf.example.net -all", true},
		{[]string{"v=spf1 mx -all", "v=spf1 a ~all"}, nil, "v=spf1 mx a -all", true},
		{[]string{"v=spf1 mx -all", "v=spf1 a +all"}, nil, "", true},
		{[]string{"v=spf1 redirect=a.example", "v=spf1 redirect=b.example"}, nil, "v=spf1 include:b.example redirect=a.example", false},
		// Mechanisms after a record's all are never reached: merged
		// before the one all, they would pass all of IPv4.
		{[]string{"v=spf1 mx -all", "v=spf1 -all ip4:0.0.0.0/1 ip4:128.0.0.0/1"}, nil, "v=spf1 mx -all", false},
	} {
		got, err := spf.Merge(tc.in, tc.add...)
		if tc.hand != errors.Is(err, spf.ErrMergeByHand) || tc.want != "" && got != tc.want {
			t.Errorf("Merge(%q, %q) = %q, %v; want %q (by hand: %v)", tc.in, tc.add, got, err, tc.want, tc.hand)
		}
	}
	if _, err := spf.Merge([]string{"v=spf1 mx -all", "v=spf1 ip4:192.0.2.300 -all"}); err == nil || errors.Is(err, spf.ErrMergeByHand) {
		t.Errorf("a broken record merged: %v", err)
	}
}
