package route

import "testing"

func TestRetryable(t *testing.T) {
	tests := []struct {
		status int
		want   bool
	}{
		{200, false}, {400, false}, {401, true}, {403, true}, {404, false},
		{408, true}, {409, true}, {413, false}, {422, false}, {429, true},
		{500, true}, {502, true}, {503, true}, {504, true}, {529, true},
	}
	for _, tt := range tests {
		if got := Retryable(tt.status); got != tt.want {
			t.Errorf("Retryable(%d) = %v, want %v", tt.status, got, tt.want)
		}
	}
}
