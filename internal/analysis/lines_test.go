package analysis

import (
	"reflect"
	"testing"
)

func TestLineIndexStarts(t *testing.T) {
	tests := []struct {
		src  string
		want []int
	}{
		{"", []int{0}},
		{"a", []int{0}},
		{"a\n", []int{0, 2}},
		{"a\nbc\n\nd", []int{0, 2, 5, 6}},
		{"a\r\nb\rc\n", []int{0, 3, 5, 7}}, // CRLF and lone CR end lines too
		{"\r\n\r\n", []int{0, 2, 4}},
		{"日本\n😀\n", []int{0, 7, 12}},
	}
	for _, tt := range tests {
		if got := NewLineIndex([]byte(tt.src)).starts; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("NewLineIndex(%q).starts = %v, want %v", tt.src, got, tt.want)
		}
	}
}
