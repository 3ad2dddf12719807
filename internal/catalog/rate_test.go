package catalog

import (
	"math"
	"testing"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want Rate
		ok   bool
	}{
		{"0", 0, true},
		{"2", 2_000_000, true},
		{"2.50", 2_500_000, true},
		{"0.00875", 8_750, true},
		{".5", 500_000, true},
		{"0.000001", 1, true},
		{" 18.75 ", 18_750_000, true},
		{"1000000", 1_000_000_000_000, true},
		{"1000001", 0, false},
		{"0.0000001", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"1e3", 0, false},
		{"", 0, false},
		{".", 0, false},
		{"1.", 1_000_000, true},
		{"1.2.3", 0, false},
		{"NaN", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseRate(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestRateFromUSD(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want Rate
		ok   bool
	}{
		{0.00875, 8750, true}, {2.5, 2_500_000, true}, {0.1 + 0.2, 300_000, true},
		{-1, 0, false}, {math.NaN(), 0, false}, {math.Inf(1), 0, false}, {2e6, 0, false},
	} {
		got, err := RateFromUSD(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("RateFromUSD(%v) = %d, %v", tt.in, got, err)
		}
	}
	if s := Rate(2_500_000).String(); s != "2.5" {
		t.Errorf("String = %q", s)
	}
}

func TestFormatUSD(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want string
	}{
		{0, "0.000000"},
		{0.000123, "0.000123"},
		{0.0228, "0.022800"},
		{1.25, "1.250000"},
		{0.000000004, "0.000000004"},
		{0.0000001234, "0.000000123"},
		{12345.678901234, "12345.678901234"},
		{-0.5, "-0.500000"},
		{math.NaN(), "0.000000"},
		{math.Inf(1), "0.000000"},
		{1e30, "1000000000000000019884624838656.000000"},
	} {
		if got := FormatUSD(tt.in); got != tt.want {
			t.Errorf("FormatUSD(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   NanoUSD
		want string
	}{
		{0, "0.000000"}, {1, "0.000000001"}, {123_000, "0.000123"}, {-1, "-0.000000001"},
		{math.MinInt64, "-9223372036.854775808"},
	} {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("NanoUSD(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}
