//go:build !linux

package kernel

// hugeMake returns make([]T, n, c): huge-page advice is Linux's (see hugepages_linux.go).
func hugeMake[T any](n, c int) []T { return make([]T, n, c) }
