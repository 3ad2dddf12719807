package sqlstore

import (
	"slices"
	"testing"
)

func TestLedgerChunks(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []int
	}{
		{0, nil},
		{1, []int{1}},
		{7, []int{1, 1, 1, 1, 1, 1, 1}},
		{8, []int{8}},
		{9, []int{8, 1}},
		{64, []int{64}},
		{73, []int{64, 8, 1}},
		{130, []int{64, 64, 1, 1}},
	} {
		got := ledgerChunks(tc.n)
		if !slices.Equal(got, tc.want) {
			t.Errorf("ledgerChunks(%d) = %v, want %v", tc.n, got, tc.want)
		}
		sum := 0
		for _, c := range got {
			sum += c
		}
		if sum != tc.n {
			t.Errorf("ledgerChunks(%d) sums to %d", tc.n, sum)
		}
	}
}
