package catalog

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Rate is a price in micro-dollars per million tokens, which is the same
// number as pico-dollars per token. Prices are kept as integers so that a
// cost is an exact integer product (tokens × rate) and sums of costs never
// drift the way float64 sums do; six decimal places of a dollar per million
// tokens cover every published price (the smallest seen is $0.005/MTok).
type Rate int64

// maxRate bounds a rate at $1,000,000 per million tokens, so tokens × rate
// cannot overflow int64 for any token count a single call can report.
const maxRate Rate = 1_000_000 * 1_000_000

// ParseRate parses a decimal dollars-per-million-tokens price such as
// "2.50" or "0.00875" exactly, without a float round trip. More than six
// decimal places, signs, exponents and empty strings are errors.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty price")
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("price %q has no digits", s)
	}
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("price %q is not a non-negative decimal number", s)
	}
	if len(frac) > 6 {
		return 0, fmt.Errorf("price %q has more than 6 decimal places", s)
	}
	if len(whole) > 7 {
		return 0, fmt.Errorf("price %q is too large", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("price %q: %v", s, err)
	}
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	r := Rate(w*1_000_000 + f)
	if r > maxRate {
		return 0, fmt.Errorf("price %q is too large", s)
	}
	return r, nil
}

// RateFromUSD converts a float dollars-per-million-tokens price, rounding to
// the nearest micro-dollar. It is for callers (config overrides) that already
// hold a float; data files go through ParseRate.
func RateFromUSD(usdPerMTok float64) (Rate, error) {
	if math.IsNaN(usdPerMTok) || math.IsInf(usdPerMTok, 0) || usdPerMTok < 0 {
		return 0, fmt.Errorf("price %v is not a non-negative number", usdPerMTok)
	}
	r := math.Round(usdPerMTok * 1e6)
	if r > float64(maxRate) {
		return 0, fmt.Errorf("price %v is too large", usdPerMTok)
	}
	return Rate(r), nil
}

// USDPerMTok is the rate in dollars per million tokens.
func (r Rate) USDPerMTok() float64 { return float64(r) / 1e6 }

// String prints the rate as dollars per million tokens, e.g. "2.5".
func (r Rate) String() string {
	return strconv.FormatFloat(r.USDPerMTok(), 'f', -1, 64)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NanoUSD is an amount of money in billionths of a dollar: the unit costs
// are summed in (a ledger row, a budget counter). int64 holds ±9.2 billion
// dollars, far beyond any budget, and fractions below a nano-dollar are
// rounded per call, an error of at most half a nano-dollar per reply.
type NanoUSD int64

// USD is the amount in dollars as a float, for display and headers only.
func (n NanoUSD) USD() float64 { return float64(n) / 1e9 }

// String formats like FormatUSD.
func (n NanoUSD) String() string { return formatNano(int64(n)) }

// FormatUSD prints dollars as a plain decimal with at least six and at most
// nine decimal places and no exponent, e.g. 0.000123 or 1.250000 or
// 0.000000004: the form of the x-railyard-cost-usd header. The float is
// first rounded to whole nano-dollars.
func FormatUSD(usd float64) string {
	if math.IsNaN(usd) || math.IsInf(usd, 0) {
		return "0.000000"
	}
	n := math.Round(usd * 1e9)
	if n > math.MaxInt64 || n < math.MinInt64 {
		return strconv.FormatFloat(usd, 'f', 6, 64)
	}
	return formatNano(int64(n))
}

func formatNano(n int64) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n) // two's complement is right even for MinInt64
	}
	whole, frac := u/1e9, u%1e9
	var fb [9]byte // frac as %09d, without fmt: every priced reply formats one
	for i := len(fb) - 1; i >= 0; i-- {
		fb[i] = byte('0' + frac%10)
		frac /= 10
	}
	fs := fb[:]
	for len(fs) > 6 && fs[len(fs)-1] == '0' {
		fs = fs[:len(fs)-1]
	}
	s := strconv.FormatUint(whole, 10) + "." + string(fs)
	if neg && u != 0 {
		s = "-" + s
	}
	return s
}
